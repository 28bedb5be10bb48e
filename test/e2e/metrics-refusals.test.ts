import { afterEach, describe, expect, it } from "vitest";
import { ANONYMOUS_REFUSAL_ROWS_PER_MINUTE, resetRefusalWindow } from "../../src/gateway/refusal";
import { env, eventually, gw, newKey, post, withEnv } from "../helpers/gateway";
import { fakeUpstream, json, resetUpstreams } from "../helpers/upstream";

const CONFIG = `
model_list:
  - model_name: metered
    litellm_params:
      model: openai/m-mt
      api_base: https://rf.test/v1
      api_key: k
      input_cost_per_token: 0.001
      output_cost_per_token: 0.002
    model_info:
      id: rf
  - model_name: other
    litellm_params:
      model: openai/m-other
      api_base: https://rf.test/v1
      api_key: k
    model_info:
      id: rf-other
litellm_settings:
  callbacks: [prometheus]
`;
const answer = () =>
  json({
    id: "c",
    object: "chat.completion",
    created: 1,
    model: "m",
    choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  });
const call = (model: string, key: string | null, path = "/v1/chat/completions") =>
  withEnv({ GATEWAY_CONFIG: CONFIG }, path, { method: "POST", key, body: JSON.stringify({ model, messages: [{ role: "user", content: "x" }] }) });

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function samples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const p of (m[3] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[p[1]!] = p[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[4]) });
  }
  return out;
}
const sum = (list: Sample[], name: string, where: Record<string, string> = {}) =>
  list.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
const scrape = async () => (await gw("/metrics")).text();
const spendRow = async (requestId: string) => {
  const rows = (await (await gw(`/spend/logs?request_id=${requestId}`)).json()) as Array<Record<string, unknown>>;
  return rows[0];
};
const anonymousRows = async () => (await env.DB.prepare("SELECT COUNT(*) AS n FROM spend_logs WHERE api_key = '' AND status = 'failure'").first<{ n: number }>())!.n;

afterEach(resetUpstreams);

