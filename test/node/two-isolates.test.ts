import { execFileSync } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Gateways, startGateways } from "../../bench/workers.mjs";

/**
 * The built bundle as two isolates of one deployment (two workers of one Miniflare sharing D1, the
 * Durable Objects, the queues, R2 and KV; each with its own module state), against a mock upstream
 * on 127.0.0.1: what one isolate learns or spends, the other sees.
 */
const ROOT = path.resolve(import.meta.dirname, "../..");
const DIST = path.join(ROOT, ".generated", "two-isolates-dist");
const MASTER = "sk-two-isolates-master-key-0123456789abcdef";

const hits = { up: 0, down: 0 };
let upstream: Server;
let gw: Gateways;

const drain = (req: IncomingMessage) =>
  new Promise<string>((resolve) => {
    let s = "";
    req.on("data", (d) => (s += d));
    req.on("end", () => resolve(s));
  });

function config(port: number): string {
  const base = `http://127.0.0.1:${port}`;
  return `
model_list:
  - model_name: sc-chat
    litellm_params: {model: openai/gpt-4o-mini, api_base: ${base}/up/v1, api_key: sk-mock, weight: 1}
    model_info: {id: sc-up}
  - model_name: sc-chat
    litellm_params: {model: openai/gpt-4o-mini, api_base: ${base}/down/v1, api_key: sk-mock, weight: 1000}
    model_info: {id: sc-down}
  - model_name: other
    litellm_params: {model: openai/gpt-4o-mini, api_base: ${base}/up/v1, api_key: sk-mock}
    model_info: {id: other-up}
router_settings: {cooldown_time: 600, num_retries: 1}
litellm_settings: {callbacks: [prometheus]}
`;
}

beforeAll(async () => {
  upstream = createServer(async (req, res) => {
    await drain(req);
    if (req.url?.startsWith("/down/")) {
      hits.down++;
      res.writeHead(429, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "slow down", type: "rate_limit_error" } }));
      return;
    }
    hits.up++;
    const usage = { prompt_tokens: 1000, completion_tokens: 1000, total_tokens: 2000 };
    res.writeHead(200, { "content-type": "application/json" }).end(
      JSON.stringify({
        id: `chatcmpl-${hits.up}`,
        object: "chat.completion",
        created: 1,
        model: "gpt-4o-mini",
        choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
        usage,
      }),
    );
  });
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  const port = (upstream.address() as AddressInfo).port;
  const env = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", NO_UPDATE_NOTIFIER: "1", WRANGLER_SEND_ERROR_REPORTS: "false" };
  execFileSync(path.join(ROOT, "node_modules", ".bin", "wrangler"), ["deploy", "--dry-run", "--outdir", DIST], { cwd: ROOT, env, stdio: "ignore" });
  gw = await startGateways({ config: config(port), masterKey: MASTER, count: 2, dist: DIST });
}, 180_000);

afterAll(async () => {
  await gw?.mf.dispose();
  await new Promise((r) => upstream?.close(r));
});

const [A, B] = [0, 1];
const post = (which: number, route: string, body: unknown, key = MASTER) =>
  fetch(`${gw.urls[which]}${route}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
const chat = (which: number, model: string, key?: string) => post(which, "/v1/chat/completions", { model, messages: [{ role: "user", content: "hi" }] }, key);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
let calls = 0;

describe("two isolates of one gateway", () => {
  it("a deployment one isolate rested is rested by the other, which never tries it", async () => {
    // Isolate A: the heavily weighted deployment answers 429 and is rested (a group of two rests it at once).
    const first = await chat(A, "sc-chat");
    calls++;
    expect(first.status).toBe(200);
    expect(hits.down).toBe(1);
    await pause(500); // A shares the cooldown off its response path
    // Isolate B has never routed sc-chat; any call makes it pull the shared cooldowns in the background.
    expect((await chat(B, "other")).status).toBe(200);
    calls++;
    await pause(500);
    for (let i = 0; i < 10; i++) {
      expect((await chat(B, "sc-chat")).status).toBe(200);
      calls++;
    }
    // Without shared state B would have sent its first sc-chat call to sc-down (weight 1000 to 1).
    expect(hits.down).toBe(1);
  });

  it("a budget shared by calls through both isolates is exceeded by at most one call's cost", async () => {
    const key = (await (await post(A, "/key/generate", { max_budget: 0.004 })).json()) as { key: string };
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => chat(i % 2 ? B : A, "other", key.key)));
    const ok = results.filter((r) => r.status === 200).length;
    // A call refused at admission is counted too (a failure row, as LiteLLM counts it).
    calls += results.length;
    expect(ok).toBeGreaterThan(0);
    // gpt-4o-mini: $0.15 / $0.60 per million input / output tokens: 2,000 tokens cost $0.00075.
    const cost = (1000 * 0.15 + 1000 * 0.6) / 1e6;
    expect(ok * cost).toBeLessThanOrEqual(0.004 + cost + 1e-12);
    // The others are refused for the budget (LiteLLM's 400 budget_exceeded), none for anything else.
    for (const r of results) if (r.status !== 200) expect(((await r.json()) as { error: { code: string } }).error.code, String(r.status)).toBe("budget_exceeded");
  });

  it("/metrics counts the calls of both isolates, whichever isolate is asked", async () => {
    const total = async (which: number) => {
      const text = await (await fetch(`${gw.urls[which]}/metrics`, { headers: { authorization: `Bearer ${MASTER}` } })).text();
      return text
        .split("\n")
        .filter((l) => l.startsWith("litellm_proxy_total_requests_metric_total{"))
        .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
    };
    for (let i = 0; i < 150 && (await total(B)) < calls; i++) await pause(200);
    expect(await total(B)).toBe(calls);
    expect(await total(A)).toBe(calls);
  }, 60_000);
});
