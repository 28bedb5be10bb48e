import { afterEach, describe, expect, it } from "vitest";
import { gw, openai, post } from "../helpers/gateway";
import { fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";

const msgs = [{ role: "user", content: "hi" }];

afterEach(resetUpstreams);

async function expectError(res: Response, status: number, fields: Record<string, unknown>) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/json");
  expect(res.headers.get("x-request-id")).toBeTruthy();
  const body = await res.json();
  expect(Object.keys(body.error).sort()).toEqual(["code", "message", "param", "type"]);
  expect(body.error).toMatchObject(fields);
  return body.error;
}

describe("bad input", () => {
  it("bad JSON is a 400", async () => {
    await expectError(await gw("/v1/chat/completions", { method: "POST", body: "{oops" }), 400, { type: "invalid_request_error" });
    await expectError(await gw("/v1/chat/completions", { method: "POST", body: "[1,2]" }), 400, { type: "invalid_request_error" });
    await expectError(await gw("/v1/chat/completions", { method: "POST" }), 400, { type: "invalid_request_error" });
  });

  it("a schema violation is a 400 whose param names the field", async () => {
    await expectError(await post("/v1/chat/completions", { model: "gpt-4o-mini" }), 400, { param: "messages" });
    await expectError(await post("/v1/chat/completions", { model: "gpt-4o-mini", messages: [] }), 400, { param: "messages" });
    await expectError(await post("/v1/chat/completions", { messages: msgs }), 400, { param: "model" });
    await expectError(await post("/v1/chat/completions", { model: "gpt-4o-mini", messages: msgs, temperature: 5 }), 400, { param: "temperature" });
    await expectError(await post("/v1/chat/completions", { model: "gpt-4o-mini", messages: [{ role: "wizard", content: "x" }] }), 400, { param: "messages[0].role" });
    await expectError(await post("/v1/chat/completions", { model: "gpt-4o-mini", messages: msgs, stream: "yes" }), 400, { param: "stream" });
    expect(received).toHaveLength(0);
  });

  it("an unknown model is a 404 model_not_found with no upstream call", async () => {
    const err = await expectError(await post("/v1/chat/completions", { model: "no-such-model", messages: msgs }), 404, { code: "model_not_found", param: "model" });
    expect(err.message).toContain("no-such-model");
    expect(received).toHaveLength(0);
    const client = await openai()
      .chat.completions.create({ model: "nope", messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    expect(client.constructor.name).toBe("NotFoundError");
  });

  it("a body over the configured limit is a 413", async () => {
    const big = "x".repeat(1024 * 1024 + 10); // the test config sets max_request_size_mb: 1
    await expectError(await post("/v1/chat/completions", { model: "gpt-4o-mini", messages: [{ role: "user", content: big }] }), 413, { code: "request_too_large" });
    expect(received).toHaveLength(0);
  });

  it("an unknown route is a JSON 404", async () => {
    await expectError(await gw("/v1/nothing-here"), 404, { code: "not_found" });
  });

  it("a deployment whose secret is missing is a 503 config_error naming the variable", async () => {
    const err = await expectError(await post("/v1/chat/completions", { model: "broken-secret", messages: msgs }), 503, { code: "config_error" });
    expect(err.message).toContain("NOT_SET_ANYWHERE");
    expect(received).toHaveLength(0);
  });
});

describe("upstream failures", () => {
  it("passes on an upstream 429 with its retry-after", async () => {
    fakeUpstream("https://api.openai.test/v1", () =>
      json({ error: { message: "Rate limit reached", type: "requests", code: "rate_limit_exceeded" } }, 429, { "retry-after": "7", "x-ratelimit-remaining-requests": "0" }),
    );
    const res = await post("/v1/chat/completions", { model: "gpt-4o-mini", messages: msgs });
    expect(res.headers.get("retry-after")).toBe("7");
    expect(res.headers.get("llm_provider-x-ratelimit-remaining-requests")).toBe("0");
    await expectError(res, 429, { message: "Rate limit reached", code: "rate_limit_exceeded" });
  });

  it("passes on the upstream's status and message, never our secret", async () => {
    fakeUpstream("https://api.openai.test/v1", () =>
      json({ error: { message: "Incorrect API key provided: sk-upstream-secret-openai-0123456789.", type: "invalid_request_error", code: "invalid_api_key" } }, 401),
    );
    const res = await post("/v1/chat/completions", { model: "gpt-4o-mini", messages: msgs });
    const err = await expectError(res, 401, { code: "invalid_api_key" });
    expect(err.message).not.toContain("sk-upstream-secret-openai-0123456789");
    expect(err.message).toContain("[redacted]");
  });

  it("passes on context_length_exceeded as a 400", async () => {
    fakeUpstream("https://api.openai.test/v1", () =>
      json({ error: { message: "This model's maximum context length is 128000 tokens.", type: "invalid_request_error", param: "messages", code: "context_length_exceeded" } }, 400),
    );
    await expectError(await post("/v1/chat/completions", { model: "gpt-4o-mini", messages: msgs }), 400, { code: "context_length_exceeded", param: "messages" });
  });

  it("an unreadable upstream answer is a 502", async () => {
    fakeUpstream("https://api.openai.test/v1", () => new Response("<html>bad gateway</html>", { status: 200, headers: { "content-type": "text/html" } }));
    await expectError(await post("/v1/chat/completions", { model: "gpt-4o-mini", messages: msgs }), 502, { code: "upstream_error" });
    fakeUpstream("https://api.openai.test/v1", () => json({ no: "choices" }));
    await expectError(await post("/v1/chat/completions", { model: "gpt-4o-mini", messages: msgs }), 502, { code: "upstream_error" });
  });

  it("an upstream that cannot be reached is a 502", async () => {
    fakeUpstream("https://api.openai.test/v1", () => {
      throw new TypeError("connection refused");
    });
    await expectError(await post("/v1/chat/completions", { model: "gpt-4o-mini", messages: msgs }), 502, { code: "upstream_error" });
  });

  it("an upstream slower than the deployment's timeout is a 408", async () => {
    fakeUpstream("https://slow.test/v1", () => new Promise<Response>((r) => setTimeout(() => r(json({})), 2000)));
    const started = Date.now();
    await expectError(await post("/v1/chat/completions", { model: "slow", messages: msgs, num_retries: 0 }), 408, { code: "timeout" });
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
