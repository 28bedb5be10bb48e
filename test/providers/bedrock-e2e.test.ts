import { APIError } from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { openai, post } from "../helpers/gateway";
import { chunked, fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";
import { ACCESS_KEY, errorFixture, fixtures, SECRET_KEY, SESSION_TOKEN, splitEvery, splitRandom, streamBytes } from "./bedrock-helpers";
import { parseAuthorization, sigv4 } from "./bedrock-sigv4";

const US_WEST = "https://bedrock-runtime.us-west-2.amazonaws.com";
const EU_CENTRAL = "https://bedrock-runtime.eu-central-1.amazonaws.com";
const US_EAST = "https://bedrock-runtime.us-east-1.amazonaws.com";
const CLAUDE_URL = `${US_WEST}/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0`;
const weatherTool = {
  type: "function" as const,
  function: { name: "get_weather", description: "Weather for a city", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } },
};
const PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

/** A Converse answer as its raw JSON text. */
const answer = (text: string, status = 200, headers: Record<string, string> = {}) => new Response(text, { status, headers: { "content-type": "application/json", ...headers } });

/** A recorded stream as real eventstream frames, in odd-sized pieces. */
const eventstream = (parts: Uint8Array[]) => chunked(parts, "application/vnd.amazon.eventstream");

/** The signature the upstream received checks out against AWS's signing steps. */
async function expectSigned(i: number, secret: string, region: string) {
  const up = received[i]!;
  const auth = parseAuthorization(up.headers.authorization!);
  expect(auth).toMatchObject({ accessKeyId: ACCESS_KEY, region, service: "bedrock" });
  const mine = await sigv4({
    method: up.method,
    url: up.url,
    headers: up.headers,
    body: up.body,
    secretAccessKey: secret,
    region,
    service: "bedrock",
    signedHeaders: auth!.signedHeaders,
    amzDate: up.headers["x-amz-date"]!,
  });
  expect(auth!.signature).toBe(mine.signature);
}

afterEach(resetUpstreams);

