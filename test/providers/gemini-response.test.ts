import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/http/errors";
import { geminiChat, geminiEmbeddings } from "../../src/providers/gemini";
import { vertexEmbeddings } from "../../src/providers/vertex";
import { parseEmbeddingsRequest } from "../../src/api/embeddings";
import { adapterCtx, fixtures, GEMINI_KEY, geminiDep } from "./gemini-helpers";

const translate = (text: string, model?: string) => {
  const out = geminiChat.response(text, geminiDep(model), adapterCtx());
  return { body: JSON.parse(out.json) as Record<string, any>, usage: out.usage };
};

const refusedWith = (text: string): GatewayError => {
  try {
    geminiChat.response(text, geminiDep(), adapterCtx());
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error("expected an error");
};

describe("gemini response translation (recorded traffic)", () => {
  it("text: content, stop, usage with thoughts as completion and reasoning tokens", () => {
    const { body, usage } = translate(fixtures.recordedText);
    expect(body).toMatchObject({ id: "chatcmpl-req-1", object: "chat.completion", created: 1700000000, model: "gemini-3-pro-preview" });
    expect(body.choices).toEqual([
      { index: 0, message: { role: "assistant", content: "There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y." }, logprobs: null, finish_reason: "stop" },
    ]);
    expect(body.usage).toEqual({ prompt_tokens: 9, completion_tokens: 272, total_tokens: 281, completion_tokens_details: { reasoning_tokens: 244 } });
    expect(usage).toEqual({ prompt_tokens: 9, completion_tokens: 272, total_tokens: 281, reasoning_tokens: 244 });
  });

  it("tool call: tool_calls with a generated call_ id carrying the thought signature, finish tool_calls", () => {
    const { body } = translate(fixtures.recordedTool);
    const choice = body.choices[0];
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toHaveLength(1);
    const call = choice.message.tool_calls[0];
    expect(call).toMatchObject({ type: "function", function: { name: "weather", arguments: '{"location":"San Francisco"}' } });
    expect(call.id).toMatch(/^call_[A-Za-z0-9]{24}__thought__EskgCsYgAb4/);
    expect(body.usage.total_tokens).toBe(937);
  });
});

describe("gemini response translation (fixtures from the API reference)", () => {
  it("parallel calls: text, two tool calls (only the first with a signature), cached tokens", () => {
    const { body, usage } = translate(fixtures.parallelTools);
    const msg = body.choices[0].message;
    expect(msg.content).toBe("I'll check both cities.");
    expect(msg.tool_calls.map((c: any) => JSON.parse(c.function.arguments).city)).toEqual(["Paris", "Tokyo"]);
    expect(msg.tool_calls[0].id).toContain("__thought__CiQBjz1rX3Sig/Paris+abc==");
    expect(msg.tool_calls[1].id).toMatch(/^call_[A-Za-z0-9]{24}$/);
    expect(new Set(msg.tool_calls.map((c: any) => c.id)).size).toBe(2);
    expect(body.usage).toEqual({ prompt_tokens: 120, completion_tokens: 30, total_tokens: 150, prompt_tokens_details: { cached_tokens: 64 } });
    expect(usage?.cached_tokens).toBe(64);
  });

  it("n = 2: one choice per candidate, MAX_TOKENS -> length", () => {
    const { body } = translate(fixtures.candidates, "gemini-2.0-flash");
    expect(body.choices.map((c: any) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, "Blue.", "stop"],
      [1, "The sky is usually blue because of Rayleigh", "length"],
    ]);
  });

  it("a candidate stopped by SAFETY is finish_reason content_filter with null content", () => {
    const { body } = translate(fixtures.safetyFinish);
    expect(body.choices[0]).toMatchObject({ message: { role: "assistant", content: null }, finish_reason: "content_filter" });
  });

  it("a blocked prompt (no candidates) is a 400 content_policy_violation", () => {
    const e = refusedWith(fixtures.blockedPrompt);
    expect(e).toMatchObject({ status: 400, code: "content_policy_violation" });
    expect(e.message).toContain("SAFETY");
  });

  it("an unreadable answer is a 502", () => {
    expect(refusedWith("<html>").status).toBe(502);
    expect(refusedWith("{}").status).toBe(502);
  });
});