describe("refused model calls count like LiteLLM counts them", () => {
  it("rate limit, model not allowed, budget, blocked and expired keys: a failure row each (cost 0, status, code, key hash) and the failed/total request metrics", async () => {
    fakeUpstream("https://rf.test/v1", answer);
    const limited = await newKey({ key_alias: "rl-bot", rpm_limit: 1 });
    const narrow = await newKey({ key_alias: "narrow-bot", models: ["other"] });
    const broke = await newKey({ key_alias: "broke-bot", max_budget: 0 });
    const blocked = await newKey({ key_alias: "blocked-bot" });
    const expired = await newKey({ key_alias: "expired-bot" });
    expect((await post("/key/block", { key: blocked.key })).status).toBe(200);
    await env.DB.prepare("UPDATE keys SET expires = ? WHERE token = ?")
      .bind(Date.now() - 1000, expired.token)
      .run();

    expect((await call("metered", limited.key)).status).toBe(200);
    const cases: Array<[string, string, number, string]> = [];
    for (const [k, status, code] of [
      [limited, 429, "rate_limit_exceeded"],
      [narrow, 403, "key_model_access_denied"],
      [broke, 400, "budget_exceeded"],
      [blocked, 401, "invalid_api_key"],
      [expired, 401, "invalid_api_key"],
    ] as const) {
      const res = await call("metered", k.key);
      expect(res.status, k.key_alias as string).toBe(status);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(code);
      cases.push([k.token, res.headers.get("x-request-id")!, status, code]);
    }

    for (const [token, rid, status, code] of cases) {
      const row = await eventually(() => spendRow(rid));
      // An expired key is refused at authentication, before the body is read: its row names no model.
      expect(row).toMatchObject({ api_key: token, status: "failure", spend: 0, model_group: token === expired.token ? "" : "metered" });
      expect(row.metadata).toMatchObject({ error: code, http_status: status, refused: true, route: "chat" });
      expect(JSON.stringify(row)).not.toContain("sk-");
    }
    const text = await eventually(async () => {
      const t = await scrape();
      return cases.every(([token]) => sum(samples(t), "litellm_proxy_failed_requests_metric_total", { hashed_api_key: token }) === 1) && t;
    });
    const s = samples(text);
    expect(
      sum(s, "litellm_proxy_failed_requests_metric_total", {
        hashed_api_key: limited.token,
        api_key_alias: "rl-bot",
        exception_status: "429",
        exception_class: "rate_limit_exceeded",
        requested_model: "metered",
        route: "/chat/completions",
      }),
    ).toBe(1);
    expect(sum(s, "litellm_proxy_total_requests_metric_total", { hashed_api_key: limited.token, status_code: "200" })).toBe(1);
    expect(sum(s, "litellm_proxy_total_requests_metric_total", { hashed_api_key: limited.token, status_code: "429" })).toBe(1);
    expect(sum(s, "litellm_proxy_failed_requests_metric_total", { hashed_api_key: narrow.token, exception_status: "403" })).toBe(1);
    expect(sum(s, "litellm_proxy_failed_requests_metric_total", { hashed_api_key: broke.token, exception_status: "400", exception_class: "budget_exceeded" })).toBe(1);
    expect(sum(s, "litellm_proxy_failed_requests_metric_total", { hashed_api_key: expired.token, api_key_alias: "expired-bot", exception_status: "401" })).toBe(1);
    // Refused before any upstream: no deployment series, no tokens.
    expect(sum(s, "litellm_input_tokens_metric_total", { hashed_api_key: broke.token })).toBe(0);
    const lint = await (env.PROMTOOL as Fetcher).fetch("http://promtool/", { method: "POST", body: text });
    expect(await lint.json()).toEqual({ status: 0, output: "" });
  });

  it("an unknown key is logged without a key; past the per-isolate row limit refusals are counted, not written, and fold into the next row", async () => {
    resetRefusalWindow();
    const before = await anonymousRows();
    const total = async () => sum(samples(await scrape()), "litellm_proxy_total_requests_metric_total", { hashed_api_key: "", status_code: "401" });
    const metricBefore = await total();
    const first = await call("metered", "sk-not-a-key");
    expect(first.status).toBe(401);
    const row = await eventually(() => spendRow(first.headers.get("x-request-id")!));
    // The body is not read for a refused key: the row names no model, and never the presented secret.
    expect(row).toMatchObject({ api_key: "", status: "failure", spend: 0, model_group: "" });
    expect(JSON.stringify(row)).not.toContain("sk-not-a-key");
    const extra = 3;
    for (let i = 1; i < ANONYMOUS_REFUSAL_ROWS_PER_MINUTE + extra; i++) expect((await call("metered", i % 2 ? null : `sk-bad-${i}`, "/v1/embeddings")).status).toBe(401);
    await eventually(async () => (await total()) - metricBefore === ANONYMOUS_REFUSAL_ROWS_PER_MINUTE);
    expect((await anonymousRows()) - before).toBe(ANONYMOUS_REFUSAL_ROWS_PER_MINUTE);

    // The next minute's first row carries the ones only counted.
    resetRefusalWindow(false);
    const next = await call("metered", "sk-bad-next");
    const folded = await eventually(() => spendRow(next.headers.get("x-request-id")!));
    expect(folded.metadata).toMatchObject({ suppressed_refusals: extra, refused: true });
    await eventually(async () => (await total()) - metricBefore === ANONYMOUS_REFUSAL_ROWS_PER_MINUTE + extra + 1);
    expect((await anonymousRows()) - before).toBe(ANONYMOUS_REFUSAL_ROWS_PER_MINUTE + 1);
    const s = samples(await scrape());
    // Rows written for /embeddings carry their own label; the folded ones count under the row they folded into (a chat call).
    expect(sum(s, "litellm_proxy_failed_requests_metric_total", { hashed_api_key: "", route: "/embeddings", exception_class: "invalid_api_key" })).toBe(ANONYMOUS_REFUSAL_ROWS_PER_MINUTE - 1);
    expect(sum(s, "litellm_proxy_failed_requests_metric_total", { hashed_api_key: "", route: "/chat/completions", exception_status: "401" })).toBeGreaterThanOrEqual(extra + 2);
  });
});
