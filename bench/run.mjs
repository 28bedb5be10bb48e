// `npm run bench`: builds the bundle, starts a mock upstream, a bare pass-through worker and the
// gateway (spend logs off and on) in Miniflare, and drives each in interleaved rounds at
// concurrency 1 and 50. Prints requests/s, p50/p99, workerd CPU per request, streamed TTFB and
// the ratios to the bare worker; writes the table to bench/results/latest.md.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { load } from "./load.mjs";
import { startMock } from "./mock-upstream.mjs";
import { cpuMicros, startBare, startGateway } from "./workers.mjs";

const root = path.resolve(import.meta.dirname, "..");
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 4);
const MASTER = "sk-bench-master";
const body = JSON.stringify({ model: "bench-model", messages: [{ role: "user", content: "Say hello." }] });
const streamBody = JSON.stringify({ model: "bench-model", messages: [{ role: "user", content: "Say hello." }], stream: true });

const started = [];
const stopAll = async () => {
  for (const s of started.splice(0)) await Promise.resolve(s()).catch(() => {});
};
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => stopAll().then(() => process.exit(130)));

function build() {
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_UPDATE_NOTIFIER: "1" };
  execFileSync(path.join(root, "node_modules", ".bin", "wrangler"), ["deploy", "--dry-run", "--outdir", "dist"], { cwd: root, env, stdio: "ignore" });
  return gzipSync(readFileSync(path.join(root, "dist", "index.js"))).length / 1024;
}

const claudeStreamBody = JSON.stringify({ model: "bench-claude", messages: [{ role: "user", content: "Say hello." }], stream: true });

/** The response cache in the isolate's memory (`type: local`): the gateway measured, not an emulated store. */
const CACHE = `
litellm_settings:
  cache: true
  cache_params: {type: local, ttl: 3600}
`;
const noCacheBody = JSON.stringify({ model: "bench-model", messages: [{ role: "user", content: "Say hello." }], cache: { "no-cache": true } });

const gatewayConfig = (upstream, spendLogs) => `
model_list:
  - model_name: bench-model
    litellm_params:
      model: openai/bench-upstream
      api_base: ${upstream}/v1
      api_key: sk-bench-upstream
      input_cost_per_token: 0.000001
      output_cost_per_token: 0.000002
  - model_name: bench-claude
    litellm_params:
      model: anthropic/claude-bench
      api_base: ${upstream}
      api_key: sk-bench-upstream
      input_cost_per_token: 0.000003
      output_cost_per_token: 0.000015
general_settings:
  disable_spend_logs: ${!spendLogs}
`;

async function newKey(gatewayUrl, fields = { rpm_limit: 10_000_000 }) {
  const res = await fetch(`${gatewayUrl}/key/generate`, {
    method: "POST",
    headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" },
    body: JSON.stringify({ key_alias: "bench", ...fields }),
  });
  if (!res.ok) throw new Error(`key/generate: ${res.status} ${await res.text()}`);
  return (await res.json()).key;
}

const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)] : NaN;
};

