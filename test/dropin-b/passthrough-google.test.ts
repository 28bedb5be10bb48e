import { afterEach, describe, expect, it } from "vitest";
import { env, eventually, gw, newKey } from "../helpers/gateway";
import { chunked, fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";

const GEMINI_KEY = "AIzaSy-test-secret-0123456789abcdef";
const ANSWER = {
  candidates: [{ content: { parts: [{ text: "Blue." }], role: "model" }, finishReason: "STOP", index: 0 }],
  usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 12, totalTokenCount: 19 },
  modelVersion: "gemini-2.5-flash",
};
const BODY = { contents: [{ role: "user", parts: [{ text: "Sky colour?" }] }], generationConfig: { maxOutputTokens: 20 } };

/** As Google's SDK sends it: the key in x-goog-api-key. */
const google = (path: string, key: string | null, body: unknown = BODY) =>
  gw(path, { method: "POST", key: null, headers: key ? { "x-goog-api-key": key } : {}, body: typeof body === "string" ? body : JSON.stringify(body) });
const rowOf = (id: string) => eventually(() => env.DB.prepare("SELECT * FROM spend_logs WHERE request_id = ?").bind(id).first<Record<string, unknown>>());

afterEach(resetUpstreams);

describe("/gemini/*: Gemini's API passed through behind a virtual key", () => {
  it("generateContent: the client's body to the deployment's model with its key, the answer's bytes back, spend from usageMetadata", async () => {
    const upstreamText = JSON.stringify(ANSWER);
    fakeUpstream("https://gemini.test/v1beta/models/gemini-2.5-flash:generateContent", () => new Response(upstreamText, { headers: { "content-type": "application/json" } }));
    const k = await newKey({ models: ["gemini-flash"] });
    const res = await google("/gemini/v1beta/models/gemini-flash:generateContent", k.key);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(upstreamText);
    expect(received[0]!.headers["x-goog-api-key"]).toBe(GEMINI_KEY);
    expect(received[0]!.json()).toEqual(BODY);
    const row = await rowOf(res.headers.get("x-request-id")!);
    expect(row).toMatchObject({ api_key: k.token, deployment: "gem-flash", prompt_tokens: 7, completion_tokens: 12, status: "success" });
    expect(JSON.parse(row.metadata as string).route).toBe("gemini/generateContent");
  });

  it("streamGenerateContent?alt=sse: the SSE bytes pass through, priced from the last usageMetadata", async () => {
    const events = [
      { candidates: [{ content: { parts: [{ text: "Bl" }], role: "model" }, index: 0 }], usageMetadata: { promptTokenCount: 7, totalTokenCount: 8 } },
      { candidates: [{ content: { parts: [{ text: "ue." }], role: "model" }, finishReason: "STOP", index: 0 }], usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 3, totalTokenCount: 10 } },
    ];
    const sseText = events.map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`).join("");
    fakeUpstream("https://gemini.test/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", () => chunked([sseText.slice(0, 50), sseText.slice(50)]));
    const k = await newKey();
    const res = await google("/gemini/v1beta/models/gemini-flash:streamGenerateContent?alt=sse", k.key);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(sseText);
    const row = await rowOf(res.headers.get("x-request-id")!);
    expect(row).toMatchObject({ prompt_tokens: 7, completion_tokens: 3 });
    expect((await google("/gemini/v1beta/models/gemini-flash:streamGenerateContent", k.key)).status).toBe(400);
  });

  it("countTokens is free; embedContent goes to the embedding deployment", async () => {
    fakeUpstream("https://gemini.test/v1beta/models/gemini-2.5-flash:countTokens", () => json({ totalTokens: 5 }));
    fakeUpstream("https://gemini.test/v1beta/models/gemini-embedding-001:embedContent", () => json({ embedding: { values: [0.1, 0.2] } }));
    const k = await newKey();
    const counted = await google("/gemini/v1beta/models/gemini-flash:countTokens", k.key);
    expect(await counted.json()).toEqual({ totalTokens: 5 });
    expect(counted.headers.get("x-gateway-cost")).toBe("0");
    const embedded = await google("/gemini/v1beta/models/gemini-embedding:embedContent", k.key, { content: { parts: [{ text: "hello" }] } });
    expect(await embedded.json()).toEqual({ embedding: { values: [0.1, 0.2] } });
  });

  it("refuses in Google's error shape: other methods and paths (404), other providers' models (400), gs:// buckets not allowed (400), keys without the model (403), no key (401)", async () => {
    const k = await newKey({ models: ["gpt-4o-mini"] });
    const all = await newKey();
    const other = await google("/gemini/v1beta/models/gemini-flash:batchEmbedContents", all.key);
    expect(other.status).toBe(404);
    expect(await other.json()).toMatchObject({ error: { code: 404, status: "NOT_FOUND" } });
    expect((await gw("/gemini/v1beta/files", { key: all.key })).status).toBe(404);
    const malformed = await google("/gemini/v1beta/models/gem%E0%A4%A:generateContent", all.key);
    expect(malformed.status).toBe(404);
    expect(await malformed.json()).toMatchObject({ error: { status: "NOT_FOUND" } });
    expect((await gw("/gemini/v1beta/cachedContents", { method: "POST", key: all.key, body: "{}" })).status).toBe(404);

    const notGemini = await google("/gemini/v1beta/models/gpt-4o-mini:generateContent", all.key);
    expect(notGemini.status).toBe(400);
    expect(await notGemini.json()).toMatchObject({ error: { code: 400, status: "INVALID_ARGUMENT" } });
    const gcs = await google("/gemini/v1beta/models/gemini-flash:generateContent", all.key, {
      contents: [{ role: "user", parts: [{ fileData: { fileUri: "gs://someone-elses/secret.pdf", mimeType: "application/pdf" } }] }],
    });
    expect(gcs.status).toBe(400);
    expect((await gcs.json<any>()).error.message).toContain("allowed_gcs_buckets");
    const cached = await google("/gemini/v1beta/models/gemini-flash:generateContent", all.key, { ...BODY, cachedContent: "cachedContents/x" });
    expect(cached.status).toBe(400);
    const denied = await google("/gemini/v1beta/models/gemini-flash:generateContent", k.key);
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ error: { status: "PERMISSION_DENIED" } });
    const none = await google("/gemini/v1beta/models/gemini-flash:generateContent", null);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { status: "UNAUTHENTICATED" } });
    expect(received).toHaveLength(0);
  });

  it("an upstream error comes back in Google's shape, the deployment's key never in it", async () => {
    fakeUpstream("https://gemini.test/v1beta/models/gemini-2.5-flash:generateContent", (req) =>
      json({ error: { code: 400, message: `API key ${req.headers.get("x-goog-api-key")} not valid`, status: "INVALID_ARGUMENT" } }, 400),
    );
    const k = await newKey();
    const res = await google("/gemini/v1beta/models/gemini-flash:generateContent", k.key);
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: 400, status: "INVALID_ARGUMENT" } });
    expect(text).not.toContain(GEMINI_KEY);
  });
});

describe("/vertex_ai/*: Vertex AI's API passed through", () => {
  it("the SDK's project/location path is served by the deployment's own target (express mode here), Bearer auth accepted", async () => {
    fakeUpstream("https://aiplatform.googleapis.com/v1/publishers/google/models/gemini-2.5-flash:generateContent", () => json(ANSWER));
    const k = await newKey();
    const res = await gw("/vertex_ai/v1/projects/my-proj/locations/us-central1/publishers/google/models/vertex-express:generateContent", { method: "POST", key: k.key, body: JSON.stringify(BODY) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(ANSWER);
    expect(received[0]!.headers["x-goog-api-key"]).toBe("AQ.test-vertex-express-secret-0123456789");
    const wrong = await gw("/vertex_ai/v1/projects/p/locations/l/publishers/google/models/gemini-flash:generateContent", { method: "POST", key: k.key, body: JSON.stringify(BODY) });
    expect(wrong.status).toBe(400);
  });
});

describe("pass-through spend rows keep Google's own responseId", () => {
  const chunk = (text: string, usage: Record<string, number>) => ({
    candidates: [{ content: { parts: [{ text }], role: "model" }, index: 0 }],
    usageMetadata: usage,
    modelVersion: "gemini-2.5-flash",
    responseId: "gem-resp-Xy12",
  });
  const streamText = [chunk("Bl", { promptTokenCount: 7, totalTokenCount: 8 }), chunk("ue.", { promptTokenCount: 7, candidatesTokenCount: 3, totalTokenCount: 10 })]
    .map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`)
    .join("");
  const logs = async (query: string) => (await gw(`/spend/logs?${query}`)).json() as Promise<Array<Record<string, unknown>>>;

  it("/gemini streamGenerateContent: the chunks' responseId, found by /spend/logs?request_id=", async () => {
    fakeUpstream("https://gemini.test/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse", () => chunked([streamText.slice(0, 70), streamText.slice(70)]));
    const k = await newKey();
    const res = await google("/gemini/v1beta/models/gemini-flash:streamGenerateContent?alt=sse", k.key);
    expect(await res.text()).toBe(streamText);
    const row = await rowOf(res.headers.get("x-request-id")!);
    expect(row).toMatchObject({ response_id: "gem-resp-Xy12", prompt_tokens: 7, completion_tokens: 3 });
    expect((await logs("request_id=gem-resp-Xy12")).map((r) => r.request_id)).toEqual([row.request_id]);
  });

  it("/vertex_ai streamGenerateContent and a non-streamed generateContent keep it too", async () => {
    fakeUpstream("https://aiplatform.googleapis.com/v1/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse", () => chunked([streamText.replaceAll("gem-resp-Xy12", "vtx-resp-1")]));
    fakeUpstream("https://aiplatform.googleapis.com/v1/publishers/google/models/gemini-2.5-flash:generateContent", () => json({ ...ANSWER, responseId: "vtx-resp-2" }));
    const k = await newKey();
    const path = "/vertex_ai/v1/projects/p/locations/us-central1/publishers/google/models/vertex-express";
    const streamed = await gw(`${path}:streamGenerateContent?alt=sse`, { method: "POST", key: k.key, body: JSON.stringify(BODY) });
    await streamed.text();
    expect((await rowOf(streamed.headers.get("x-request-id")!)).response_id).toBe("vtx-resp-1");
    const whole = await gw(`${path}:generateContent`, { method: "POST", key: k.key, body: JSON.stringify(BODY) });
    expect((await whole.json<any>()).responseId).toBe("vtx-resp-2");
    expect((await rowOf(whole.headers.get("x-request-id")!)).response_id).toBe("vtx-resp-2");
  });

  it("an answer without a responseId records none", async () => {
    fakeUpstream("https://gemini.test/v1beta/models/gemini-2.5-flash:generateContent", () => json(ANSWER));
    const k = await newKey();
    const res = await google("/gemini/v1beta/models/gemini-flash:generateContent", k.key);
    expect((await rowOf(res.headers.get("x-request-id")!)).response_id).toBeNull();
  });
});
