import { APIError } from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { openai, post } from "../helpers/gateway";
import { chunked, fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";
import { fixtures, geminiSse, splitBytes } from "./gemini-helpers";

const UPSTREAM = "https://gemini.test";
const KEY = "AIzaSy-test-secret-0123456789abcdef";
const weatherTool = {
  type: "function" as const,
  function: {
    name: "weather",
    description: "Weather for a place",
    parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"], additionalProperties: false },
  },
};

/** A Gemini answer as its raw JSON text, served as the upstream. */
const answer = (text: string, status = 200, headers: Record<string, string> = {}) => new Response(text, { status, headers: { "content-type": "application/json", ...headers } });

/** A recorded stream, served as Gemini's SSE in odd-sized pieces. */
const streamed = (chunks: string, size = 37) => chunked(splitBytes(geminiSse(chunks), size));

afterEach(resetUpstreams);

describe("gemini through the worker with the official openai client", () => {
  it("answers text, and the upstream got the generateContent request (URL, headers, body)", async () => {
    fakeUpstream(UPSTREAM, () => answer(fixtures.recordedText));
    const { data, response } = await openai()
      .chat.completions.create({
        model: "gemini-flash",
        messages: [
          { role: "system", content: "You are terse." },
          { role: "user", content: "How many r's in strawberry?" },
        ],
        temperature: 0.3,
        max_completion_tokens: 300,
        stop: ["###"],
        seed: 42,
        user: "end-user-7",
      })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe("There are **3** r's in strawberry.\n\nHere is the breakdown: st**r**awbe**rr**y.");
    expect(data.choices[0]!.finish_reason).toBe("stop");
    expect(data.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 272, total_tokens: 281, completion_tokens_details: { reasoning_tokens: 244 } });
    expect(data.id).toBe(`chatcmpl-${response.headers.get("x-request-id")}`);
    expect(response.headers.get("x-gateway-deployment")).toBe("gem-flash");
    expect(Number(response.headers.get("x-gateway-cost"))).toBeGreaterThan(0);

    expect(received).toHaveLength(1);
    const up = received[0]!;
    expect(up.url).toBe("https://gemini.test/v1beta/models/gemini-2.5-flash:generateContent");
    expect(up.method).toBe("POST");
    expect(up.headers["x-goog-api-key"]).toBe(KEY);
    expect(up.headers["content-type"]).toBe("application/json");
    expect(up.headers.authorization).toBeUndefined();
    expect(up.url).not.toContain(KEY);
    expect(up.json()).toEqual({
      contents: [{ role: "user", parts: [{ text: "How many r's in strawberry?" }] }],
      systemInstruction: { parts: [{ text: "You are terse." }] },
      generationConfig: { temperature: 0.3, maxOutputTokens: 300, stopSequences: ["###"], seed: 42 },
    });
  });

  it("uses https://generativelanguage.googleapis.com when no api_base is configured", async () => {
    fakeUpstream("https://generativelanguage.googleapis.com", () => answer(fixtures.recordedText));
    const data = await openai().chat.completions.create({ model: "gemini-default-base", messages: [{ role: "user", content: "x" }] });
    expect(data.choices[0]!.message.content).toContain("strawberry");
    expect(received[0]!.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/gemini-3-pro-preview:generateContent");
  });

  it("streams text with the usage chunk when asked, from a stream cut at odd byte boundaries", async () => {
    fakeUpstream(UPSTREAM, () => streamed(fixtures.recordedTextStream, 23));
    const stream = await openai().chat.completions.create({
      model: "gemini-flash",
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
    expect(text).toBe('There are **3** "r"s in strawberry.\n\nst**r**awbe**rr**y');
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe("stop");
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 208, total_tokens: 217 });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(received[0]!.url).toBe("https://gemini.test/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    expect(received[0]!.headers["x-goog-api-key"]).toBe(KEY);
  });

  it("streams without a usage chunk when not asked, and with reasoning_content from thought parts", async () => {
    fakeUpstream(UPSTREAM, () => streamed(fixtures.thinkingStream, 5));
    const stream = await openai().chat.completions.create({ model: "gemini-flash", messages: [{ role: "user", content: "q" }], stream: true, reasoning_effort: "low" });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.every((c) => !c.usage)).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Il y a 3 « r » dans strawberry — 🍓.");
    expect(chunks.map((c) => (c.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? "").join("")).toContain("Counting letters");
    expect(received[0]!.json()).toMatchObject({ generationConfig: { thinkingConfig: { thinkingBudget: 1024, includeThoughts: true } } });
  });

  it("returns a tool call (non-streamed), with tools and tool_choice sent in Gemini's form", async () => {
    fakeUpstream(UPSTREAM, () => answer(fixtures.recordedTool));
    const data = await openai().chat.completions.create({
      model: "gemini-flash",
      messages: [{ role: "user", content: "Weather in San Francisco?" }],
      tools: [weatherTool],
      tool_choice: { type: "function", function: { name: "weather" } },
    });
    const choice = data.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    const call = choice.message.tool_calls![0]!;
    if (call.type !== "function") throw new Error("not a function call");
    expect(call.id).toMatch(/^call_/);
    expect(call.function.name).toBe("weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ location: "San Francisco" });
    expect(received[0]!.json()).toMatchObject({
      tools: [
        { functionDeclarations: [{ name: "weather", description: "Weather for a place", parameters: { type: "object", properties: { location: { type: "string" } }, required: ["location"] } }] },
      ],
      toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["weather"] } },
    });
    expect(JSON.stringify(received[0]!.json())).not.toContain("additionalProperties");
  });

  it("streams a tool call whole (index+id+name+arguments in one chunk), finish tool_calls", async () => {
    fakeUpstream(UPSTREAM, () => streamed(fixtures.recordedToolStream, 19));
    const stream = await openai().chat.completions.create({ model: "gemini-flash", messages: [{ role: "user", content: "Weather?" }], tools: [weatherTool], stream: true });
    let args = "";
    let name: string | undefined;
    let id: string | undefined;
    let finish: string | null | undefined;
    for await (const c of stream) {
      const tc = c.choices[0]?.delta.tool_calls?.[0];
      if (tc?.id) id = tc.id;
      if (tc?.function?.name) name = tc.function.name;
      args += tc?.function?.arguments ?? "";
      finish = c.choices[0]?.finish_reason ?? finish;
    }
    expect({ name, finish }).toEqual({ name: "weather", finish: "tool_calls" });
    expect(id).toMatch(/^call_/);
    expect(JSON.parse(args)).toEqual({ location: "San Francisco" });
  });

  it("sends a tool round trip back as functionCall (with its thought signature) and functionResponse parts", async () => {
    fakeUpstream(UPSTREAM, () => answer(fixtures.recordedTool));
    const first = await openai().chat.completions.create({ model: "gemini-flash", messages: [{ role: "user", content: "Weather?" }], tools: [weatherTool] });
    const call = first.choices[0]!.message.tool_calls![0]!;
    if (call.type !== "function") throw new Error("not a function call");
    fakeUpstream(UPSTREAM, () => answer(fixtures.recordedText));
    await openai().chat.completions.create({
      model: "gemini-flash",
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Weather?" },
        { role: "assistant", content: null, tool_calls: [call] },
        { role: "tool", tool_call_id: call.id, content: '{"temperature":18,"sky":"fog"}' },
      ],
    });
    expect(received[1]!.json().contents).toEqual([
      { role: "user", parts: [{ text: "Weather?" }] },
      {
        role: "model",
        parts: [{ functionCall: { name: "weather", args: { location: "San Francisco" } }, thoughtSignature: JSON.parse(fixtures.recordedTool).candidates[0].content.parts[0].thoughtSignature }],
      },
      { role: "user", parts: [{ functionResponse: { name: "weather", response: { temperature: 18, sky: "fog" } } }] },
    ]);
  });

  it("sends images: a data: URL inline, an https URL fetched by the gateway and sent inline", async () => {
    fakeUpstream(UPSTREAM, () => answer(fixtures.recordedText));
    fakeUpstream("https://images.example/", () => new Response(new Uint8Array([0x47, 0x49, 0x46, 0x38]), { headers: { "content-type": "image/gif" } }));
    await openai().chat.completions.create({
      model: "gemini-flash",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Compare these" },
            { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQSkZJRg==" } },
            { type: "image_url", image_url: { url: "https://images.example/b.gif" } },
          ],
        },
      ],
    });
    expect(received.map((r) => r.url)).toEqual(["https://images.example/b.gif", "https://gemini.test/v1beta/models/gemini-2.5-flash:generateContent"]);
    expect(received[0]!.headers["x-goog-api-key"]).toBeUndefined();
    expect(received[1]!.json<{ contents: Array<{ parts: unknown }> }>().contents[0]!.parts).toEqual([
      { text: "Compare these" },
      { inlineData: { mimeType: "image/jpeg", data: "/9j/4AAQSkZJRg==" } },
      { inlineData: { mimeType: "image/gif", data: "R0lGOA==" } },
    ]);
  });

  it("answers 400 naming the image for a URL on a private host, and calls no upstream", async () => {
    fakeUpstream(UPSTREAM, () => answer(fixtures.recordedText));
    const res = await post("/v1/chat/completions", { model: "gemini-flash", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://192.168.1.4/x.png" } }] }] });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ type: "invalid_request_error", param: "messages[0].content[0].image_url.url" });
    expect(received).toHaveLength(0);
  });

  it("answers n = 2 with two choices (candidateCount), and json_schema as responseJsonSchema", async () => {
    fakeUpstream(UPSTREAM, () => answer(fixtures.candidates));
    const data = await openai().chat.completions.create({
      model: "gemini-flash",
      messages: [{ role: "user", content: "Sky colour?" }],
      n: 2,
      response_format: { type: "json_schema", json_schema: { name: "c", schema: { type: "object", properties: { colour: { type: "string" } } } } },
    });
    expect(data.choices.map((c) => c.finish_reason)).toEqual(["stop", "length"]);
    expect(received[0]!.json().generationConfig).toEqual({
      candidateCount: 2,
      responseMimeType: "application/json",
      responseJsonSchema: { type: "object", properties: { colour: { type: "string" } } },
    });
  });

  it("infers gemini from a bare model name", async () => {
    fakeUpstream(UPSTREAM, () => answer(fixtures.recordedText));
    await openai().chat.completions.create({ model: "gemini-bare-name", messages: [{ role: "user", content: "q" }] });
    expect(received[0]!.url).toBe("https://gemini.test/v1beta/models/gemini-2.5-pro:generateContent");
  });

  it("embeds through batchEmbedContents (the client's default base64 included), with estimated usage", async () => {
    fakeUpstream(UPSTREAM, () => answer(fixtures.embeddings));
    const res = await openai().embeddings.create({ model: "gemini-embedding", input: ["hello world", "second text here"], dimensions: 4 });
    expect(res.data.map((d) => d.embedding.map((x) => Math.round(x * 1e4) / 1e4))).toEqual([
      [0.0123, -0.0456, 0.0789, 0.5],
      [-0.25, 0.125, 0.0625, -0.5],
    ]);
    expect(res.usage).toMatchObject({ prompt_tokens: 7, total_tokens: 7 });
    const up = received[0]!;
    expect(up.url).toBe("https://gemini.test/v1beta/models/gemini-embedding-001:batchEmbedContents");
    expect(up.headers["x-goog-api-key"]).toBe(KEY);
    expect(up.json()).toEqual({
      requests: [
        { model: "models/gemini-embedding-001", content: { parts: [{ text: "hello world" }] }, outputDimensionality: 4 },
        { model: "models/gemini-embedding-001", content: { parts: [{ text: "second text here" }] }, outputDimensionality: 4 },
      ],
    });
  });

  it("Vertex AI express mode (api_key, no service account) posts to aiplatform.googleapis.com with x-goog-api-key", async () => {
    fakeUpstream("https://aiplatform.googleapis.com/", () => answer(fixtures.recordedText));
    const data = await openai().chat.completions.create({ model: "vertex-express", messages: [{ role: "user", content: "q" }] });
    expect(data.choices[0]!.message.content).toContain("strawberry");
    expect(received[0]!.url).toBe("https://aiplatform.googleapis.com/v1/publishers/google/models/gemini-2.5-flash:generateContent");
    expect(received[0]!.headers["x-goog-api-key"]).toBe("AQ.test-vertex-express-secret-0123456789");
  });
});

