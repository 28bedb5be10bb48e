import { chatChunkOf } from "../openai-answer";
import { upstreamUnreadable } from "../../http/errors";
import { IncompleteStream, type StreamTranslator } from "../../http/sse";
import { sseTranslator } from "../../providers/shared/sse-translator";
import type { Usage } from "../../providers/types";
import { openaiUsage } from "../../providers/usage";
import { anthropicErrorEvent, anthropicErrorType } from "./errors";
import { anthropicUsageOf, messageId, stopInfo, type MessageContext } from "./response";
import { isObject } from "../../http/json";

type Json = Record<string, unknown>;
type Kind = "text" | "thinking" | "tool";

interface StreamContext extends MessageContext {
  /** Input tokens estimated from the request, for `message_start` (the real count comes in `message_delta`). */
  inputEstimate: number;
  /** The usage the adapter reported (it knows cache writes, which OpenAI's usage JSON does not carry). */
  usage(): Usage | null;
}

const event = (type: string, data: Json = {}): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

/**
 * The adapter's OpenAI chunk stream as Anthropic's event sequence: `message_start` and a `ping`
 * first, then one content block at a time (`content_block_start`, `content_block_delta` with
 * text_delta / thinking_delta / input_json_delta, `content_block_stop`), and at `[DONE]`
 * `message_delta` (stop_reason, usage) and `message_stop`. An OpenAI error event becomes
 * Anthropic's `event: error`; a stream that ends with neither is an error too.
 */
export function anthropicStreamTranslator(ctx: StreamContext): StreamTranslator {
  let started = false;
  let finished = false;
  let open: { index: number; kind: Kind } | null = null;
  let next = 0;
  const tools = new Map<number, number>();
  let finish: unknown = null;
  let matched: unknown = null;
  let chunkUsage: Usage | null = null;

  const start = (): string => {
    if (started) return "";
    started = true;
    const message = {
      id: messageId(ctx.requestId),
      type: "message",
      role: "assistant",
      model: ctx.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: ctx.inputEstimate, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
    };
    return event("message_start", { message }) + event("ping");
  };
  const close = (): string => {
    if (!open) return "";
    const out = event("content_block_stop", { index: open.index });
    open = null;
    return out;
  };
  const openBlock = (kind: Kind, block: Json): { out: string; index: number } => {
    const out = close();
    const index = next++;
    open = { index, kind };
    return { out: out + event("content_block_start", { index, content_block: block }), index };
  };
  /** A text or thinking delta, opening a block of that kind when another one is open. */
  const textDelta = (kind: "text" | "thinking", text: string): string => {
    let out = "";
    let index = open?.kind === kind ? open.index : -1;
    if (index < 0) {
      const opened = openBlock(kind, kind === "text" ? { type: "text", text: "" } : { type: "thinking", thinking: "", signature: "" });
      out = opened.out;
      index = opened.index;
    }
    const delta = kind === "text" ? { type: "text_delta", text } : { type: "thinking_delta", thinking: text };
    return out + event("content_block_delta", { index, delta });
  };
  const toolDelta = (tc: Json): string => {
    const key = typeof tc.index === "number" ? tc.index : 0;
    const fn = isObject(tc.function) ? tc.function : {};
    let out = "";
    let index = tools.get(key);
    if (index === undefined) {
      const id = typeof tc.id === "string" && tc.id ? tc.id : `toolu_${ctx.requestId.replace(/-/g, "").slice(0, 20)}_${key}`;
      const opened = openBlock("tool", { type: "tool_use", id, name: typeof fn.name === "string" ? fn.name : "", input: {} });
      out = opened.out;
      index = opened.index;
      tools.set(key, index);
    }
    if (typeof fn.arguments === "string" && fn.arguments) {
      out += event("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: fn.arguments } });
    }
    return out;
  };
  const end = (): string => {
    finished = true;
    const stop = stopInfo(finish ?? (tools.size ? "tool_calls" : "stop"), matched, ctx.stopSequences);
    const usage = ctx.usage() ?? chunkUsage;
    const u = usage ? anthropicUsageOf(usage) : { ...anthropicUsageOf(null), input_tokens: ctx.inputEstimate };
    return start() + close() + event("message_delta", { delta: stop, usage: u }) + event("message_stop");
  };

  return sseTranslator(
    (e) => {
      if (finished) return;
      const chunk = chatChunkOf(e);
      if (chunk === "done") return end();
      if (!chunk) return;
      if (isObject(chunk.error)) {
        finished = true;
        const err = chunk.error;
        const type = anthropicErrorType(typeof err.type === "string" ? err.type : null, typeof err.code === "string" ? err.code : null);
        return start() + anthropicErrorEvent(type, typeof err.message === "string" ? err.message : "The upstream failed mid-stream.");
      }
      if (isObject(chunk.usage)) chunkUsage = openaiUsage(chunk.usage);
      let out = start();
      const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
      if (!isObject(choice)) return out;
      const delta = isObject(choice.delta) ? choice.delta : {};
      const reasoning = typeof delta.reasoning_content === "string" ? delta.reasoning_content : delta.reasoning;
      if (typeof reasoning === "string" && reasoning) out += textDelta("thinking", reasoning);
      if (typeof delta.content === "string" && delta.content) out += textDelta("text", delta.content);
      if (Array.isArray(delta.tool_calls)) for (const tc of delta.tool_calls) if (isObject(tc)) out += toolDelta(tc);
      if (choice.finish_reason) {
        finish = choice.finish_reason;
        matched = choice.stop_reason;
        out += close();
      }
      return out;
    },
    () => {
      if (finished) return "";
      throw new IncompleteStream(start() + close(), upstreamUnreadable("The stream ended before it was complete."));
    },
  );
}
