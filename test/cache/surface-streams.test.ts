import Anthropic from "@anthropic-ai/sdk";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import { buildApp } from "../../src/app";
import type { Env } from "../../src/env";
import { BASE, env, MASTER, openaiWith } from "../helpers/gateway";
import { chunked, fakeUpstream, json, received, resetUpstreams, sse } from "../helpers/upstream";
import { anthropicSse, fixtures, splitBytes } from "../providers/anthropic-helpers";

/** Issue 15: streamed /v1/messages and /v1/responses calls are cached and replayed in their own event types. */
afterEach(() => resetUpstreams());

const OPENAI = "https://api.openai.test/v1";
const GROQ = "https://api.groq.test/openai/v1";
const ANTHROPIC = "https://api.anthropic.test";
const priced = { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 };
const CFG = {
  model_list: [
    { model_name: "chat", litellm_params: { model: "openai/gpt-4o-mini", api_base: OPENAI, api_key: "os.environ/OPENAI_API_KEY", ...priced }, model_info: { id: "ss-openai" } },
    { model_name: "bridged", litellm_params: { model: "groq/llama-3.1-8b-instant", api_base: GROQ, api_key: "os.environ/OPENAI_API_KEY", ...priced }, model_info: { id: "ss-groq" } },
    {
      model_name: "claude",
      litellm_params: { model: "anthropic/claude-haiku-4-5", api_base: ANTHROPIC, api_key: "sk-ant-test-secret-0123456789abcdef", ...priced },
      model_info: { id: "ss-anthropic" },
    },
  ],
  litellm_settings: { cache: true, cache_params: { type: "local" } },
};
const upstreamCalls = () => received.length;
const head = { id: "chatcmpl-s", object: "chat.completion.chunk", created: 7, model: "m" };
const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };

