import { afterEach, describe, expect, it } from "vitest";
import { env, eventually, gw, newKey, openai, post, withEnv } from "../helpers/gateway";
import { fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";
import { answer, failing, msgs, rowsOf, slow } from "./helpers";

afterEach(resetUpstreams);

const ask = (key: string, model: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  openai(key)
    .chat.completions.create({ model, messages: msgs, ...extra } as never, { headers })
    .withResponse();

const status = async (p: Promise<unknown>) => {
  try {
    await p;
    return 200;
  } catch (e) {
    return (e as { status: number }).status;
  }
};

describe("per-request timeouts", () => {
  it("the body's timeout (seconds) replaces the deployment's: a 408 after it", async () => {
    fakeUpstream("https://dropin-slow.test/v1", slow(1500));
    const k = await newKey();
    const started = Date.now();
    expect(await status(ask(k.key, "dropin-slow", { timeout: 0.2, num_retries: 0 }))).toBe(408);
    expect(Date.now() - started).toBeLessThan(1400);
    // Without it the deployment's 30s applies and the answer comes.
    const { data } = await ask(k.key, "dropin-slow", { num_retries: 0 });
    expect(data.choices[0]!.message.content).toBe("late");
  });

  it("x-litellm-timeout and x-litellm-stream-timeout work the same, and a bad value is a 400 naming the header", async () => {
    fakeUpstream("https://dropin-slow.test/v1", slow(1500));
    const k = await newKey();
    expect(await status(ask(k.key, "dropin-slow", { num_retries: 0 }, { "x-litellm-timeout": "0.2" }))).toBe(408);
    expect(await status(ask(k.key, "dropin-slow", { num_retries: 0, stream: true }, { "x-litellm-stream-timeout": "0.2" }))).toBe(408);
    const bad = await gw("/v1/chat/completions", { method: "POST", key: k.key, headers: { "x-litellm-timeout": "soon" }, body: JSON.stringify({ model: "dropin-slow", messages: msgs }) });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatchObject({ type: "invalid_request_error", param: "x-litellm-timeout" });
    const badBody = await post("/v1/chat/completions", { model: "dropin-slow", messages: msgs, timeout: -1 }, k.key);
    expect(badBody.status).toBe(400);
    expect((await badBody.json()).error.param).toBe("timeout");
  });
});

describe("num_retries", () => {
  it("x-litellm-num-retries wins over the body's num_retries", async () => {
    fakeUpstream("https://dropin-a.test/v1", failing(500));
    const k = await newKey();
    expect(await status(ask(k.key, "dropin-a", { num_retries: 2 }, { "x-litellm-num-retries": "0" }))).toBe(500);
    expect(received.length).toBe(1);
    resetUpstreams();
    fakeUpstream("https://dropin-a.test/v1", failing(500));
    expect(await status(ask(k.key, "dropin-a", { num_retries: 1 }))).toBe(500);
    expect(received.length).toBe(2);
    const bad = await gw("/v1/chat/completions", { method: "POST", key: k.key, headers: { "x-litellm-num-retries": "many" }, body: JSON.stringify({ model: "dropin-a", messages: msgs }) });
    expect((await bad.json()).error.param).toBe("x-litellm-num-retries");
  });
});

describe("fallbacks in each of LiteLLM's forms", () => {
  for (const [form, fallbacks] of [
    ["model groups", ["dropin-b"]],
    ["client-side objects", [{ model: "dropin-b" }]],
    ["the router's mapping", [{ "dropin-a": ["dropin-b"] }]],
    ["the router's mapping with *", [{ "*": ["dropin-b"] }]],
  ] as const) {
    it(`${form}: the failing group falls back, and no gateway field goes upstream`, async () => {
      fakeUpstream("https://dropin-a.test/v1", failing(503));
      fakeUpstream("https://dropin-b.test/v1", () => answer("from-b"));
      const k = await newKey();
      const { data, response } = await ask(k.key, "dropin-a", { fallbacks, num_retries: 0, timeout: 20, mock_testing_rate_limit_error: false, tags: ["t1"] });
      expect(data.choices[0]!.message.content).toBe("from-b");
      expect(response.headers.get("x-litellm-attempted-fallbacks")).toBe("1");
      for (const r of received) {
        const body = r.json();
        for (const f of ["fallbacks", "num_retries", "timeout", "mock_testing_rate_limit_error", "tags", "metadata"]) expect(body).not.toHaveProperty(f);
      }
    });
  }

  it("a mapping that does not name the requested model gives no fallbacks; a malformed item is a 400", async () => {
    fakeUpstream("https://dropin-a.test/v1", failing(503));
    fakeUpstream("https://dropin-b.test/v1", () => answer("from-b"));
    const k = await newKey();
    expect(await status(ask(k.key, "dropin-a", { fallbacks: [{ "other-model": ["dropin-b"] }], num_retries: 0 }))).toBe(503);
    expect(received.every((r) => r.url.startsWith("https://dropin-a.test"))).toBe(true);
    const bad = await post("/v1/chat/completions", { model: "dropin-a", messages: msgs, fallbacks: [{ model: "dropin-b", temperature: 2 }] }, k.key);
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.param).toMatch(/^fallbacks/);
  });
});

describe("spend attribution headers", () => {
  it("x-litellm-tags, x-litellm-spend-logs-metadata and x-litellm-customer-id land in the spend row", async () => {
    fakeUpstream("https://dropin-a.test/v1", () => answer("ok"));
    const k = await newKey();
    const { response } = await ask(
      k.key,
      "dropin-a",
      { metadata: { tags: ["from-body"] }, user: "body-user" },
      { "x-litellm-tags": "team-x, job-7", "x-litellm-spend-logs-metadata": '{"project_id":"p1"}', "x-litellm-customer-id": "cust-hdr" },
    );
    const id = response.headers.get("x-request-id")!;
    const row = await eventually(async () => (await rowsOf(k.token)).find((r) => r.request_id === id));
    expect(row.metadata.tags).toEqual(["from-body", "team-x", "job-7"]);
    expect(row.metadata.spend_logs_metadata).toEqual({ project_id: "p1" });
    expect(row.metadata.user).toBe("cust-hdr");
    const report = await eventually(async () => {
      const r = (await (await gw("/global/spend/report?group_by=tag")).json()) as Array<{ tag: string }>;
      return r.some((x) => x.tag === "job-7") ? r : undefined;
    });
    expect(report.map((r) => r.tag)).toEqual(expect.arrayContaining(["from-body", "team-x", "job-7"]));
  });

  it("x-litellm-end-user-id names the end user as `user` would: a blocked customer is refused", async () => {
    fakeUpstream("https://dropin-a.test/v1", () => answer("ok"));
    const k = await newKey();
    expect((await post("/customer/new", { user_id: "blocked-end-user", blocked: true })).status).toBe(200);
    const viaUser = await post("/v1/chat/completions", { model: "dropin-a", messages: msgs, user: "blocked-end-user" }, k.key);
    const viaHeader = await gw("/v1/chat/completions", {
      method: "POST",
      key: k.key,
      headers: { "x-litellm-end-user-id": "blocked-end-user" },
      body: JSON.stringify({ model: "dropin-a", messages: msgs }),
    });
    expect(viaUser.status).not.toBe(200);
    expect(viaHeader.status).toBe(viaUser.status);
    expect(received).toHaveLength(0);
  });

  it("a malformed x-litellm-spend-logs-metadata is a 400 naming the header", async () => {
    const k = await newKey();
    const res = await gw("/v1/chat/completions", { method: "POST", key: k.key, headers: { "x-litellm-spend-logs-metadata": "{nope" }, body: JSON.stringify({ model: "dropin-a", messages: msgs }) });
    expect(res.status).toBe(400);
    expect((await res.json()).error.param).toBe("x-litellm-spend-logs-metadata");
  });
});

describe("x-litellm-enable-message-redaction", () => {
  it("keeps the prompt and the answer out of the spend row even with store_prompts_in_spend_logs", async () => {
    fakeUpstream("https://dropin-a.test/v1", () => answer("secret-answer"));
    const k = await newKey();
    const cfg = (env.GATEWAY_CONFIG as string).replace("general_settings:", "general_settings:\n  store_prompts_in_spend_logs: true");
    const call = (headers: Record<string, string>, content: string) =>
      withEnv({ GATEWAY_CONFIG: cfg }, "/v1/chat/completions", { method: "POST", key: k.key, headers, body: JSON.stringify({ model: "dropin-a", messages: [{ role: "user", content }] }) });
    expect((await call({ "x-litellm-enable-message-redaction": "true" }, "redacted-prompt")).status).toBe(200);
    expect((await call({}, "kept-prompt")).status).toBe(200);
    const rows = await eventually(async () => {
      const r = await rowsOf(k.token);
      return r.length === 2 ? r : undefined;
    });
    const text = JSON.stringify(rows);
    expect(text).not.toContain("redacted-prompt");
    expect(text).toContain("kept-prompt");
    expect(rows.filter((r) => JSON.stringify(r.metadata).includes("secret-answer"))).toHaveLength(1);
  });
});

describe("gateway-only fields on other routes", () => {
  it("embeddings and image generations send none of them upstream", async () => {
    fakeUpstream("https://dropin-a.test/v1/embeddings", () =>
      json({ object: "list", data: [{ object: "embedding", index: 0, embedding: [0.1] }], model: "m", usage: { prompt_tokens: 1, total_tokens: 1 } }),
    );
    fakeUpstream("https://dropin-img.test/v1/images/generations", () => json({ created: 1, data: [{ url: "https://img.test/1.png" }] }));
    const k = await newKey();
    const controls = { timeout: 20, num_retries: 0, fallbacks: ["dropin-b"], tags: ["x"], mock_testing_fallbacks: false, metadata: { tags: ["y"] } };
    expect((await post("/v1/embeddings", { model: "dropin-a", input: "hi", ...controls }, k.key)).status).toBe(200);
    expect((await post("/v1/images/generations", { model: "dropin-dalle2", prompt: "a cat", ...controls }, k.key)).status).toBe(200);
    expect(received).toHaveLength(2);
    for (const r of received) for (const f of Object.keys(controls)) expect(r.json()).not.toHaveProperty(f);
  });
});
