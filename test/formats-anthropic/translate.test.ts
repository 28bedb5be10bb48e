import { describe, expect, it } from "vitest";
import { toChatRequest } from "../../src/formats/anthropic/request";
import { toAnthropicMessage } from "../../src/formats/anthropic/response";
import { messagesRequestSchema, parseAnthropic } from "../../src/formats/anthropic/schema";
import { anthropicStreamTranslator } from "../../src/formats/anthropic/stream";
import { GatewayError } from "../../src/http/errors";
import type { Usage } from "../../src/providers/types";
import { parseSse } from "../e2e/messages-helpers";

const translate = (body: Record<string, unknown>, dropParams = false) => toChatRequest(parseAnthropic(messagesRequestSchema, { model: "m", max_tokens: 10, ...body }), { dropParams });

function refusal(body: Record<string, unknown>): GatewayError {
  try {
    translate(body);
  } catch (e) {
    if (e instanceof GatewayError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

/** Runs OpenAI SSE text through the stream translator. */
function runStream(text: string, usage: Usage | null = null) {
  const t = anthropicStreamTranslator({ requestId: "0000-1111", model: "m", inputEstimate: 5, usage: () => usage, stopSequences: ["STOP"] });
  let out = "";
  let error: unknown;
  const bytes = new TextEncoder().encode(text);
  for (let i = 0; i < bytes.length; i += 13) out += String(t.chunk(bytes.slice(i, i + 13)) ?? "");
  try {
    out += String(t.end() ?? "");
  } catch (e) {
    error = e;
  }
  return { events: parseSse(out), error };
}
const data = (v: unknown) => `data: ${JSON.stringify(v)}\n\n`;
const delta = (d: Record<string, unknown>, finish: string | null = null, extra: Record<string, unknown> = {}) => data({ choices: [{ index: 0, delta: d, finish_reason: finish, ...extra }] });

describe("Anthropic request -> chat request", () => {
  it("puts tool results first as tool messages, their images in a user turn after, and drops thinking blocks", () => {
    const req = translate({
      system: [
        { type: "text", text: "a" },
        { type: "text", text: "b" },
      ],
      messages: [
        { role: "user", content: "q" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "hmm", signature: "sig" },
            { type: "tool_use", id: "t1", name: "look", input: { x: 1 } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "text", text: "and?" },
            {
              type: "tool_result",
              tool_use_id: "t1",
              is_error: true,
              content: [
                { type: "text", text: "seen" },
                { type: "image", source: { type: "url", url: "https://i.test/a.png" } },
              ],
            },
          ],
        },
        { role: "system", content: "late system" },
      ],
    });
    expect(req.messages).toEqual([
      { role: "system", content: "a\n\nb" },
      { role: "user", content: "q" },
      { role: "assistant", content: null, tool_calls: [{ id: "t1", type: "function", function: { name: "look", arguments: '{"x":1}' } }] },
      { role: "tool", tool_call_id: "t1", content: "seen" },
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: "https://i.test/a.png" } },
          { type: "text", text: "and?" },
        ],
      },
      { role: "system", content: "late system" },
    ]);
  });

  it("maps documents, tool_choice, effort, structured output and the stream flag", () => {
    const req = translate({
      stream: true,
      messages: [
        {
          role: "user",
          content: [
            { type: "document", title: "r.pdf", source: { type: "base64", media_type: "application/pdf", data: "JVBER" } },
            { type: "document", source: { type: "text", media_type: "text/plain", data: "plain doc" } },
          ],
        },
      ],
      tools: [{ name: "f", input_schema: { type: "object" } }],
      tool_choice: { type: "tool", name: "f" },
      output_config: { effort: "max", format: { type: "json_schema", schema: { type: "object" } } },
    });
    expect(req.messages[0]!.content).toEqual([
      { type: "file", file: { file_data: "data:application/pdf;base64,JVBER", filename: "r.pdf" } },
      { type: "text", text: "plain doc" },
    ]);
    expect(req).toMatchObject({
      stream: true,
      stream_options: { include_usage: true },
      tool_choice: { type: "function", function: { name: "f" } },
      reasoning_effort: "xhigh",
      response_format: { type: "json_schema", json_schema: { name: "output", schema: { type: "object" } } },
    });
    expect(translate({ messages: [{ role: "user", content: "x" }], tool_choice: { type: "none" }, tools: [{ name: "f", input_schema: {} }] }).tool_choice).toBe("none");
    // No tools: no tool_choice (OpenAI refuses one alone).
    expect(translate({ messages: [{ role: "user", content: "x" }], tool_choice: { type: "auto" } }).tool_choice).toBeUndefined();
    expect(translate({ messages: [{ role: "user", content: "x" }], thinking: { type: "disabled" } }).reasoning_effort).toBeUndefined();
    expect(translate({ messages: [{ role: "user", content: "x" }], thinking: { type: "adaptive" } }).reasoning_effort).toBe("medium");
  });

  it("refuses what has no equivalent, naming it, and drops server tools with drop_params", () => {
    expect(refusal({ messages: [{ role: "user", content: [{ type: "image", source: { type: "file", file_id: "f1" } }] }] }).param).toBe("messages[0].content[0].source");
    expect(refusal({ messages: [{ role: "user", content: [{ type: "search_result", source: "s", title: "t", content: [] }] }] }).param).toBe("messages[0].content[0]");
    expect(refusal({ messages: [{ role: "user", content: "x" }], tools: [{ name: "f" }] }).param).toBe("tools[0].input_schema");
    expect(refusal({ messages: [{ role: "system", content: "only system" }] }).param).toBe("messages");
    const web = { type: "web_search_20250305", name: "web_search" };
    expect(refusal({ messages: [{ role: "user", content: "x" }], tools: [web] }).param).toBe("tools[0]");
    expect(translate({ messages: [{ role: "user", content: "x" }], tools: [web] }, true).tools).toBeUndefined();
  });
});