/** An OpenAI-format chat stream: "Hello", then finish and usage (optionally cut off). */
function chatStream(url: string, opts: { failAfter?: boolean; done?: boolean } = {}): void {
  fakeUpstream(url, () =>
    chunked(
      [
        sse([{ ...head, choices: [{ index: 0, delta: { role: "assistant", content: "Hel" }, finish_reason: null }] }], false),
        sse([{ ...head, choices: [{ index: 0, delta: { content: "lo" }, finish_reason: null }] }], false),
        sse(
          [
            { ...head, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
            { ...head, choices: [], usage },
          ],
          opts.done ?? true,
        ),
      ],
      "text/event-stream",
      { failAfter: opts.failAfter },
    ),
  );
}

/** A call whose off-path work (the cache store) is awaited before the next one. */
async function send(path: string, body: unknown): Promise<{ status: number; headers: Headers; text: string }> {
  const ctx = createExecutionContext();
  const headers = { authorization: `Bearer ${MASTER}`, "content-type": "application/json" };
  const res = await buildApp().fetch(new Request(`${BASE}${path}`, { method: "POST", body: JSON.stringify(body), headers }), { ...env, GATEWAY_CONFIG: CFG } as unknown as Env, ctx);
  const text = await res.text();
  await waitOnExecutionContext(ctx);
  return { status: res.status, headers: res.headers, text };
}

/** The official Anthropic client against the app run with this file's config. */
function anthropic(): Anthropic {
  const app = buildApp();
  return new Anthropic({
    apiKey: MASTER,
    baseURL: BASE,
    maxRetries: 0,
    fetch: (url: RequestInfo | URL, init?: RequestInit) =>
      Promise.resolve(app.fetch(new Request(url as RequestInfo, init), { ...env, GATEWAY_CONFIG: CFG } as unknown as Env, createExecutionContext())),
  });
}

/** The event types of an SSE body, in order. */
const eventTypes = (text: string) => [...text.matchAll(/^event: (.+)$/gm)].map((m) => m[1]);
const q = () => `q-${crypto.randomUUID()}`;

describe("/v1/messages streams and the cache", () => {
  it("a streamed miss (translated from an OpenAI-format upstream) is stored; a streamed hit is Anthropic's event sequence", async () => {
    chatStream(OPENAI);
    const req = { model: "chat", max_tokens: 100, messages: [{ role: "user" as const, content: q() }] };
    const miss = await send("/v1/messages", { ...req, stream: true });
    expect(miss.headers.get("x-cache")).toBe("MISS");
    expect(eventTypes(miss.text).at(-1)).toBe("message_stop");
    const { data: stream, response } = await anthropic()
      .messages.create({ ...req, stream: true })
      .withResponse();
    expect(response.headers.get("x-cache")).toBe("HIT");
    const types: string[] = [];
    let text = "";
    for await (const ev of stream) {
      types.push(ev.type);
      if (ev.type === "content_block_delta" && ev.delta.type === "text_delta") text += ev.delta.text;
    }
    expect(types).toEqual(["message_start", "content_block_start", "content_block_delta", "content_block_stop", "message_delta", "message_stop"]);
    expect(text).toBe("Hello");
    // The same question without stream: the assembled message.
    const whole = await anthropic().messages.create(req);
    expect(whole.content).toEqual([{ type: "text", text: "Hello" }]);
    expect(whole.stop_reason).toBe("end_turn");
    expect(whole.usage.output_tokens).toBe(5);
    expect(upstreamCalls()).toBe(1);
  });

  it("a native Anthropic stream with a tool_use block is assembled whole and replayed", async () => {
    fakeUpstream(ANTHROPIC, () => chunked(splitBytes(anthropicSse(fixtures.recordedToolStream), 37)));
    const req = { model: "claude", max_tokens: 100, messages: [{ role: "user" as const, content: q() }] };
    await send("/v1/messages", { ...req, stream: true });
    const whole = await send("/v1/messages", req);
    expect(whole.headers.get("x-cache")).toBe("HIT");
    const message = JSON.parse(whole.text) as Anthropic.Message;
    expect(message.id).toBe("msg_01K2JbSUMYhez5RHoK9ZCj9U");
    const input = { elements: [{ location: "San Francisco", temperature: 58, condition: "sunny" }] };
    expect(message.content).toEqual([{ type: "tool_use", id: "toolu_01KFbKqPYSuAKujiL6mTfzYA", name: "json", input }]);
    expect(message.stop_reason).toBe("tool_use");
    expect(message.usage.output_tokens).toBe(47);
    const replayed = await anthropic()
      .messages.stream({ ...req })
      .finalMessage();
    expect(replayed.content).toEqual(message.content);
    expect(replayed.stop_reason).toBe("tool_use");
    expect(replayed.usage.output_tokens).toBe(47);
    expect(upstreamCalls()).toBe(1);
  });

  it("a stream that breaks off, or ends in an error event, is not stored", async () => {
    chatStream(OPENAI, { failAfter: true, done: false });
    const req = { model: "chat", max_tokens: 100, messages: [{ role: "user", content: q() }] };
    await send("/v1/messages", { ...req, stream: true });
    fakeUpstream(ANTHROPIC, () => chunked([anthropicSse(fixtures.recordedToolStream).split("event: message_delta")[0]!]));
    const native = { ...req, model: "claude", messages: [{ role: "user", content: q() }] };
    await send("/v1/messages", { ...native, stream: true });
    chatStream(OPENAI);
    expect((await send("/v1/messages", req)).headers.get("x-cache")).toBe("MISS");
    expect((await send("/v1/messages", native)).headers.get("x-cache")).toBe("MISS");
  });
});

describe("/v1/responses streams and the cache", () => {
  const ev = (type: string, data: Record<string, unknown>, n: number) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: n, ...data })}\n\n`;
  const item = { id: "fc_up1", type: "function_call", status: "completed", call_id: "call_1", name: "get_weather", arguments: '{"city":"Oslo"}' };
  const message = { id: "msg_up1", type: "message", status: "completed", role: "assistant", content: [{ type: "output_text", text: "Checking.", annotations: [] }] };
  const upstreamResponse = {
    id: "resp_up1",
    object: "response",
    created_at: 1,
    status: "completed",
    model: "gpt-4o-mini",
    output: [message, item],
    usage: { input_tokens: 10, input_tokens_details: { cached_tokens: 0 }, output_tokens: 2, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 12 },
  };
  const nativeStream = (terminal = "response.completed") =>
    ev("response.created", { response: { ...upstreamResponse, status: "in_progress", output: [], usage: null } }, 0) +
    ev("response.output_item.added", { output_index: 0, item: { ...message, status: "in_progress", content: [] } }, 1) +
    ev("response.output_text.delta", { item_id: "msg_up1", output_index: 0, content_index: 0, delta: "Checking." }, 2) +
    ev("response.output_item.done", { output_index: 0, item: message }, 3) +
    ev("response.output_item.added", { output_index: 1, item: { ...item, arguments: "", status: "in_progress" } }, 4) +
    ev("response.function_call_arguments.delta", { item_id: "fc_up1", output_index: 1, delta: item.arguments }, 5) +
    ev("response.output_item.done", { output_index: 1, item }, 6) +
    ev(terminal, { response: { ...upstreamResponse, status: terminal === "response.failed" ? "failed" : "completed" } }, 7);

  it("a native Responses stream is stored; a streamed hit is the Responses event sequence, a plain hit the response", async () => {
    fakeUpstream(OPENAI, () => chunked(splitBytes(nativeStream(), 53)));
    const req = { model: "chat", input: q() };
    expect((await send("/v1/responses", { ...req, stream: true })).headers.get("x-cache")).toBe("MISS");
    const whole = await send("/v1/responses", req);
    expect(whole.headers.get("x-cache")).toBe("HIT");
    expect(JSON.parse(whole.text)).toEqual(upstreamResponse);
    const client = openaiWith({ GATEWAY_CONFIG: CFG });
    const seen: string[] = [];
    const stream = client.responses.stream(req);
    stream.on("event", (e) => seen.push(e.type));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe("Checking.");
    expect(final.output[1]).toMatchObject({ type: "function_call", name: "get_weather", arguments: '{"city":"Oslo"}' });
    expect(seen[0]).toBe("response.created");
    expect(seen.at(-1)).toBe("response.completed");
    expect(seen).toContain("response.output_text.delta");
    expect(seen).toContain("response.function_call_arguments.delta");
    expect(upstreamCalls()).toBe(1);
  });

  it("a bridged stream (chat upstream) is stored from its response.completed and replayed", async () => {
    chatStream(GROQ);
    const req = { model: "bridged", input: q() };
    await send("/v1/responses", { ...req, stream: true });
    const hit = await send("/v1/responses", { ...req, stream: true });
    expect(hit.headers.get("x-cache")).toBe("HIT");
    const types = eventTypes(hit.text);
    expect(types.slice(0, 2)).toEqual(["response.created", "response.in_progress"]);
    expect(types.at(-1)).toBe("response.completed");
    const seqs = [...hit.text.matchAll(/"sequence_number":(\d+)/g)].map((m) => Number(m[1]));
    expect(seqs).toEqual(seqs.map((_, i) => i));
    const final = await openaiWith({ GATEWAY_CONFIG: CFG }).responses.stream(req).finalResponse();
    expect(final.output_text).toBe("Hello");
    expect(final.usage?.output_tokens).toBe(5);
    expect(upstreamCalls()).toBe(1);
  });

  it("a failed or unfinished stream is not stored", async () => {
    fakeUpstream(OPENAI, () => chunked([nativeStream("response.failed")]));
    const failed = { model: "chat", input: q() };
    await send("/v1/responses", { ...failed, stream: true });
    fakeUpstream(OPENAI, () => chunked([nativeStream().split("event: response.completed")[0]!]));
    const cut = { model: "chat", input: q() };
    await send("/v1/responses", { ...cut, stream: true });
    fakeUpstream(OPENAI, () => json(upstreamResponse));
    expect((await send("/v1/responses", failed)).headers.get("x-cache")).toBe("MISS");
    expect((await send("/v1/responses", cut)).headers.get("x-cache")).toBe("MISS");
  });
});