async function main() {
  const bundleKiB = build();
  const mock = await startMock();
  started.push(mock.close);
  const upstream = `http://127.0.0.1:${mock.port}`;
  const bare = await startBare(`${upstream}/v1/chat/completions`);
  started.push(() => bare.mf.dispose());
  const identity = await startBare(`${upstream}/v1/messages`, "bare-transform-worker.js");
  started.push(() => identity.mf.dispose());
  const quiet = await startGateway({ config: gatewayConfig(upstream, false), masterKey: MASTER });
  started.push(() => quiet.mf.dispose());
  const logged = await startGateway({ config: gatewayConfig(upstream, true), masterKey: MASTER });
  started.push(() => logged.mf.dispose());
  const cached = await startGateway({ config: gatewayConfig(upstream, false) + CACHE, masterKey: MASTER });
  started.push(() => cached.mf.dispose());
  const quietKey = await newKey(quiet.url);
  const loggedKey = await newKey(logged.url);
  const budgetKey = await newKey(logged.url, { max_budget: 1_000_000 });

  const BARE = "bare pass-through worker";
  const IDENTITY = "bare worker + identity JS transform (Anthropic stream)";
  // `vs`: the baseline a row is compared with; `target`: the least c=50 throughput ratio, or the most CPU ratio.
  const targets = [
    { name: "mock upstream, direct", url: `${upstream}/v1/chat/completions`, headers: {} },
    { name: BARE, url: bare.url, headers: {}, pid: bare.pid },
    { name: "gateway, master key", url: `${quiet.url}/v1/chat/completions`, headers: { authorization: `Bearer ${MASTER}` }, pid: quiet.pid, vs: BARE, target: { rps: 0.9 } },
    { name: "gateway, virtual key with rpm_limit", url: `${quiet.url}/v1/chat/completions`, headers: { authorization: `Bearer ${quietKey}` }, pid: quiet.pid, vs: BARE, target: { rps: 0.75 } },
    { name: "gateway, virtual key + spend logs", url: `${logged.url}/v1/chat/completions`, headers: { authorization: `Bearer ${loggedKey}` }, pid: logged.pid, vs: BARE, target: { rps: 0.6 } },
    { name: "gateway, key with max_budget + spend logs", url: `${logged.url}/v1/chat/completions`, headers: { authorization: `Bearer ${budgetKey}` }, pid: logged.pid, vs: BARE, target: { rps: 0.6 } },
    // The same question every time: after the first call, every answer is a hit (no upstream call).
    { name: "gateway, cache hit (type local), master key", url: `${cached.url}/v1/chat/completions`, headers: { authorization: `Bearer ${MASTER}` }, pid: cached.pid, vs: BARE, target: { rps: 2 } },
    // The miss path's own work (cache key, lookup skipped, store): compared with the master-key row without caching.
    {
      name: "gateway, cache on, every call a miss (no-cache), master key",
      url: `${cached.url}/v1/chat/completions`,
      headers: { authorization: `Bearer ${MASTER}` },
      pid: cached.pid,
      body: noCacheBody,
      vs: "gateway, master key",
    },
    { name: IDENTITY, url: identity.url, headers: {}, pid: identity.pid, body: claudeStreamBody },
    {
      name: "gateway, Anthropic upstream streamed, master key",
      url: `${quiet.url}/v1/chat/completions`,
      headers: { authorization: `Bearer ${MASTER}` },
      pid: quiet.pid,
      body: claudeStreamBody,
      vs: IDENTITY,
      target: { cpu: 1.2 },
    },
  ];
  // BENCH_ONLY=<regex>: measure only the rows it matches (and the baselines they compare with).
  if (process.env.BENCH_ONLY) {
    const only = new RegExp(process.env.BENCH_ONLY);
    const keep = new Set(targets.filter((t) => only.test(t.name)).flatMap((t) => [t.name, t.vs].filter(Boolean)));
    targets.splice(0, targets.length, ...targets.filter((t) => keep.has(t.name)));
  }
  const results = new Map(targets.map((t) => [t.name, { c1: [], c50: [], p50_1: [], p99_1: [], p50_50: [], p99_50: [], cpu: [], ttfb: [], errors: 0 }]));

  // Warm every target (isolate start, key cache, Durable Object) before measuring.
  for (const t of targets) await load({ url: t.url, headers: t.headers, body, concurrency: 10, seconds: 1 });

  for (let round = 1; round <= ROUNDS; round++) {
    for (const t of targets) {
      const r = results.get(t.name);
      const one = await load({ url: t.url, headers: t.headers, body: t.body ?? body, concurrency: 1, seconds: SECONDS / 2 });
      const cpu0 = t.pid ? cpuMicros(t.pid) : 0;
      const fifty = await load({ url: t.url, headers: t.headers, body: t.body ?? body, concurrency: 50, seconds: SECONDS });
      if (t.pid) r.cpu.push((cpuMicros(t.pid) - cpu0) / Math.max(1, fifty.requests + fifty.errors));
      const streamed = await load({ url: t.url, headers: t.headers, body: t.body ?? streamBody, concurrency: 1, seconds: SECONDS / 2 });
      r.c1.push(one.rps);
      r.p50_1.push(one.p50);
      r.p99_1.push(one.p99);
      r.c50.push(fifty.rps);
      r.p50_50.push(fifty.p50);
      r.p99_50.push(fifty.p99);
      r.ttfb.push(streamed.ttfbP50);
      r.errors += one.errors + fifty.errors + streamed.errors;
      process.stderr.write(`round ${round}: ${t.name}: ${fifty.rps.toFixed(0)} req/s at c=50, ${fifty.errors} errors\n`);
    }
  }

  const f = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "-");
  const med = (name, k) => median(results.get(name)[k]);
  const lines = [
    `Bundle: ${bundleKiB.toFixed(1)} KiB gzipped (budget 250). Medians of ${ROUNDS} interleaved rounds, ${SECONDS}s at c=50 each, on this machine, ${new Date().toISOString().slice(0, 10)}.`,
    "",
    "| target | req/s c=1 | p50/p99 ms c=1 | req/s c=50 | p50/p99 ms c=50 | workerd CPU us/req | stream TTFB p50 ms | c=50 vs baseline | CPU vs baseline | target | errors |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const t of targets) {
    const r = results.get(t.name);
    const rps = median(r.c50);
    const cpu = median(r.cpu);
    const rpsRatio = t.vs ? rps / med(t.vs, "c50") : NaN;
    const cpuRatio = t.vs ? cpu / med(t.vs, "cpu") : NaN;
    let goal = "-";
    if (t.target?.rps) goal = `>= ${t.target.rps}x req/s: ${rpsRatio >= t.target.rps ? "met" : `missed by ${f((t.target.rps - rpsRatio) * 100)} pts`}`;
    if (t.target?.cpu) goal = `<= ${t.target.cpu}x CPU: ${cpuRatio <= t.target.cpu ? "met" : `missed by ${f((cpuRatio - t.target.cpu) * 100)} pts`}`;
    lines.push(
      `| ${t.name} | ${f(median(r.c1))} | ${f(median(r.p50_1), 2)} / ${f(median(r.p99_1), 2)} | ${f(rps)} | ${f(median(r.p50_50), 1)} / ${f(median(r.p99_50), 1)} | ${f(cpu)} | ${f(median(r.ttfb), 2)} | ${t.vs ? `${f(rpsRatio, 2)}x` : "-"} | ${t.vs ? `${f(cpuRatio, 2)}x` : "-"} | ${goal} | ${r.errors} |`,
    );
  }
  const miss = "gateway, cache on, every call a miss (no-cache), master key";
  if (results.has(miss) && results.has("gateway, master key")) {
    const extra = med(miss, "cpu") - med("gateway, master key", "cpu");
    lines.push("", `Cache miss path, CPU over the same calls without caching: ${f(extra)} us/req (target: at most 15: ${extra <= 15 ? "met" : "missed"}).`);
  }
  const ttfbGap = results.has("gateway, master key") ? med("gateway, master key", "ttfb") - med(BARE, "ttfb") : NaN;
  if (Number.isFinite(ttfbGap)) lines.push("", `Streamed TTFB, gateway (master key) minus bare worker: ${f(ttfbGap, 2)} ms (target: within 1 ms: ${ttfbGap <= 1 ? "met" : "missed"}).`);
  lines.push(
    "Baselines: the OpenAI-format rows against the bare pass-through worker; the Anthropic row (translated to OpenAI chunks) against the bare worker piping the same Anthropic stream through an identity JS transform.",
  );
  const table = lines.join("\n");
  console.log(table);
  mkdirSync(path.join(import.meta.dirname, "results"), { recursive: true });
  writeFileSync(path.join(import.meta.dirname, "results", "latest.md"), `${table}\n`);
}

try {
  await main();
} finally {
  await stopAll();
}
