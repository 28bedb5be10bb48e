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

/** A built bundle's modules (index.js and the config.yaml wrangler wrote beside it). */
function bundleModules(dist) {
  return [
    { type: "ESModule", path: path.join(dist, "index.js") },
    ...readdirSync(dist)
      .filter((f) => f.endsWith(".yaml"))
      .map((f) => ({ type: "Text", path: path.join(dist, f) })),
  ];
}

const DURABLE_OBJECTS = { KEY_GUARD: "KeyGuard", DEPLOYMENT_GUARD: "DeploymentGuard", HEALTH_CHECKER: "HealthChecker", SEMANTIC_CACHE: "SemanticCacheIndex" };

/**
 * The gateway's options as wrangler.toml binds it: D1, the Durable Objects (defined by `owner`,
 * the first worker, and reached by the others through it), the queues (consumed by the owner),
 * R2 and KV, each by the same name so every worker shares them.
 */
function gatewayOptions(name, owner, dist, { config, masterKey, bindings = {} }) {
  const own = name === owner;
  return {
    name,
    ...COMPAT,
    modulesRoot: dist,
    modules: bundleModules(dist),
    d1Databases: { DB: "gateway-db" },
    durableObjects: Object.fromEntries(Object.entries(DURABLE_OBJECTS).map(([b, className]) => [b, own ? { className, useSQLite: true } : { className, scriptName: owner, useSQLite: true }])),
    queueProducers: { SPEND_QUEUE: "switchyard-spend", EXPORT_QUEUE: "switchyard-export", BATCH_QUEUE: "switchyard-batches" },
    ...(own
      ? {
          queueConsumers: {
            "switchyard-spend": { maxBatchTimeout: 1, maxBatchSize: 100 },
            "switchyard-export": { maxBatchTimeout: 1, maxBatchSize: 20 },
            "switchyard-batches": { maxBatchTimeout: 1, maxBatchSize: 10 },
          },
        }
      : {}),
    r2Buckets: { LOG_BUCKET: "switchyard-logs", FILES_BUCKET: "switchyard-files" },
    kvNamespaces: { CACHE_KV: "cache-kv" },
    bindings: { MASTER_KEY: masterKey, GATEWAY_CONFIG: config, ...bindings },
    unsafeDirectSockets: [{ host: "127.0.0.1", port: 0 }],
  };
}

/** Applies the migrations to the shared D1 database. */
async function migrate(mf, worker) {
  const db = await mf.getD1Database("DB", worker);
  const dir = path.join(root, "migrations");
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()) {
    for (const statement of readFileSync(path.join(dir, file), "utf8").split("--> statement-breakpoint")) {
      if (statement.trim()) await db.prepare(statement).run();
    }
  }
}

/**
 * The built bundle as `count` workers of one Miniflare, each its own isolate (its own module state:
 * key cache, router health, settles waiting) sharing D1, the Durable Objects, the queues, R2 and KV,
 * as isolates of one deployed Worker do. Answers each worker's direct URL.
 */
export async function startGateways({ config, masterKey, count = 2, dist = path.join(root, "dist"), bindings = {}, inspectorPort }) {
  const names = Array.from({ length: count }, (_, i) => `gateway-${i}`);
  const workers = names.map((n) => ({ ...gatewayOptions(n, names[0], dist, { config, masterKey, bindings }), ...(inspectorPort ? { unsafeInspectorProxy: true } : {}) }));
  const mf = new Miniflare(convertV4MiniflareOptions({ workers, ...(inspectorPort ? { inspectorPort } : {}) }));
  await mf.ready;
  await migrate(mf, names[0]);
  const urls = [];
  for (const n of names) urls.push((await mf.unsafeGetDirectURL(n)).toString().replace(/\/$/, ""));
  return { mf, urls };
}

/** The gateway's built bundle (dist/index.js) with the bindings of wrangler.toml, migrations applied. */
export async function startGateway({ config, masterKey }) {
  const dist = path.join(root, "dist");
  const before = new Set(workerdPids());
  const { mf, urls } = await startGateways({ config, masterKey, count: 1, dist });
  const pid = workerdPids().find((p) => !before.has(p));
  return { mf, url: urls[0], pid };
}
