// `npm run bench:spend`: seeds a million spend_logs rows (and their daily rollups) into the
// gateway's local D1 in Miniflare and times each spend report through the worker.
import path from "node:path";
import { execFileSync } from "node:child_process";
import { startGateway } from "./workers.mjs";

const root = path.resolve(import.meta.dirname, "..");
const ROWS = Number(process.env.BENCH_SPEND_ROWS ?? 1_000_000);
const MASTER = "sk-bench-master";

const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_UPDATE_NOTIFIER: "1" };
execFileSync(path.join(root, "node_modules", ".bin", "wrangler"), ["deploy", "--dry-run", "--outdir", "dist"], { cwd: root, env, stdio: "ignore" });

const gw = await startGateway({ config: "model_list: []\n", masterKey: MASTER });
try {
  const db = await gw.mf.getD1Database("DB", "worker");
  const t0 = performance.now();
  // 1M calls over 365 days, 1000 keys, 50 teams, 20 models, 5 providers, 200 users, 3 tags each.
  await db
    .prepare(
      `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < ${ROWS - 1})
       INSERT INTO spend_logs (request_id, api_key, model, model_group, provider, deployment, prompt_tokens, completion_tokens, spend, status, start_time, end_time, metadata, team_id, applied)
       SELECT 'r' || i, printf('%064x', i % 1000), 'model' || (i % 20), 'model' || (i % 20), 'provider' || (i % 5), 'dep' || (i % 40), 100 + i % 900, 10 + i % 90,
              CASE WHEN i % 97 = 0 THEN NULL ELSE (i % 1000) / 1e6 END, CASE WHEN i % 50 = 0 THEN 'failure' ELSE 'success' END,
              ${Date.UTC(2025, 10, 24)} + (i % 365) * 86400000 + (i % 86400) * 1000, ${Date.UTC(2025, 10, 24)} + (i % 365) * 86400000 + (i % 86400) * 1000 + 500,
              json_object('user', 'user' || (i % 200), 'tags', json_array('tag' || (i % 3), 'tag' || (3 + i % 4))), 'team' || (i % 50), 0
       FROM n`,
    )
    .run();
  // The consumer's own rollup statements, applied to all of it at once.
  const { readFileSync } = await import("node:fs");
  const consumer = readFileSync(path.join(root, "src", "spend", "consumer.ts"), "utf8");
  const sums = /const SUMS = `([\s\S]*?)`;/.exec(consumer)[1];
  const add = /const ADD = `([\s\S]*?)`;/.exec(consumer)[1];
  const day = /const DAY = `([\s\S]*?)`;/.exec(consumer)[1];
  const daily = /const ROLLUP_DAILY = `([\s\S]*?)`;/.exec(consumer)[1].replaceAll("${SUMS}", sums).replaceAll("${ADD}", add).replaceAll("${DAY}", day);
  const tags = /const ROLLUP_TAGS = `([\s\S]*?)`;/.exec(consumer)[1].replaceAll("${SUMS}", sums).replaceAll("${ADD}", add).replaceAll("${DAY}", day);
  await db.prepare(daily).run();
  await db.prepare(tags).run();
  await db.prepare("UPDATE spend_logs SET applied = 1 WHERE applied = 0").run();
  console.log(`seeded ${ROWS} rows and their rollups in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const range = "start_date=2025-11-24&end_date=2026-11-23";
  const routes = [
    ...["day", "api_key", "team", "model", "provider", "user", "tag"].map((g) => `/global/spend/report?${range}&group_by=${g}`),
    `/global/spend/keys?${range}`,
    `/global/spend/models?${range}`,
    `/spend/logs?api_key=${"7".padStart(64, "0")}&page_size=100`,
    `/spend/logs?api_key=${"7".padStart(64, "0")}&start_date=2026-03-01&end_date=2026-03-31`,
    "/spend/logs?page_size=100",
  ];
  const lines = ["| report | rows | median ms (5 runs) |", "|---|---|---|"];
  for (const route of routes) {
    const times = [];
    let count = 0;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const res = await fetch(`${gw.url}${route}`, { headers: { authorization: `Bearer ${MASTER}` } });
      const body = await res.json();
      times.push(performance.now() - t);
      if (!res.ok) throw new Error(`${route}: ${res.status} ${JSON.stringify(body)}`);
      count = body.length;
    }
    times.sort((a, b) => a - b);
    lines.push(`| \`${route.replace(/0{40,}/, "0...0")}\` | ${count} | ${times[2].toFixed(1)} |`);
  }
  console.log(lines.join("\n"));
} finally {
  await gw.mf.dispose();
}
