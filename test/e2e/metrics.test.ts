import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import worker from "../../src/index";
import type { SpendEvent, SpendMessage } from "../../src/spend/event";
import { env, eventually, gw, newKey, withEnv } from "../helpers/gateway";
import { chatAnswer, fakeUpstream, json, resetUpstreams } from "../helpers/upstream";

const dep = (name: string, host: string) => `
  - model_name: ${name}
    litellm_params:
      model: openai/m-${host}
      api_base: https://${host}.test/v1
      api_key: k
      input_cost_per_token: 0.001
      output_cost_per_token: 0.002
    model_info:
      id: ${host}`;
const CONFIG = `
model_list:${dep("metered", "mt")}${dep("broken", "br")}${dep("cooling", "cd")}
router_settings:
  num_retries: 0
litellm_settings:
  callbacks: [prometheus]
`;
const answer = () => chatAnswer({ prompt: 10, completion: 5 });
const call = (model: string, key?: string, extra: Record<string, unknown> = {}) =>
  withEnv({ GATEWAY_CONFIG: CONFIG }, "/v1/chat/completions", { method: "POST", key, body: JSON.stringify({ model, messages: [{ role: "user", content: "x" }], user: "end-user-7", ...extra }) });

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** The samples of an exposition text (the format's own grammar is checked by promtool below). */
function samples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const p of (m[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[p[1]!] = p[2]!.replace(/\\(.)/g, (_x, c: string) => (c === "n" ? "\n" : c));
    out.push({ name: m[1]!, labels, value: Number(m[4]) });
  }
  return out;
}

const sum = (list: Sample[], name: string, where: Record<string, string> = {}) =>
  list.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);

const scrape = async () => {
  const res = await gw("/metrics");
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
  return res.text();
};

afterEach(resetUpstreams);