describe("gemini error mapping", () => {
  const map = (status: number, text: string, headers: Record<string, string> = {}) => geminiChat.error(status, text, new Headers(headers), geminiDep());

  it("RESOURCE_EXHAUSTED is a 429 whose retry-after is RetryInfo's delay in whole seconds (recorded)", () => {
    const e = map(429, fixtures.recorded429);
    expect(e).toMatchObject({ status: 429, type: "rate_limit_exceeded", code: "rate_limit_exceeded", message: "You exceeded your current quota, please check your plan." });
    expect(e.headers["retry-after"]).toBe("35");
    expect(map(429, fixtures.recorded429, { "retry-after": "5" }).headers["retry-after"]).toBe("5");
  });

  it("UNAVAILABLE 503, UNAUTHENTICATED 401, PERMISSION_DENIED 403, an invalid API key 401, a long prompt context_length_exceeded", () => {
    expect(map(503, fixtures.errorUnavailable)).toMatchObject({ status: 503, type: "service_unavailable" });
    expect(map(401, fixtures.errorUnauthenticated)).toMatchObject({ status: 401, type: "authentication_error" });
    expect(map(403, fixtures.errorPermission)).toMatchObject({ status: 403, type: "permission_error" });
    expect(map(400, fixtures.errorApiKey)).toMatchObject({ status: 401, type: "authentication_error", message: "API key not valid. Please pass a valid API key." });
    expect(map(400, fixtures.errorContext)).toMatchObject({ status: 400, type: "invalid_request_error", code: "context_length_exceeded" });
    expect(map(429, fixtures.errorVertexArray)).toMatchObject({ status: 429, code: "rate_limit_exceeded", message: expect.stringContaining("Resource exhausted") });
  });

  it("a body that is not JSON becomes the message; the deployment's key never shows", () => {
    const e = map(500, `upstream exploded for key ${GEMINI_KEY}`);
    expect(e.status).toBe(500);
    expect(e.message).not.toContain(GEMINI_KEY);
    expect(e.message).toContain("[redacted]");
  });
});

describe("gemini and vertex embeddings translation", () => {
  const req = (extra: Record<string, unknown> = {}) => parseEmbeddingsRequest({ model: "e", input: ["hello world", "second text here"], ...extra });
  const embedDep = geminiDep("gemini-embedding-001", { apiBase: "https://gemini.test" });

  it("gemini: batchEmbedContents with one request per input, dimensions and task type", async () => {
    const r = await geminiEmbeddings.request(req({ dimensions: 768, input_type: "search_query" }), embedDep, adapterCtx());
    expect(r.url).toBe("https://gemini.test/v1beta/models/gemini-embedding-001:batchEmbedContents");
    expect(r.headers.get("x-goog-api-key")).toBe(GEMINI_KEY);
    expect(await r.json()).toEqual({
      requests: [
        { model: "models/gemini-embedding-001", content: { parts: [{ text: "hello world" }] }, outputDimensionality: 768, taskType: "RETRIEVAL_QUERY" },
        { model: "models/gemini-embedding-001", content: { parts: [{ text: "second text here" }] }, outputDimensionality: 768, taskType: "RETRIEVAL_QUERY" },
      ],
    });
    await expect(Promise.resolve().then(() => geminiEmbeddings.request(req({ input_type: "nonsense" }), embedDep, adapterCtx()))).rejects.toMatchObject({ status: 400, param: "input_type" });
    await expect(Promise.resolve().then(() => geminiEmbeddings.request(parseEmbeddingsRequest({ model: "e", input: [1, 2, 3] }), embedDep, adapterCtx()))).rejects.toMatchObject({
      status: 400,
      param: "input",
    });
  });

  it("gemini: vectors as floats or base64, usage estimated (Gemini reports none) and marked so", () => {
    const out = geminiEmbeddings.response(fixtures.embeddings, req(), embedDep, adapterCtx());
    const body = JSON.parse(out.json);
    expect(body.data.map((d: any) => d.embedding)).toEqual([
      [0.0123, -0.0456, 0.0789, 0.5],
      [-0.25, 0.125, 0.0625, -0.5],
    ]);
    expect(body.usage).toEqual({ prompt_tokens: 7, total_tokens: 7, estimated: true });
    expect(out.usage).toEqual({ prompt_tokens: 7, completion_tokens: 0, total_tokens: 7 });
    const b64 = JSON.parse(geminiEmbeddings.response(fixtures.embeddings, req({ encoding_format: "base64" }), embedDep, adapterCtx()).json);
    const floats = new Float32Array(Uint8Array.from(atob(b64.data[1].embedding), (c) => c.charCodeAt(0)).buffer);
    expect([...floats]).toEqual([-0.25, 0.125, 0.0625, -0.5]);
    expect(() => geminiEmbeddings.response('{"embeddings":[]}', req(), embedDep, adapterCtx())).toThrow(GatewayError);
  });

  it("vertex: predict answer with token counts from the statistics", () => {
    const dep = { ...embedDep, provider: "vertex_ai", model: "text-embedding-005" };
    const out = vertexEmbeddings.response(fixtures.vertexPredict, req(), dep, adapterCtx());
    const body = JSON.parse(out.json);
    expect(body).toMatchObject({ object: "list", model: "text-embedding-005", usage: { prompt_tokens: 15, total_tokens: 15 } });
    expect(body.data[0]).toEqual({ object: "embedding", index: 0, embedding: [0.031, -0.072, 0.5, 0.25] });
  });
});
