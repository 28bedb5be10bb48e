import { APIError } from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { openai, post } from "../helpers/gateway";
import { chunked, fakeUpstream, json, received, resetUpstreams } from "../helpers/upstream";
import { anthropicSse, fixtures, splitBytes } from "./anthropic-helpers";

const UPSTREAM = "https://api.anthropic.test";
const ERRORS = "https://errors.anthropic.test";
const KEY = "sk-ant-test-secret-0123456789abcdef";
const weatherTool = {
  type: "function" as const,
  function: { name: "json", description: "Weather report", parameters: { type: "object", properties: { elements: { type: "array" } } } },
};

/** An Anthropic answer as its raw JSON text, served as the upstream. */
const answer = (text: string, status = 200, headers: Record<string, string> = {}) => new Response(text, { status, headers: { "content-type": "application/json", ...headers } });

/** A recorded stream, served in odd-sized pieces. */
const streamed = (chunks: string, size = 37) => chunked(splitBytes(anthropicSse(chunks), size));

afterEach(resetUpstreams);

describe("anthropic through the worker with the official openai client", () => {
  it("answers text, and the upstream got the Messages API request (URL, headers, body)", async () => {
    fakeUpstream(UPSTREAM, () => answer(fixtures.recordedText));
    const { data, response } = await openai()
      .chat.completions.create({
        model: "anthropic-sonnet",
        messages: [
          { role: "system", content: "You are terse." },
          { role: "user", content: "Hi, how are you?" },
        ],
        temperature: 0.3,
        max_completion_tokens: 300,
        stop: ["###"],
        user: "end-user-7",
      })
      .withResponse();
    expect(data.choices[0]!.message.content).toBe("Hello! I'm doing well, thanks for asking. How are you doing today? Is there anything I can help you with?");
    expect(data.choices[0]!.finish_reason).toBe("stop");
    expect(data.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 29, total_tokens: 41 });
    expect(data.id).toBe(`chatcmpl-${response.headers.get("x-request-id")}`);
    expect(response.headers.get("x-gateway-deployment")).toBe("anth-sonnet");
    expect(Number(response.headers.get("x-gateway-cost"))).toBeGreaterThan(0);

    expect(received).toHaveLength(1);
    const up = received[0]!;
    expect(up.url).toBe("https://api.anthropic.test/v1/messages");
    expect(up.method).toBe("POST");
    expect(up.headers["x-api-key"]).toBe(KEY);
    expect(up.headers["anthropic-version"]).toBe("2023-06-01");
    expect(up.headers["content-type"]).toBe("application/json");
    expect(up.headers.authorization).toBeUndefined();
    expect(up.json()).toEqual({
      model: "claude-sonnet-4-5-20250929",
      max_tokens: 300,
      system: [{ type: "text", text: "You are terse." }],
      messages: [{ role: "user", content: [{ type: "text", text: "Hi, how are you?" }] }],
      stop_sequences: ["###"],
      temperature: 0.3,
      metadata: { user_id: "end-user-7" },
    });
  });

  it("uses https://api.anthropic.com when no api_base is configured", async () => {
    fakeUpstream("https://api.anthropic.com", () => answer(fixtures.recordedText));
    const data = await openai().chat.completions.create({ model: "anthropic-default-base", messages: [{ role: "user", content: "x" }] });
    expect(data.choices[0]!.message.content).toContain("Hello!");
    expect(received[0]!.url).toBe("https://api.anthropic.com/v1/messages");
    expect(received[0]!.json()).toMatchObject({ model: "claude-haiku-4-5-20251001", max_tokens: 8192 });
  });

  it("streams text with the usage chunk when asked, from a stream cut at odd byte boundaries", async () => {
    fakeUpstream(UPSTREAM, () => streamed(fixtures.recordedTextStream, 23));
    const stream = await openai().chat.completions.create({
      model: "anthropic-sonnet",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    const chunks = [];
    for await (const c of stream) {
      chunks.push(c);
      text += c.choices[0]?.delta.content ?? "";
    }
    expect(text).toBe("Hello! I'm doing well, thank you for asking. How are you doing today? Is there anything I can help you with?");
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe("stop");
    expect(chunks.at(-1)!.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 30, total_tokens: 42 });
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(received[0]!.json()).toMatchObject({ stream: true, model: "claude-sonnet-4-5-20250929" });
  });

  it("streams without a usage chunk when not asked", async () => {
    fakeUpstream(UPSTREAM, () => streamed(fixtures.recordedDuplicate, 5));
    const stream = await openai().chat.completions.create({ model: "anthropic-sonnet", messages: [{ role: "user", content: "Hi" }], stream: true });
    const chunks = [];
    for await (const c of stream) chunks.push(c);
    expect(chunks.every((c) => !c.usage)).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Hello, World!");
  });

  it("returns a tool call (non-streamed), with tools and tool_choice sent in Anthropic's form", async () => {
    fakeUpstream(UPSTREAM, () => answer(fixtures.recordedTool));
    const data = await openai().chat.completions.create({
      model: "anthropic-sonnet",
      messages: [{ role: "user", content: "Weather in four cities?" }],
      tools: [weatherTool],
      tool_choice: { type: "function", function: { name: "json" } },
      parallel_tool_calls: false,
    });
    const choice = data.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    const call = choice.message.tool_calls![0]!;
    expect(call.type).toBe("function");
    if (call.type !== "function") throw new Error("not a function call");
    expect(call.id).toBe("toolu_01Q9ExVZnzZj7E2QQYHYtNUa");
    expect(call.function.name).toBe("json");
    expect(JSON.parse(call.function.arguments).elements[3]).toEqual({ location: "Berlin", temperature: -9, condition: "snowy" });
    expect(received[0]!.json()).toMatchObject({
      tools: [{ name: "json", description: "Weather report", input_schema: weatherTool.function.parameters }],
      tool_choice: { type: "tool", name: "json", disable_parallel_tool_use: true },
    });
  });

  it("streams a tool call as index+id+name then argument fragments", async () => {
    fakeUpstream(UPSTREAM, () => streamed(fixtures.recordedToolStream, 19));
    const stream = await openai().chat.completions.create({ model: "anthropic-sonnet", messages: [{ role: "user", content: "Weather?" }], tools: [weatherTool], stream: true });
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
    expect({ id, name, finish }).toEqual({ id: "toolu_01KFbKqPYSuAKujiL6mTfzYA", name: "json", finish: "tool_calls" });
    expect(JSON.parse(args)).toEqual({ elements: [{ location: "San Francisco", temperature: 58, condition: "sunny" }] });
  });

  it("sends a tool round trip back as tool_use and tool_result blocks", async () => {
    fakeUpstream(UPSTREAM, () => answer(fixtures.recordedText));
    await openai().chat.completions.create({
      model: "anthropic-sonnet",
      tools: [weatherTool],
      messages: [
        { role: "user", content: "Weather?" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_abc", type: "function", function: { name: "json", arguments: '{"elements":[]}' } }] },
        { role: "tool", tool_call_id: "call_abc", content: "sunny" },
      ],
    });
    expect(received[0]!.json().messages).toEqual([
      { role: "user", content: [{ type: "text", text: "Weather?" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "call_abc", name: "json", input: { elements: [] } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "call_abc", content: "sunny" }] },
    ]);
  });

  it("sends images: data: URLs as base64 blocks, https URLs as url blocks", async () => {
    fakeUpstream(UPSTREAM, () => answer(fixtures.recordedText));
    await openai().chat.completions.create({
      model: "anthropic-sonnet",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Compare these" },
            { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQSkZJRg==" } },
            { type: "image_url", image_url: { url: "https://images.example/b.png" } },
          ],
        },
      ],
    });
    expect(received[0]!.json<{ messages: Array<{ content: unknown }> }>().messages[0]!.content).toEqual([
      { type: "text", text: "Compare these" },
      { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQSkZJRg==" } },
      { type: "image", source: { type: "url", url: "https://images.example/b.png" } },
    ]);
  });

  it("answers 400 naming the message for a tool call whose arguments are not JSON, and calls no upstream", async () => {
    fakeUpstream(UPSTREAM, () => answer(fixtures.recordedText));
    const res = await post("/v1/chat/completions", {
      model: "anthropic-sonnet",
      messages: [
        { role: "user", content: "q" },
        { role: "assistant", content: null, tool_calls: [{ id: "t1", type: "function", function: { name: "json", arguments: '{"elements": [' } }] },
        { role: "tool", tool_call_id: "t1", content: "r" },
      ],
    });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error).toMatchObject({ type: "invalid_request_error", param: "messages[1].tool_calls[0].function.arguments" });
    expect(received).toHaveLength(0);
  });

  it("refuses n > 1 naming it, and drops it with drop_params", async () => {
    fakeUpstream(UPSTREAM, () => answer(fixtures.recordedText));
    const refused = await post("/v1/chat/completions", { model: "anthropic-sonnet", messages: [{ role: "user", content: "q" }], n: 2 });
    expect(refused.status).toBe(400);
    expect((await refused.json()).error.param).toBe("n");
    const dropped = await post("/v1/chat/completions", { model: "anthropic-sonnet", messages: [{ role: "user", content: "q" }], n: 2, drop_params: true });
    expect(dropped.status).toBe(200);
    expect(received).toHaveLength(1);
    expect(received[0]!.json()).not.toHaveProperty("n");
  });

  it("answers json_schema with JSON content on a model without structured outputs (forced tool)", async () => {
    fakeUpstream("https://legacy.anthropic.test", () =>
      json({
        model: "claude-3-5-sonnet-20241022",
        content: [{ type: "tool_use", id: "toolu_j", name: "json_tool_call", input: { name: "Ada", age: 36 } }],
        stop_reason: "tool_use",
        usage: { input_tokens: 40, output_tokens: 12 },
      }),
    );
    const data = await openai().chat.completions.create({
      model: "anthropic-legacy",
      messages: [{ role: "user", content: "Ada Lovelace, 36" }],
      response_format: { type: "json_schema", json_schema: { name: "person", schema: { type: "object", properties: { name: { type: "string" }, age: { type: "integer" } } } } },
    });
    expect(JSON.parse(data.choices[0]!.message.content!)).toEqual({ name: "Ada", age: 36 });
    expect(data.choices[0]!.finish_reason).toBe("stop");
    expect(received[0]!.url).toBe("https://legacy.anthropic.test/v1/messages");
    expect(received[0]!.json()).toMatchObject({ tool_choice: { type: "tool", name: "json_tool_call" }, tools: [{ name: "json_tool_call" }] });
  });

  it("infers anthropic from a bare claude model name and maps reasoning_effort to thinking", async () => {
    fakeUpstream(UPSTREAM, () => answer(fixtures.thinking));
    const data = await openai().chat.completions.create({ model: "anthropic-bare-name", messages: [{ role: "user", content: "Weather in Paris?" }], reasoning_effort: "high" });
    expect((data.choices[0]!.message as unknown as { reasoning_content: string }).reasoning_content).toContain("call the tool");
    expect(received[0]!.json()).toMatchObject({ model: "claude-3-7-sonnet-20250219", thinking: { type: "enabled", budget_tokens: 4096 }, max_tokens: 8192 + 4096 });
  });
});