describe("GET /metrics", () => {
  it("counts calls with LiteLLM's names and labels, globally (from D1), and passes promtool check metrics", async () => {
    fakeUpstream("https://mt.test/v1", answer);
    fakeUpstream("https://br.test/v1", () => json({ error: { message: "down", type: "server_error" } }, 503));
    const k = await newKey({ key_alias: "metrics-bot", max_budget: 10 });
    expect((await call("metered", k.key)).status).toBe(200);
    expect((await call("metered", k.key)).status).toBe(200);
    expect((await call("broken", k.key)).status).toBe(503);

    const text = await eventually(async () => {
      const t = await scrape();
      const s = samples(t);
      return sum(s, "litellm_proxy_total_requests_metric_total", { hashed_api_key: k.token }) === 3 && sum(s, "litellm_remaining_api_key_budget_metric", { hashed_api_key: k.token }) < 10 && t;
    });
    const s = samples(text);
    const mine = { hashed_api_key: k.token, api_key_alias: "metrics-bot" };
    expect(sum(s, "litellm_proxy_total_requests_metric_total", { ...mine, requested_model: "metered", status_code: "200", route: "/chat/completions" })).toBe(2);
    expect(sum(s, "litellm_proxy_failed_requests_metric_total", { ...mine, requested_model: "broken", exception_status: "503" })).toBe(1);
    expect(sum(s, "litellm_input_tokens_metric_total", { ...mine, model: "m-mt", requested_model: "metered", model_id: "mt" })).toBe(20);
    expect(sum(s, "litellm_output_tokens_metric_total", mine)).toBe(10);
    expect(sum(s, "litellm_total_tokens_metric_total", mine)).toBe(30);
    expect(sum(s, "litellm_spend_metric_total", mine)).toBeCloseTo(2 * (10 * 0.001 + 5 * 0.002), 10);
    expect(sum(s, "litellm_request_total_latency_metric_count", mine)).toBe(3);
    expect(sum(s, "litellm_request_total_latency_metric_bucket", { ...mine, requested_model: "metered", le: "+Inf" })).toBe(2);
    expect(sum(s, "litellm_llm_api_latency_metric_count", { ...mine, requested_model: "metered" })).toBe(2);
    expect(sum(s, "litellm_deployment_failure_responses_total", { ...mine, model_id: "br", api_base: "br.test", api_provider: "openai", exception_status: "503" })).toBe(1);
    expect(sum(s, "litellm_deployment_success_responses_total", { ...mine, model_id: "mt" })).toBe(2);
    expect(sum(s, "litellm_deployment_state", { model_id: "br" })).toBe(1);
    expect(sum(s, "litellm_deployment_state", { model_id: "mt" })).toBe(0);
    expect(sum(s, "litellm_remaining_api_key_budget_metric", mine)).toBeCloseTo(10 - 2 * (10 * 0.001 + 5 * 0.002), 10);
    // end_user stays empty unless enable_end_user_cost_tracking_prometheus_only: bounded cardinality.
    expect(s.filter((x) => x.labels.end_user === "end-user-7")).toEqual([]);
    expect(text).toContain("# TYPE litellm_proxy_total_requests_metric_total counter");
    expect(text).toContain("# TYPE litellm_request_total_latency_metric histogram");
    expect(text).toMatch(/litellm_request_total_latency_metric_bucket\{[^}]*le="1\.0"\}/);

    const lint = await (env.PROMTOOL as Fetcher).fetch("http://promtool/", { method: "POST", body: text });
    expect(lint.status, await lint.clone().text()).toBe(200);
    expect(await lint.json()).toEqual({ status: 0, output: "" });
  });

  it("a deployment the router cools down counts in litellm_deployment_cooled_down_total with LiteLLM's labels; promtool still passes", async () => {
    // A lone deployment rests only for errors retrying cannot fix: a 404 cools it.
    fakeUpstream("https://cd.test/v1", () => json({ error: { message: "no such model", type: "invalid_request_error" } }, 404));
    const k = await newKey({ key_alias: "cooling-bot" });
    expect((await call("cooling", k.key)).status).toBe(404);
    // Cooling now: the next call is refused without an upstream attempt, and cools nothing more.
    expect((await call("cooling", k.key)).status).toBe(429);
    const text = await eventually(async () => {
      const t = await scrape();
      return sum(samples(t), "litellm_proxy_total_requests_metric_total", { hashed_api_key: k.token }) === 2 && t;
    });
    const s = samples(text);
    const cooled = s.filter((x) => x.name === "litellm_deployment_cooled_down_total" && x.labels.model_id === "cd");
    expect(cooled).toEqual([
      { name: "litellm_deployment_cooled_down_total", labels: { litellm_model_name: "m-cd", model_id: "cd", api_base: "cd.test", api_provider: "openai", exception_status: "404" }, value: 1 },
    ]);
    expect(sum(s, "litellm_deployment_cooled_down_total", { model_id: "mt" })).toBe(0);
    expect(text).toContain("# TYPE litellm_deployment_cooled_down_total counter");
    const lint = await (env.PROMTOOL as Fetcher).fetch("http://promtool/", { method: "POST", body: text });
    expect(await lint.json()).toEqual({ status: 0, output: "" });
  });

  it("a redelivered spend batch adds nothing to the counters", async () => {
    const k = await newKey();
    const e: SpendEvent = {
      request_id: `metrics-redeliver-${k.token}`,
      api_key: k.token,
      model: "m-mt",
      model_group: "metered",
      provider: "openai",
      deployment: "mt",
      prompt_tokens: 7,
      completion_tokens: 3,
      spend: 0.01,
      status: "success",
      start_time: Date.now() - 50,
      end_time: Date.now(),
      metadata: { route: "chat" },
      trace: { callbacks: ["prometheus"], operation: "chat", redacted: true, attempts: [] },
    };
    for (const attempts of [1, 2, 3]) {
      const batch = createMessageBatch<SpendMessage>("switchyard-spend", [{ id: `m${attempts}`, timestamp: new Date(), attempts, body: { events: [structuredClone(e)] } }]);
      const ctx = createExecutionContext();
      await worker.queue(batch, env, ctx);
      expect((await getQueueResult(batch, ctx)).ackAll).toBe(true);
    }
    const s = samples(await scrape());
    expect(sum(s, "litellm_input_tokens_metric_total", { hashed_api_key: k.token })).toBe(7);
    expect(sum(s, "litellm_proxy_total_requests_metric_total", { hashed_api_key: k.token })).toBe(1);
  });

  it("with enable_end_user_cost_tracking_prometheus_only the end_user label carries the request's user", async () => {
    fakeUpstream("https://mt.test/v1", answer);
    const k = await newKey();
    const cfg = CONFIG.replace("  callbacks: [prometheus]", "  callbacks: [prometheus]\n  enable_end_user_cost_tracking_prometheus_only: true");
    await withEnv({ GATEWAY_CONFIG: cfg }, "/v1/chat/completions", {
      method: "POST",
      key: k.key,
      body: JSON.stringify({ model: "metered", messages: [{ role: "user", content: "x" }], user: "end-user-8" }),
    });
    await eventually(async () => sum(samples(await scrape()), "litellm_proxy_total_requests_metric_total", { hashed_api_key: k.token, end_user: "end-user-8" }) === 1);
  });

  it("takes the master key or the PROMETHEUS_TOKEN bearer, nothing else", async () => {
    const k = await newKey();
    expect((await gw("/metrics", { key: null })).status).toBe(401);
    const denied = await gw("/metrics", { key: k.key });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ error: { code: "forbidden" } });
    expect((await withEnv({ PROMETHEUS_TOKEN: "scrape-token-1" }, "/metrics", { key: "scrape-token-1" })).status).toBe(200);
    expect((await withEnv({ PROMETHEUS_TOKEN: "scrape-token-1" }, "/metrics", { key: "scrape-token-2" })).status).toBe(401);
  });
});
