import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { eventually, gw, newKey, post } from "../helpers/gateway";
import { chunked, fakeUpstream, json, received, resetUpstreams, sse } from "../helpers/upstream";
import { anthropic, chunk, completion, parseSse, usageChunk } from "./messages-helpers";

const OPENAI = "https://api.openai.test/v1";
const weather: Anthropic.Tool = {
  name: "get_weather",
  description: "The weather in a city",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

afterEach(resetUpstreams);

describe("POST /v1/messages with the Anthropic SDK, through an OpenAI-compatible upstream", () => {
  it("answers text in Anthropic's shape, and the upstream got the translated chat request", async () => {
    fakeUpstream(OPENAI, () => json(completion({ content: "Hello there" })));
    const { data, response } = await anthropic()
      .messages.create({
        model: "gpt-4o-mini",
        max_tokens: 300,
        system: [{ type: "text", text: "You are terse." }],
        messages: [{ role: "user", content: "Hi" }],
        stop_sequences: ["###"],
        metadata: { user_id: "user-42" },
      })
      .withResponse();
    expect(data).toMatchObject({
      type: "message",
      role: "assistant",
      model: "gpt-4o-mini",
      content: [{ type: "text", text: "Hello there" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 21, output_tokens: 7, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    });
    expect(data.id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(response.headers.get("x-gateway-deployment")).toBe("oai-mini");
    expect(Number(response.headers.get("x-gateway-cost"))).toBeGreaterThan(0);
    expect(received).toHaveLength(1);
    expect(received[0]!.url).toBe(`${OPENAI}/chat/completions`);
    expect(received[0]!.headers.authorization).toBe("Bearer sk-upstream-secret-openai-0123456789");
    expect(received[0]!.json()).toEqual({
      model: "gpt-4o-mini",
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Hi" },
      ],
      max_tokens: 300,
      stop: ["###"],
      user: "user-42",
    });
  });

  it("passes sampling parameters older clients send (temperature, top_p, top_k)", async () => {
    fakeUpstream(OPENAI, () => json(completion({ content: "ok" })));
    const res = await post("/v1/messages", { model: "gpt-4o-mini", max_tokens: 5, temperature: 0.2, top_p: 0.9, top_k: 5, messages: [{ role: "user", content: "Hi" }] });
    expect(res.status).toBe(200);
    expect(received[0]!.json()).toMatchObject({ temperature: 0.2, top_p: 0.9, top_k: 5 });
    const hot = await post("/v1/messages", { model: "gpt-4o-mini", max_tokens: 5, temperature: 1.5, messages: [{ role: "user", content: "Hi" }] });
    expect(hot.status).toBe(400);
    expect((await hot.json<any>()).error.message).toContain("temperature");
  });

  it("streams Anthropic's event sequence, with usage in message_delta", async () => {
    fakeUpstream(OPENAI, () => chunked([sse([chunk({ role: "assistant", content: "" }), chunk({ content: "Hel" })], false), sse([chunk({ content: "lo" }), chunk({}, "stop"), usageChunk(9, 4)])]));
    const stream = anthropic().messages.stream({ model: "gpt-4o-mini", max_tokens: 100, messages: [{ role: "user", content: "Hi" }] });
    let text = "";
    stream.on("text", (t) => (text += t));
    const final = await stream.finalMessage();
    expect(text).toBe("Hello");
    expect(final.content).toEqual([{ type: "text", text: "Hello" }]);
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage).toMatchObject({ input_tokens: 9, output_tokens: 4 });
    // The gateway asked the upstream for usage (it prices the call from it).
    expect(received[0]!.json()).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it("sends the events in Anthropic's order (raw SSE)", async () => {
    fakeUpstream(OPENAI, () => chunked([sse([chunk({ role: "assistant", content: "Hi" }), chunk({ content: "!" }, "length"), usageChunk(3, 2)])]));
    const res = await post("/v1/messages", { model: "gpt-4o-mini", max_tokens: 2, stream: true, messages: [{ role: "user", content: "Hi" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const events = parseSse(await res.text());
    expect(events.map((e) => e.event)).toEqual(["message_start", "ping", "content_block_start", "content_block_delta", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
    expect(events.every((e) => e.event === e.data.type)).toBe(true);
    expect(events[0]!.data.message).toMatchObject({ type: "message", role: "assistant", model: "gpt-4o-mini", content: [], stop_reason: null });
    expect(events[2]!.data).toEqual({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } });
    expect(events[3]!.data).toEqual({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hi" } });
    expect(events[6]!.data).toEqual({
      type: "message_delta",
      delta: { stop_reason: "max_tokens", stop_sequence: null },
      usage: { input_tokens: 3, output_tokens: 2, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    });
  });

  it("round-trips a tool call: tool_use out, then a tool_result turn in", async () => {
    fakeUpstream(OPENAI, () =>
      json(completion({ content: "Let me check.", tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] }, "tool_calls")),
    );
    const client = anthropic();
    const first = await client.messages.create({
      model: "gpt-4o-mini",
      max_tokens: 200,
      tools: [weather],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
      messages: [{ role: "user", content: "Weather in Paris?" }],
    });
    expect(first.stop_reason).toBe("tool_use");
    expect(first.content).toEqual([
      { type: "text", text: "Let me check." },
      { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
    ]);
    expect(received[0]!.json()).toMatchObject({
      tools: [{ type: "function", function: { name: "get_weather", description: "The weather in a city", parameters: weather.input_schema } }],
      tool_choice: "required",
      parallel_tool_calls: false,
    });

    fakeUpstream(OPENAI, () => json(completion({ content: "It is sunny in Paris." })));
    const second = await client.messages.create({
      model: "gpt-4o-mini",
      max_tokens: 200,
      tools: [weather],
      messages: [
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: first.content },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "call_1", content: [{ type: "text", text: "sunny, 24C" }] },
            { type: "text", text: "Answer briefly." },
          ],
        },
      ],
    });
    expect(second.content).toEqual([{ type: "text", text: "It is sunny in Paris." }]);
    expect(received[1]!.json().messages).toEqual([
      { role: "user", content: "Weather in Paris?" },
      { role: "assistant", content: "Let me check.", tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
      { role: "tool", tool_call_id: "call_1", content: "sunny, 24C" },
      { role: "user", content: "Answer briefly." },
    ]);
  });

  it("streams a tool call as tool_use with input_json_delta fragments", async () => {
    fakeUpstream(OPENAI, () =>
      chunked([
        sse([
          chunk({ role: "assistant", content: null, tool_calls: [{ index: 0, id: "call_9", type: "function", function: { name: "get_weather", arguments: "" } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
          chunk({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Oslo"}' } }] }),
          chunk({}, "tool_calls"),
          usageChunk(30, 12),
        ]),
      ]),
    );
    const stream = anthropic().messages.stream({ model: "gpt-4o-mini", max_tokens: 100, tools: [weather], messages: [{ role: "user", content: "Oslo?" }] });
    const fragments: string[] = [];
    stream.on("inputJson", (partial) => fragments.push(partial));
    const final = await stream.finalMessage();
    expect(fragments).toEqual(['{"ci', 'ty":"Oslo"}']);
    expect(final.content).toEqual([{ type: "tool_use", id: "call_9", name: "get_weather", input: { city: "Oslo" } }]);
    expect(final.stop_reason).toBe("tool_use");
    expect(final.usage.output_tokens).toBe(12);
  });

  it("answers reasoning as a thinking block, streamed and not, and maps thinking to reasoning_effort", async () => {
    fakeUpstream(OPENAI, () => json(completion({ content: "42", reasoning_content: "6 x 7" })));
    const full = await anthropic().messages.create({
      model: "gpt-4o-mini",
      max_tokens: 5000,
      thinking: { type: "enabled", budget_tokens: 4096 },
      messages: [{ role: "user", content: "6x7?" }],
    });
    expect(full.content).toEqual([
      { type: "thinking", thinking: "6 x 7", signature: "" },
      { type: "text", text: "42" },
    ]);
    expect(received[0]!.json()).toMatchObject({ reasoning_effort: "high" });

    fakeUpstream(OPENAI, () => chunked([sse([chunk({ reasoning_content: "6 x " }), chunk({ reasoning_content: "7" }), chunk({ content: "42" }, "stop"), usageChunk()])]));
    const res = await post("/v1/messages", { model: "gpt-4o-mini", max_tokens: 5000, stream: true, thinking: { type: "enabled", budget_tokens: 1024 }, messages: [{ role: "user", content: "6x7?" }] });
    const events = parseSse(await res.text());
    const starts = events.filter((e) => e.event === "content_block_start").map((e) => e.data.content_block.type);
    expect(starts).toEqual(["thinking", "text"]);
    const thinking = events.filter((e) => e.data.delta?.type === "thinking_delta").map((e) => e.data.delta.thinking);
    expect(thinking.join("")).toBe("6 x 7");
    expect(received[1]!.json()).toMatchObject({ reasoning_effort: "low" });
  });

  it("translates images and content blocks, system messages and the stop sequence an upstream reports", async () => {
    fakeUpstream("https://vllm.test/v1", () =>
      json({ ...completion({ content: "a cat" }), choices: [{ index: 0, message: { role: "assistant", content: "a cat" }, finish_reason: "stop", stop_reason: "END" }] }),
    );
    const res = await anthropic().messages.create({
      model: "local-llama",
      max_tokens: 50,
      system: "sys",
      stop_sequences: ["END"],
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
            { type: "image", source: { type: "url", url: "https://img.test/cat.jpg" } },
            { type: "text", text: "What is this?" },
          ],
        },
      ],
    });
    expect(res.stop_reason).toBe("stop_sequence");
    expect(res.stop_sequence).toBe("END");
    expect(received[0]!.json().messages).toEqual([
      { role: "system", content: "sys" },
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          { type: "image_url", image_url: { url: "https://img.test/cat.jpg" } },
          { type: "text", text: "What is this?" },
        ],
      },
    ]);
  });

  it("round-trips a Claude Code-style sequence: ?beta=true, betas, cached system blocks, tools, a tool_result turn, streamed", async () => {
    fakeUpstream(OPENAI, () =>
      chunked([
        sse([
          chunk({ role: "assistant", content: "Listing." }),
          chunk({ tool_calls: [{ index: 0, id: "call_ls", type: "function", function: { name: "Bash", arguments: '{"command":"ls"}' } }] }),
          chunk({}, "tool_calls"),
          usageChunk(300, 20),
        ]),
      ]),
    );
    const cc = { type: "ephemeral" };
    const tools = [
      { name: "Bash", description: "Run a shell command", input_schema: { type: "object", properties: { command: { type: "string" } }, required: ["command"] } },
      { name: "Read", description: "Read a file", input_schema: { type: "object", properties: { path: { type: "string" } } }, cache_control: cc },
    ];
    const base = {
      model: "gpt-4o-mini",
      max_tokens: 8000,
      stream: true,
      system: [
        { type: "text", text: "You are Claude Code." },
        { type: "text", text: "Project notes.", cache_control: cc },
      ],
      tools,
      metadata: { user_id: "user_abc_account_123_session_456" },
    };
    const headers = { "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14", "anthropic-version": "2023-06-01", "x-app": "cli" };
    const first = await gw("/v1/messages?beta=true", {
      method: "POST",
      headers,
      body: JSON.stringify({ ...base, messages: [{ role: "user", content: [{ type: "text", text: "list files", cache_control: cc }] }] }),
    });
    expect(first.status).toBe(200);
    const events = parseSse(await first.text());
    expect(events.filter((e) => e.event === "content_block_start").map((e) => e.data.content_block)).toEqual([
      { type: "text", text: "" },
      { type: "tool_use", id: "call_ls", name: "Bash", input: {} },
    ]);
    expect(events.find((e) => e.event === "message_delta")!.data.delta.stop_reason).toBe("tool_use");
    expect(received[0]!.json()).toMatchObject({
      messages: [
        { role: "system", content: "You are Claude Code.\n\nProject notes." },
        { role: "user", content: "list files" },
      ],
      user: "user_abc_account_123_session_456",
      max_tokens: 8000,
    });
    expect(received[0]!.body).not.toContain("cache_control");

    fakeUpstream(OPENAI, () => chunked([sse([chunk({ content: "Two files." }, "stop"), usageChunk(340, 4)])]));
    const second = await gw("/v1/messages?beta=true", {
      method: "POST",
      headers,
      body: JSON.stringify({
        ...base,
        messages: [
          { role: "user", content: [{ type: "text", text: "list files" }] },
          {
            role: "assistant",
            content: [
              { type: "text", text: "Listing." },
              { type: "tool_use", id: "call_ls", name: "Bash", input: { command: "ls" } },
            ],
          },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "call_ls", content: "a.txt\nb.txt", cache_control: cc }] },
        ],
      }),
    });
    const text = parseSse(await second.text())
      .filter((e) => e.data.delta?.type === "text_delta")
      .map((e) => e.data.delta.text)
      .join("");
    expect(text).toBe("Two files.");
    expect(received[1]!.json<{ messages: unknown[] }>().messages.slice(1)).toEqual([
      { role: "user", content: "list files" },
      { role: "assistant", content: "Listing.", tool_calls: [{ id: "call_ls", type: "function", function: { name: "Bash", arguments: '{"command":"ls"}' } }] },
      { role: "tool", tool_call_id: "call_ls", content: "a.txt\nb.txt" },
    ]);
  });

  it("records the call's spend under the key, streamed and not", async () => {
    const k = await newKey();
    fakeUpstream(OPENAI, () => json(completion({ content: "ok" })));
    const { response } = await anthropic(k.key)
      .messages.create({ model: "gpt-4o-mini", max_tokens: 10, messages: [{ role: "user", content: "hi" }], metadata: { user_id: "u1" } })
      .withResponse();
    fakeUpstream(OPENAI, () => chunked([sse([chunk({ content: "ok" }, "stop"), usageChunk(5, 1)])]));
    await anthropic(k.key)
      .messages.stream({ model: "gpt-4o-mini", max_tokens: 10, messages: [{ role: "user", content: "hi" }] })
      .finalMessage();
    const rows = await eventually(async () => {
      const r = await (await gw(`/spend/logs?api_key=${k.token}`)).json();
      return r.length === 2 ? r : undefined;
    });
    const plain = rows.find((r: any) => r.request_id === response.headers.get("x-request-id"));
    expect(plain).toMatchObject({
      model_group: "gpt-4o-mini",
      deployment: "oai-mini",
      prompt_tokens: 21,
      completion_tokens: 7,
      status: "success",
      metadata: { route: "messages", stream: false, user: "u1" },
    });
    expect(plain.spend).toBe(Number(response.headers.get("x-gateway-cost")));
    const streamed = rows.find((r: any) => r !== plain);
    expect(streamed).toMatchObject({ prompt_tokens: 5, completion_tokens: 1, status: "success", metadata: { route: "messages", stream: true } });
    expect(streamed.spend).toBeGreaterThan(0);
  });
});

describe("POST /v1/messages errors, in Anthropic's shape", () => {
  it("answers a bad key with 401 authentication_error (x-api-key, as Anthropic clients send it)", async () => {
    const err = await anthropic("sk-not-a-key")
      .messages.create({ model: "gpt-4o-mini", max_tokens: 10, messages: [{ role: "user", content: "hi" }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(err.status).toBe(401);
    expect(err.error).toEqual({ type: "error", error: { type: "authentication_error", message: "The API key is not valid." } });
    expect(received).toHaveLength(0);
  });

  it("answers an unknown model with 404 not_found_error", async () => {
    const err = await anthropic()
      .messages.create({ model: "no-such-model", max_tokens: 10, messages: [{ role: "user", content: "hi" }] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.NotFoundError);
    expect(err.error.type).toBe("error");
    expect(err.error.error.type).toBe("not_found_error");
    expect(err.error.error.message).toContain("no-such-model");
  });

  it("answers a bad request with 400 invalid_request_error naming the field", async () => {
    const res = await post("/v1/messages", { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(400);
    const body = await res.json<any>();
    expect(body.type).toBe("error");
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toContain("max_tokens");
    const server = await post("/v1/messages", { model: "gpt-4o-mini", max_tokens: 5, tools: [{ type: "web_search_20250305", name: "web_search" }], messages: [{ role: "user", content: "hi" }] });
    expect(server.status).toBe(400);
    expect((await server.json<any>()).error.message).toContain("server tool");
    expect(received).toHaveLength(0);
  });

  it("answers an unknown method or path under /v1/messages, and an oversized body, in Anthropic's shape too", async () => {
    const get = await gw("/v1/messages");
    expect(get.status).toBe(404);
    expect((await get.json<any>()).error.type).toBe("not_found_error");
    // base.yaml: max_request_size_mb 1.
    const big = await post("/v1/messages", { model: "gpt-4o-mini", max_tokens: 5, messages: [{ role: "user", content: "x".repeat(1_100_000) }] });
    expect(big.status).toBe(413);
    expect(await big.json()).toEqual({ type: "error", error: { type: "request_too_large", message: expect.stringContaining("larger than the limit") } });
    // A deployment whose secret is missing: the gateway's config, not an overload.
    const broken = await post("/v1/messages", { model: "broken-secret", max_tokens: 5, messages: [{ role: "user", content: "hi" }] });
    expect(broken.status).toBe(503);
    expect((await broken.json<any>()).error).toMatchObject({ type: "api_error", message: expect.stringContaining("NOT_SET_ANYWHERE") });
    expect(received).toHaveLength(0);
  });

  it("passes an upstream rate limit on as rate_limit_error with retry-after", async () => {
    fakeUpstream(OPENAI, () => json({ error: { message: "Slow down", type: "rate_limit_exceeded", code: "rate_limit_exceeded" } }, 429, { "retry-after": "1" }));
    const res = await post("/v1/messages", { model: "gpt-4o-mini", max_tokens: 5, messages: [{ role: "user", content: "hi" }], num_retries: 0 });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(await res.json()).toEqual({ type: "error", error: { type: "rate_limit_error", message: "Slow down" } });
  });

  it("ends a stream that fails midway with Anthropic's error event", async () => {
    fakeUpstream(OPENAI, () => chunked([sse([chunk({ content: "Hel" })], false)], "text/event-stream", { failAfter: true }));
    const res = await post("/v1/messages", { model: "gpt-4o-mini", max_tokens: 5, stream: true, messages: [{ role: "user", content: "hi" }] });
    const events = parseSse(await res.text());
    expect(events.at(-1)).toMatchObject({ event: "error", data: { type: "error", error: { type: "api_error" } } });
    expect(events.some((e) => e.event === "message_stop")).toBe(false);

    fakeUpstream(OPENAI, () => chunked([sse([chunk({ content: "Hel" })], false)], "text/event-stream", { failAfter: true }));
    const stream = anthropic().messages.stream({ model: "gpt-4o-mini", max_tokens: 5, messages: [{ role: "user", content: "hi" }] });
    const err = await stream.finalMessage().catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
  });
});

describe("POST /v1/messages/count_tokens", () => {
  it("estimates input tokens for a non-Anthropic model", async () => {
    const res = await anthropic().messages.countTokens({ model: "gpt-4o-mini", system: "x".repeat(400), messages: [{ role: "user", content: "y".repeat(400) }] });
    expect(res.input_tokens).toBeGreaterThanOrEqual(200);
    expect(res.input_tokens).toBeLessThan(220);
    expect(received).toHaveLength(0);
    const missing = await anthropic()
      .messages.countTokens({ model: "nope", messages: [{ role: "user", content: "y" }] })
      .catch((e) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
  });
});
