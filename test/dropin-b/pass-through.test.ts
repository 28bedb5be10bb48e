import { afterEach, describe, expect, it } from "vitest";
import { env, eventually, newKey, withEnv } from "../helpers/gateway";
import { fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";

const SECRET = "sk-upstream-secret-openai-0123456789";
const CONFIG = `
model_list:
  - model_name: gpt-4o-mini
    litellm_params: {model: openai/gpt-4o-mini, api_key: k}
general_settings:
  pass_through_endpoints:
    - path: /bria
      target: https://bria.test/base
      headers: {Authorization: "Bearer os.environ/OPENAI_API_KEY", x-static: "yes"}
      include_subpath: true
      cost_per_request: 0.05
      default_query_params: {version: v1}
    - path: /v1/rerank
      target: https://cohere-direct.test/v1/rerank
      headers: {Authorization: "bearer os.environ/NOT_SET_ANYWHERE"}
    - path: /exact
      target: https://exact.test/only
      methods: [POST]
      forward_headers: true
`;

const call = (path: string, init: RequestInit & { key?: string | null } = {}, config = CONFIG) => withEnv({ GATEWAY_CONFIG: config }, path, init);
const rowOf = (id: string) => eventually(() => env.DB.prepare("SELECT * FROM spend_logs WHERE request_id = ?").bind(id).first<Record<string, unknown>>());

afterEach(resetUpstreams);

describe("general_settings.pass_through_endpoints", () => {
  it("forwards to the target with the endpoint's headers (never the client's key), sub-path and query; answers as the target did; records cost_per_request", async () => {
    fakeUpstream("https://bria.test/base/", () => json({ urls: ["https://img"] }, 201, { "x-upstream": "1" }));
    const k = await newKey({ models: ["/bria"] });
    const res = await call("/bria/v1/text-to-image/base/2.3?seed=4", { method: "POST", key: k.key, body: JSON.stringify({ prompt: "a book" }) });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ urls: ["https://img"] });
    expect(res.headers.get("x-upstream")).toBe("1");
    const sent = received[0]!;
    expect(sent.url).toBe("https://bria.test/base/v1/text-to-image/base/2.3?version=v1&seed=4");
    expect(sent.method).toBe("POST");
    expect(sent.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(sent.headers["x-static"]).toBe("yes");
    expect(sent.body).toBe(JSON.stringify({ prompt: "a book" }));
    expect(JSON.stringify(sent.headers)).not.toContain(k.key);
    const row = await rowOf(res.headers.get("x-request-id")!);
    expect(row).toMatchObject({ api_key: k.token, model_group: "/bria", provider: "pass_through", status: "success" });
    expect(row.spend).toBeCloseTo(0.05, 12);

    // The client's own value of a default query parameter wins.
    await call("/bria/status?version=v2", { key: k.key });
    expect(received[1]!.url).toBe("https://bria.test/base/status?version=v2");
  });

  it("is always behind a key: none is a 401, a key whose model list lacks the path a 403, rpm limits apply", async () => {
    fakeUpstream("https://bria.test/base/", () => json({ ok: true }));
    expect((await call("/bria/x", { key: null })).status).toBe(401);
    const other = await newKey({ models: ["gpt-4o-mini"] });
    const denied = await call("/bria/x", { key: other.key });
    expect(denied.status).toBe(403);
    expect((await denied.json<any>()).error.code).toBe("key_model_access_denied");
    const limited = await newKey({ rpm_limit: 1 });
    expect((await call("/bria/x", { key: limited.key })).status).toBe(200);
    expect((await call("/bria/x", { key: limited.key })).status).toBe(429);
    expect(received).toHaveLength(1);
  });

  it("include_subpath false serves the exact path only; methods restrict; forward_headers passes the client's headers but never its key", async () => {
    fakeUpstream("https://exact.test/only", () => json({ ok: true }));
    const k = await newKey();
    expect((await call("/exact/more", { method: "POST", key: k.key, body: "{}" })).status).toBe(404);
    expect((await call("/exact", { key: k.key })).status).toBe(404);
    const res = await call("/exact", { method: "POST", key: k.key, body: "{}", headers: { "x-trace": "t1", "x-api-key": k.key } });
    expect(res.status).toBe(200);
    expect(received).toHaveLength(1);
    expect(received[0]!.headers["x-trace"]).toBe("t1");
    expect(received[0]!.headers.authorization).toBeUndefined();
    expect(received[0]!.headers["x-api-key"]).toBeUndefined();
  });

  it("an endpoint whose header reads an unset binding answers 503 naming it; an upstream error passes through, charged nothing", async () => {
    const k = await newKey();
    const broken = await call("/v1/rerank", { method: "POST", key: k.key, body: "{}" });
    expect(broken.status).toBe(503);
    expect((await broken.json<any>()).error.message).toContain("os.environ/NOT_SET_ANYWHERE");
    fakeUpstream("https://bria.test/base/", () => new Response("upstream broke", { status: 500 }));
    const failed = await call("/bria/x", { method: "POST", key: k.key, body: "{}" });
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe("upstream broke");
    const row = await rowOf(failed.headers.get("x-request-id")!);
    expect(row).toMatchObject({ status: "failure", spend: 0 });
  });

  it("refused at config load: auth: false, guardrails, a gateway path, a target that is not a URL", async () => {
    const entry = (extra: string) => `model_list: []\ngeneral_settings:\n  pass_through_endpoints:\n    - {${extra}}\n`;
    const cases: Array<[string, string]> = [
      ["path: /open, target: https://o.test, auth: false", "auth: false is refused"],
      ["path: /g, target: https://o.test, guardrails: {pii: null}", "guardrails"],
      ["path: /key/generate, target: https://o.test", "gateway's own routes"],
      ["path: /x, target: not a url", "target"],
    ];
    for (const [extra, words] of cases) {
      const res = await call("/v1/models", {}, entry(extra));
      expect(res.status).toBe(503);
      const error = (await res.json<any>()).error;
      expect(error.code).toBe("config_error");
      expect(error.message).toContain(words);
    }
  });
});