describe("gemini errors through the worker", () => {
  it("RESOURCE_EXHAUSTED is a 429 with RetryInfo's delay as retry-after (recorded body, no header)", async () => {
    fakeUpstream("https://ratelimited.gemini.test", () => answer(fixtures.recorded429, 429));
    const res = await post("/v1/chat/completions", { model: "gemini-ratelimited", messages: [{ role: "user", content: "q" }] });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("35");
    expect((await res.json()).error).toMatchObject({ type: "rate_limit_exceeded", code: "rate_limit_exceeded", message: "You exceeded your current quota, please check your plan." });
  });

  it("UNAVAILABLE is a 503 for the openai client", async () => {
    fakeUpstream("https://errors.gemini.test", () => answer(fixtures.errorUnavailable, 503));
    const err = await openai()
      .chat.completions.create({ model: "gemini-errors", messages: [{ role: "user", content: "q" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).status).toBe(503);
    expect((err as APIError).message).toContain("overloaded");
  });

  it("a prompt that is too long is a 400 context_length_exceeded; the upstream key never shows", async () => {
    fakeUpstream("https://errors.gemini.test", () => answer(fixtures.errorContext, 400));
    const res = await post("/v1/chat/completions", { model: "gemini-errors", messages: [{ role: "user", content: "q" }] });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text).error).toMatchObject({ code: "context_length_exceeded", message: expect.stringContaining("exceeds the maximum number of tokens") });
    expect(text).not.toContain(KEY);
  });

  it("a blocked prompt is a 400 content_policy_violation", async () => {
    fakeUpstream("https://errors.gemini.test", () => json(JSON.parse(fixtures.blockedPrompt)));
    const res = await post("/v1/chat/completions", { model: "gemini-errors", messages: [{ role: "user", content: "q" }] });
    expect(res.status).toBe(400);
    expect((await res.json()).error).toMatchObject({ code: "content_policy_violation" });
  });

  it("an error object mid-stream ends the stream with an error event and no [DONE]", async () => {
    fakeUpstream("https://errors.gemini.test", () => streamed(fixtures.streamError, 11));
    const res = await post("/v1/chat/completions", { model: "gemini-errors", messages: [{ role: "user", content: "q" }], stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"content":"Partial answ"');
    expect(text).not.toContain("[DONE]");
    const last = text.trim().split("\n\n").at(-1)!;
    expect(JSON.parse(last.slice(5))).toMatchObject({ error: { type: "service_unavailable", message: "The model is overloaded. Please try again later." } });
  });

  it("a stream that stops without a finishReason ends with an error event", async () => {
    fakeUpstream("https://errors.gemini.test", () => streamed(fixtures.truncated, 8));
    const res = await post("/v1/chat/completions", { model: "gemini-errors", messages: [{ role: "user", content: "q" }], stream: true });
    const text = await res.text();
    expect(text).toContain("cut off mid");
    expect(text).not.toContain("[DONE]");
    expect(text).toContain('"upstream_error"');
  });
});