describe("chat answer -> Anthropic message", () => {
  const ctx = { requestId: "ab-cd", model: "m", stopSequences: ["END"] };
  it("maps finish reasons, refusals and cache usage", () => {
    const answer = (message: Record<string, unknown>, finish: string) => JSON.stringify({ choices: [{ message: { role: "assistant", ...message }, finish_reason: finish }] });
    const usage: Usage = { prompt_tokens: 100, completion_tokens: 5, total_tokens: 105, cached_tokens: 60, cache_creation_tokens: 10 };
    const long = JSON.parse(toAnthropicMessage(answer({ content: "cut" }, "length"), usage, ctx));
    expect(long).toMatchObject({ id: "msg_abcd", stop_reason: "max_tokens", usage: { input_tokens: 30, output_tokens: 5, cache_read_input_tokens: 60, cache_creation_input_tokens: 10 } });
    const refused = JSON.parse(toAnthropicMessage(answer({ content: null, refusal: "I can't." }, "stop"), null, ctx));
    expect(refused).toMatchObject({ content: [{ type: "text", text: "I can't." }], stop_reason: "refusal" });
    expect(JSON.parse(toAnthropicMessage(answer({ content: "x" }, "content_filter"), null, ctx)).stop_reason).toBe("refusal");
    const badArgs = JSON.parse(toAnthropicMessage(answer({ tool_calls: [{ id: "c", function: { name: "f", arguments: "not json" } }] }, "tool_calls"), null, ctx));
    expect(badArgs.content).toEqual([{ type: "tool_use", id: "c", name: "f", input: {} }]);
  });
});

describe("chat chunk stream -> Anthropic events", () => {
  it("numbers blocks in order, tool calls included, and reports the adapter's usage at the end", () => {
    const { events, error } = runStream(
      delta({ role: "assistant", content: "a" }) +
        delta({ tool_calls: [{ index: 0, id: "c0", function: { name: "f", arguments: "{}" } }] }) +
        delta({ tool_calls: [{ index: 1, id: "c1", function: { name: "g", arguments: '{"y"' } }] }) +
        delta({ tool_calls: [{ index: 1, function: { arguments: ":2}" } }] }) +
        delta({}, "tool_calls") +
        "data: [DONE]\n\n",
      { prompt_tokens: 50, completion_tokens: 9, total_tokens: 59, cached_tokens: 20 },
    );
    expect(error).toBeUndefined();
    const starts = events.filter((e) => e.event === "content_block_start").map((e) => [e.data.index, e.data.content_block.type, e.data.content_block.id]);
    expect(starts).toEqual([
      [0, "text", undefined],
      [1, "tool_use", "c0"],
      [2, "tool_use", "c1"],
    ]);
    const args = events.filter((e) => e.data.delta?.type === "input_json_delta").map((e) => [e.data.index, e.data.delta.partial_json]);
    expect(args).toEqual([
      [1, "{}"],
      [2, '{"y"'],
      [2, ":2}"],
    ]);
    expect(events.filter((e) => e.event === "content_block_stop").map((e) => e.data.index)).toEqual([0, 1, 2]);
    expect(events.at(-2)!.data).toEqual({
      type: "message_delta",
      delta: { stop_reason: "tool_use", stop_sequence: null },
      usage: { input_tokens: 30, output_tokens: 9, cache_read_input_tokens: 20, cache_creation_input_tokens: 0 },
    });
    expect(events[0]!.data.message.usage.input_tokens).toBe(5);
  });

  it("reports a stop sequence the upstream names, and turns an error event into Anthropic's", () => {
    const stopped = runStream(delta({ content: "x" }, "stop", { stop_reason: "STOP" }) + "data: [DONE]\n\n");
    expect(stopped.events.at(-2)!.data.delta).toEqual({ stop_reason: "stop_sequence", stop_sequence: "STOP" });

    const failed = runStream(delta({ content: "x" }) + data({ error: { message: "Too many", type: "rate_limit_exceeded", code: "rate_limit_exceeded" } }));
    expect(failed.error).toBeUndefined();
    expect(failed.events.at(-1)).toEqual({ event: "error", data: { type: "error", error: { type: "rate_limit_error", message: "Too many" } } });

    const cut = runStream(delta({ content: "x" }));
    expect(cut.error).toBeInstanceOf(Error);
  });
});
