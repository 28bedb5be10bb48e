// `node scripts/env.mjs node bench/profile.mjs [master|rpm|budget|spend|cache-miss|cache-hit]`: where the gateway's CPU
// goes. Builds the bundle without minifying (.generated/profile-dist), runs it in Miniflare with the inspector on,
// drives c=50 load at it for BENCH_SECONDS (default 6) under the V8 sampling profiler, and prints
// the functions with the most self time (by source position in the minified bundle, with the
// function name when V8 has one). Percentages, not absolute numbers, are the result: they hold on
// a busy machine too. Writes the raw profile to bench/results/profile.cpuprofile (open it in
// Chrome DevTools' Performance panel).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { load } from "./load.mjs";
import { startMock } from "./mock-upstream.mjs";
import { startGateways } from "./workers.mjs";

const root = path.resolve(import.meta.dirname, "..");
const MASTER = "sk-bench-master-0123456789abcdef0123456789";
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const INSPECTOR = 9239;
const mode = process.argv[2] ?? "master";
const body = JSON.stringify({ model: "bench-model", messages: [{ role: "user", content: "Say hello." }], ...(mode === "cache-miss" ? { cache: { "no-cache": true } } : {}) });

const config = (upstream) => `
model_list:
  - model_name: bench-model
    litellm_params: {model: openai/bench-upstream, api_base: ${upstream}/v1, api_key: sk-bench-upstream, input_cost_per_token: 0.000001, output_cost_per_token: 0.000002}
general_settings:
  disable_spend_logs: ${mode === "master" || mode === "rpm" || mode.startsWith("cache")}
${mode.startsWith("cache") ? "litellm_settings:\n  cache: true\n  cache_params: {type: local, ttl: 3600}\n" : ""}`;

/** A Chrome DevTools Protocol session over the inspector's WebSocket. */
async function cdp(url) {
  // Miniflare's inspector proxy wants an Origin it knows (Node's WebSocket takes undici's `headers`).
  const ws = new WebSocket(url, { headers: { origin: "http://localhost" } });
  ws.binaryType = "arraybuffer";
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  let id = 0;
  const waiting = new Map();
  ws.onmessage = (m) => {
    const msg = JSON.parse(typeof m.data === "string" ? m.data : new TextDecoder().decode(m.data));
    if (msg.id && waiting.has(msg.id)) {
      waiting.get(msg.id)(msg);
      waiting.delete(msg.id);
    }
  };
  return {
    send: (method, params = {}) =>
      new Promise((resolve) => {
        waiting.set(++id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    close: () => ws.close(),
  };
}

const dist = path.join(root, ".generated", "profile-dist");
const offline = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_UPDATE_NOTIFIER: "1" };
execFileSync(path.join(root, "node_modules", ".bin", "wrangler"), ["deploy", "--dry-run", "--outdir", dist, "--minify=false"], { cwd: root, env: offline, stdio: "ignore" });
const mock = await startMock();
const upstream = `http://127.0.0.1:${mock.port}`;
const gw = await startGateways({ config: config(upstream), masterKey: MASTER, count: 1, dist, inspectorPort: INSPECTOR });
const url = `${gw.urls[0]}/v1/chat/completions`;
let key = MASTER;
if (mode !== "master" && !mode.startsWith("cache")) {
  const fields = mode === "budget" ? { max_budget: 1_000_000 } : { rpm_limit: 10_000_000 };
  const res = await fetch(`${gw.urls[0]}/key/generate`, { method: "POST", headers: { authorization: `Bearer ${MASTER}`, "content-type": "application/json" }, body: JSON.stringify(fields) });
  key = (await res.json()).key;
}
const headers = { authorization: `Bearer ${key}` };
await load({ url, headers, body, concurrency: 10, seconds: 2 });

const targets = await (await fetch(`http://127.0.0.1:${INSPECTOR}/json`)).json();
const target = targets.find((t) => t.title?.includes("gateway-0") || t.id?.includes("gateway-0")) ?? targets[0];
const session = await cdp(target.webSocketDebuggerUrl);
await session.send("Profiler.enable");
await session.send("Profiler.setSamplingInterval", { interval: 100 });
await session.send("Profiler.start");
const run = await load({ url, headers, body, concurrency: 50, seconds: SECONDS });
const { result } = await session.send("Profiler.stop");
session.close();
const profile = result.profile;
mkdirSync(path.join(root, "bench/results"), { recursive: true });
writeFileSync(path.join(root, "bench/results/profile.cpuprofile"), JSON.stringify(profile));

// Self time per function (name + position), from the samples.
const byNode = new Map(profile.nodes.map((n) => [n.id, n]));
const counts = new Map();
for (const s of profile.samples) counts.set(s, (counts.get(s) ?? 0) + 1);
const self = new Map();
let total = 0;
for (const [nodeId, n] of counts) {
  const f = byNode.get(nodeId).callFrame;
  const label = `${f.functionName || "(anonymous)"} ${f.url ? `${path.basename(f.url)}:${f.lineNumber + 1}:${f.columnNumber + 1}` : ""}`.trim();
  self.set(label, (self.get(label) ?? 0) + n);
  total += n;
}
console.log(`${mode}: ${run.rps.toFixed(0)} req/s at c=50 (${run.errors} errors); ${total} samples`);
for (const [label, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.env.PROFILE_TOP ?? 40))) {
  console.log(`${((100 * n) / total).toFixed(1).padStart(5)}%  ${label}`);
}
await gw.mf.dispose();
await mock.close();