describe("anthropic errors through the worker", () => {
  it("overloaded (HTTP 529) is a 503 for the openai client", async () => {
    fakeUpstream("https://overloaded.anthropic.test", () => answer(fixtures.errorOverloaded, 529));
    const err = await openai()
      .chat.completions.create({ model: "anthropic-overloaded", messages: [{ role: "user", content: "q" }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).status).toBe(503);
    expect((err as APIError).message).toContain("Overloaded");
  });

  it("a rate limit is a 429 with the upstream's retry-after", async () => {
    fakeUpstream("https://ratelimited.anthropic.test", () => answer(fixtures.errorRateLimit, 429, { "retry-after": "12" }));
    const res = await post("/v1/chat/completions", { model: "anthropic-ratelimited", messages: [{ role: "user", content: "q" }] });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("12");
    expect((await res.json()).error).toMatchObject({ type: "rate_limit_exceeded", code: "rate_limit_exceeded" });
  });

  it("a prompt that is too long is a 400 context_length_exceeded; the upstream key never shows", async () => {
    fakeUpstream(ERRORS, () => answer(fixtures.errorPromptTooLong, 400));
    const res = await post("/v1/chat/completions", { model: "anthropic-errors", messages: [{ role: "user", content: "q" }] });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(JSON.parse(text).error).toMatchObject({ code: "context_length_exceeded", message: "prompt is too long: 208310 tokens > 200000 maximum" });
    expect(text).not.toContain(KEY);
  });

  it("an error event mid-stream ends the stream with an error event and no [DONE]", async () => {
    fakeUpstream(ERRORS, () => streamed(fixtures.streamError, 11));
    const res = await post("/v1/chat/completions", { model: "anthropic-errors", messages: [{ role: "user", content: "q" }], stream: true });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"content":"Partial answ"');
    expect(text).not.toContain("[DONE]");
    const last = text.trim().split("\n\n").at(-1)!;
    expect(JSON.parse(last.slice(5))).toMatchObject({ error: { type: "service_unavailable", message: "Overloaded" } });
  });

  it("a stream that stops before message_stop ends with an error event", async () => {
    fakeUpstream(ERRORS, () => streamed(fixtures.truncated, 8));
    const res = await post("/v1/chat/completions", { model: "anthropic-errors", messages: [{ role: "user", content: "q" }], stream: true });
    const text = await res.text();
    expect(text).toContain("Cut off mid");
    expect(text).not.toContain("[DONE]");
    expect(text).toContain('"upstream_error"');
  });
});