describe("bedrock through the worker with the official openai client", () => {
  it("answers text; the upstream got a signed Converse request (URL, headers, body)", async () => {
    fakeUpstream(US_WEST, () => answer(fixtures.recordedText));
    const { data, response } = await openai()
      .chat.completions.create({
        model: "bedrock-claude",
        messages: [
          { role: "system", content: "You are terse." },
          { role: "user", content: "How many r's in strawberry?" },
        ],
        temperature: 0.3,
        max_completion_tokens: 300,
        stop: ["###"],
      })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe('Let me count the "r"s in "strawberry":\n\ns-t-**r**-a-w-b-e-**r**-**r**-y\n\nThere are **3** "r"s in "strawberry."');
    expect(data.choices[0]!.finish_reason).toBe("stop");
    expect(data.usage).toMatchObject({ prompt_tokens: 22, completion_tokens: 57, total_tokens: 79 });
    expect(data.id).toBe(`chatcmpl-${response.headers.get("x-request-id")}`);
    expect(data.model).toBe("anthropic.claude-3-5-sonnet-20240620-v1:0");
    expect(response.headers.get("x-gateway-deployment")).toBe("bedrock-claude");
    expect(Number(response.headers.get("x-gateway-cost"))).toBeGreaterThan(0);

    expect(received).toHaveLength(1);
    const up = received[0]!;
    expect(up.url).toBe(`${CLAUDE_URL}/converse`);
    expect(up.method).toBe("POST");
    expect(up.headers["content-type"]).toBe("application/json");
    expect(up.headers["x-amz-date"]).toMatch(/^\d{8}T\d{6}Z$/);
    expect(up.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/\d{8}\/us-west-2\/bedrock\/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/);
    await expectSigned(0, SECRET_KEY, "us-west-2");
    expect(up.json()).toEqual({
      system: [{ text: "You are terse." }],
      messages: [{ role: "user", content: [{ text: "How many r's in strawberry?" }] }],
      inferenceConfig: { maxTokens: 300, temperature: 0.3, stopSequences: ["###"] },
    });
    expect(up.body).not.toContain(SECRET_KEY);
  });

  it("streams text with the usage chunk when asked, from eventstream bytes cut at random offsets", async () => {
    fakeUpstream(EU_CENTRAL, () => eventstream(splitRandom(streamBytes(fixtures.recordedTextStream), 11)));
    const stream = await openai().chat.completions.create({
      model: "bedrock-sonnet-45",
      messages: [{ role: "user", content: "How many r's?" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    const chunks = [];
    for await (const c of stream) {
      chunks.push(c);
      text += c.choices[0]?.delta.content ?? "";
    }
    expect(text).toContain('There are **3** r\'s in "strawberry."');
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe("stop");
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 22, completion_tokens: 55, total_tokens: 77 });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    // ConverseStream, signed with the session token, cross-region id encoded.
    const up = received[0]!;
    expect(up.url).toBe(`${EU_CENTRAL}/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream`);
    expect(up.headers["x-amz-security-token"]).toBe(SESSION_TOKEN);
    expect(parseAuthorization(up.headers.authorization!)!.signedHeaders).toEqual(["host", "x-amz-date", "x-amz-security-token"]);
    await expectSigned(0, SECRET_KEY, "eu-central-1");
    expect(up.json()).toEqual({ messages: [{ role: "user", content: [{ text: "How many r's?" }] }] });
  });

  it("returns a tool call (non-streamed), with tools and tool_choice in Converse's form", async () => {
    fakeUpstream(US_WEST, () => answer(fixtures.recordedTool));
    const data = await openai().chat.completions.create({
      model: "bedrock-claude",
      messages: [{ role: "user", content: "List files" }],
      tools: [weatherTool],
      tool_choice: "required",
    });
    const choice = data.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    const call = choice.message.tool_calls![0]!;
    if (call.type !== "function") throw new Error("not a function call");
    expect(call).toEqual({ id: "tool-use-id", type: "function", function: { name: "bash", arguments: '{"command":"ls -l"}' } });
    expect(received[0]!.json()).toMatchObject({
      toolConfig: { tools: [{ toolSpec: { name: "get_weather", description: "Weather for a city", inputSchema: { json: weatherTool.function.parameters } } }], toolChoice: { any: {} } },
    });
  });

  it("streams a tool call (metadata before messageStop) as index+id+name then argument fragments", async () => {
    fakeUpstream(US_WEST, () => eventstream(splitEvery(streamBytes(fixtures.recordedToolStream), 1)));
    const stream = await openai().chat.completions.create({
      model: "bedrock-claude",
      messages: [{ role: "user", content: "Name the day" }],
      tools: [weatherTool],
      stream: true,
      stream_options: { include_usage: true },
    });
    let args = "";
    let name: string | undefined;
    let id: string | undefined;
    let finish: string | null | undefined;
    let usage: unknown;
    for await (const c of stream) {
      const tc = c.choices[0]?.delta.tool_calls?.[0];
      if (tc?.id) id = tc.id;
      if (tc?.function?.name) name = tc.function.name;
      args += tc?.function?.arguments ?? "";
      finish = c.choices[0]?.finish_reason ?? finish;
      usage = c.usage ?? usage;
    }
    expect({ id, name, finish }).toEqual({ id: "tool-use-id", name: "test-tool", finish: "tool_calls" });
    expect(JSON.parse(args)).toEqual({ value: "Sparkle Day" });
    expect(usage).toMatchObject({ prompt_tokens: 125, completion_tokens: 45, total_tokens: 170 });
    expect(received[0]!.url).toBe(`${CLAUDE_URL}/converse-stream`);
  });

  it("sends a tool round trip as toolUse and toolResult blocks", async () => {
    fakeUpstream(US_WEST, () => answer(fixtures.recordedText));
    await openai().chat.completions.create({
      model: "bedrock-claude",
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Weather?" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_abc", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } }] },
        { role: "tool", tool_call_id: "call_abc", content: "sunny" },
      ],
    });
    expect(received[0]!.json().messages).toEqual([
      { role: "user", content: [{ text: "Weather?" }] },
      { role: "assistant", content: [{ toolUse: { toolUseId: "call_abc", name: "get_weather", input: { city: "Oslo" } } }] },
      { role: "user", content: [{ toolResult: { toolUseId: "call_abc", content: [{ text: "sunny" }] } }] },
    ]);
  });

  it("sends an image given as a data: URL as bytes with its format", async () => {
    fakeUpstream(US_WEST, () => answer(fixtures.recordedText));
    await openai().chat.completions.create({
      model: "bedrock-claude",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PNG_B64}` } },
          ],
        },
      ],
    });
    expect(received[0]!.json<{ messages: Array<{ content: unknown }> }>().messages[0]!.content).toEqual([{ text: "What is this?" }, { image: { format: "png", source: { bytes: PNG_B64 } } }]);
  });

  it("json_schema on a model with structured outputs goes as outputConfig.textFormat", async () => {
    fakeUpstream(EU_CENTRAL, () =>
      answer(
        JSON.stringify({ output: { message: { role: "assistant", content: [{ text: '{"city":"Paris"}' }] } }, stopReason: "end_turn", usage: { inputTokens: 5, outputTokens: 5, totalTokens: 10 } }),
      ),
    );
    const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
    const data = await openai().chat.completions.create({
      model: "bedrock-sonnet-45",
      messages: [{ role: "user", content: "Capital of France as JSON" }],
      response_format: { type: "json_schema", json_schema: { name: "place", schema } },
    });
    expect(JSON.parse(data.choices[0]!.message.content!)).toEqual({ city: "Paris" });
    expect(received[0]!.json().outputConfig).toEqual({ textFormat: { type: "json_schema", structure: { jsonSchema: { name: "place", schema: JSON.stringify(schema) } } } });
  });

  it("a Bedrock API key goes as a bearer token to api_base; converse/ is dropped from the model id", async () => {
    fakeUpstream("https://bedrock-proxy.test", () => answer(fixtures.recordedText));
    const data = await openai().chat.completions.create({ model: "bedrock-api-key", messages: [{ role: "user", content: "Hi" }] });
    expect(data.choices[0]!.message.content).toContain("strawberry");
    expect(received[0]!.url).toBe("https://bedrock-proxy.test/model/amazon.nova-lite-v1%3A0/converse");
    expect(received[0]!.headers.authorization).toBe("Bearer ABSKbedrock-api-key-test-0123456789");
    expect(received[0]!.headers["x-amz-date"]).toBeUndefined();
  });

  it("a deployment without credentials answers 503 config_error and calls no upstream", async () => {
    const res = await post("/v1/chat/completions", { model: "bedrock-no-credentials", messages: [{ role: "user", content: "Hi" }] });
    expect(res.status).toBe(503);
    expect((await res.json()).error).toMatchObject({ type: "config_error", code: "config_error" });
    expect(received).toHaveLength(0);
  });

  it("refuses an unsupported parameter with a 400 naming it, before any upstream call", async () => {
    const err = await openai()
      .chat.completions.create({ model: "bedrock-claude", messages: [{ role: "user", content: "Hi" }], seed: 42 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).status).toBe(400);
    expect((err as APIError & { param?: string }).param).toBe("seed");
    expect(received).toHaveLength(0);
  });
});

describe("bedrock embeddings through the worker", () => {
  it("Titan: one InvokeModel call per input, in parallel, joined in order", async () => {
    fakeUpstream(US_EAST, (_req, body) => {
      const { inputText } = JSON.parse(body) as { inputText: string };
      return json({ embedding: inputText === "first" ? [1, 0] : [0, 1], inputTextTokenCount: inputText.length });
    });
    const data = await openai().embeddings.create({ model: "bedrock-titan", input: ["first", "second one"], dimensions: 256, encoding_format: "float" });
    expect(data.data.map((d) => [d.index, d.embedding])).toEqual([
      [0, [1, 0]],
      [1, [0, 1]],
    ]);
    expect(data.usage).toEqual({ prompt_tokens: 15, total_tokens: 15 });
    expect(data.model).toBe("amazon.titan-embed-text-v2:0");
    expect(received).toHaveLength(2);
    for (const up of received) {
      expect(up.url).toBe(`${US_EAST}/model/amazon.titan-embed-text-v2%3A0/invoke`);
      expect(up.headers.authorization).toMatch(/\/us-east-1\/bedrock\/aws4_request/);
    }
    expect(received.map((r) => r.json()).sort((a, b) => String(a.inputText).localeCompare(String(b.inputText)))).toEqual([
      { inputText: "first", normalize: true, dimensions: 256 },
      { inputText: "second one", normalize: true, dimensions: 256 },
    ]);
    await expectSigned(0, SECRET_KEY, "us-east-1");
  });

  it("Titan with encoding_format base64 (what the openai client asks for by default)", async () => {
    fakeUpstream(US_EAST, () => answer(fixtures.titanEmbedding));
    const data = await openai().embeddings.create({ model: "bedrock-titan", input: "hello" });
    // The client decodes the base64 floats back to numbers.
    expect(data.data[0]!.embedding).toEqual([0.125, -0.5, 0.25, 1.0]);
    expect(data.usage.prompt_tokens).toBe(5);
  });

  it("Cohere embed: {texts, input_type} in one call", async () => {
    fakeUpstream(US_WEST, () => answer(fixtures.cohereEmbedding));
    const data = await openai().embeddings.create({ model: "bedrock-cohere-embed", input: ["hello world", "goodbye"], encoding_format: "float" });
    expect(data.data.map((d) => d.embedding)).toEqual([
      [0.5, 0.25],
      [-0.125, 1.0],
    ]);
    expect(received[0]!.url).toBe(`${US_WEST}/model/cohere.embed-english-v3/invoke`);
    expect(received[0]!.json()).toEqual({ texts: ["hello world", "goodbye"], input_type: "search_document" });
  });
});

describe("bedrock errors through the worker", () => {
  it("a ValidationException about input length is a 400 context_length_exceeded; no key shows", async () => {
    const f = errorFixture("tooLong");
    fakeUpstream("https://errors.bedrock.test", () => answer(JSON.stringify(f.body), f.status, f.headers));
    const err = await openai()
      .chat.completions.create({ model: "bedrock-errors", messages: [{ role: "user", content: "q" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).status).toBe(400);
    expect((err as APIError).code).toBe("context_length_exceeded");
    expect((err as APIError).message).toContain("Input is too long for requested model.");
    expect(JSON.stringify((err as APIError).error)).not.toContain(SECRET_KEY);
  });

  it("a ThrottlingException is a 429 with the upstream's retry-after", async () => {
    const f = errorFixture("throttling");
    fakeUpstream("https://throttled.bedrock.test", () => answer(JSON.stringify(f.body), f.status, { ...f.headers, "retry-after": "30" }));
    const res = await post("/v1/chat/completions", { model: "bedrock-throttled", messages: [{ role: "user", content: "q" }] });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("30");
    expect((await res.json()).error).toMatchObject({ type: "rate_limit_exceeded", code: "rate_limit_exceeded" });
  });

  it("an exception frame mid-stream ends the stream with one error event and no [DONE]", async () => {
    const frames = streamBytes(fixtures.recordedTextStream.split("\n").slice(0, 3).join("\n"));
    const exception = Uint8Array.from(atob(fixtures.recordedException), (c) => c.charCodeAt(0));
    fakeUpstream("https://errors.bedrock.test", () => eventstream(splitEvery(new Uint8Array([...frames, ...exception]), 7)));
    const res = await post("/v1/chat/completions", { model: "bedrock-errors", messages: [{ role: "user", content: "q" }], stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"content":" me count the \\""');
    expect(text).not.toContain("[DONE]");
    const last = text.trim().split("\n\n").at(-1)!;
    expect(JSON.parse(last.slice(5)).error.message).toContain("Model Stream Error");
  });

  it("a stream that stops before messageStop ends with an error event", async () => {
    fakeUpstream("https://errors.bedrock.test", () => eventstream(splitEvery(streamBytes(fixtures.truncated), 9)));
    const res = await post("/v1/chat/completions", { model: "bedrock-errors", messages: [{ role: "user", content: "q" }], stream: true });
    const text = await res.text();
    expect(text).toContain("The answer is");
    expect(text).not.toContain("[DONE]");
    expect(text).toContain('"upstream_error"');
  });
});
