// Runs workers in Miniflare from Node, hit through workerd's own socket (unsafeDirectSockets),
// skipping Miniflare's entry worker and wrangler dev's proxy, which would dominate the figures.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";

const root = path.resolve(import.meta.dirname, "..");
const COMPAT = { compatibilityDate: "2026-10-01", compatibilityFlags: ["nodejs_compat", "enable_request_signal"] };

/** The PIDs of workerd processes this Node process has started. */
export function workerdPids() {
  const out = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === process.pid && readFileSync(`/proc/${d}/cmdline`, "utf8").includes("workerd")) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** utime + stime of a process, in microseconds. */
export function cpuMicros(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return ((Number(f[11]) + Number(f[12])) * 1e6) / 100; // clock ticks at 100 Hz
}

async function start(options) {
  const before = new Set(workerdPids());
  // Miniflare 5 takes its own config shape; the familiar (v4) options convert to it.
  const mf = new Miniflare(convertV4MiniflareOptions({ workers: [{ name: "worker", ...COMPAT, ...options, unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }] }] }));
  await mf.ready;
  const url = await mf.unsafeGetDirectURL("worker");
  const pid = workerdPids().find((p) => !before.has(p));
  return { mf, url: url.toString().replace(/\/$/, ""), pid };
}

/** The bare pass-through worker (`bare-worker.js`), or another baseline script beside it. */
export function startBare(upstreamUrl, script = "bare-worker.js") {
  return start({ modules: true, scriptPath: path.join(import.meta.dirname, script), bindings: { UPSTREAM_URL: upstreamUrl } });
}

/** The gateway's built bundle (dist/index.js) with the bindings of wrangler.toml, migrations applied. */
export async function startGateway({ config, masterKey }) {
  const dist = path.join(root, "dist");
  const w = await start({
    modulesRoot: dist,
    modules: [
      { type: "ESModule", path: path.join(dist, "index.js") },
      // The bundled config.yaml, as wrangler wrote it beside the bundle.
      ...readdirSync(dist)
        .filter((f) => f.endsWith(".yaml"))
        .map((f) => ({ type: "Text", path: path.join(dist, f) })),
    ],
    d1Databases: { DB: "bench-db" },
    durableObjects: { KEY_GUARD: { className: "KeyGuard", useSQLite: true }, DEPLOYMENT_GUARD: { className: "DeploymentGuard", useSQLite: true } },
    queueProducers: { SPEND_QUEUE: "switchyard-spend" },
    queueConsumers: { "switchyard-spend": { maxBatchTimeout: 1, maxBatchSize: 100 } },
    bindings: { MASTER_KEY: masterKey, GATEWAY_CONFIG: config },
  });
  const db = await w.mf.getD1Database("DB", "worker");
  const dir = path.join(root, "migrations");
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    for (const statement of readFileSync(path.join(dir, file), "utf8").split("--> statement-breakpoint")) {
      if (statement.trim()) await db.prepare(statement).run();
    }
  }
  return w;
}
