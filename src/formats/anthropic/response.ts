import { firstChoice } from "../openai-answer";
import type { Usage } from "../../providers/types";

/** Anthropic's answer to a Messages request, built from the internal (OpenAI-shaped) answer. */

type Json = Record<string, unknown>;

interface AnthropicUsageOut {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

/** The message id for a call: `msg_` and the request id. */
export const messageId = (requestId: string): string => `msg_${requestId.replace(/-/g, "")}`;

/**
 * Usage in Anthropic's terms: `input_tokens` are the prompt tokens neither read from nor written
 * to the cache (OpenAI counts those inside prompt_tokens; Anthropic apart).
 */
export function anthropicUsageOf(u: Usage | null): AnthropicUsageOut {
  if (!u) return { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  const read = u.cached_tokens ?? 0;
  const write = u.cache_creation_tokens ?? 0;
  return {
    input_tokens: Math.max(0, u.prompt_tokens - read - write),
    output_tokens: u.completion_tokens,
    cache_read_input_tokens: read,
    cache_creation_input_tokens: write,
  };
}

interface StopInfo {
  stop_reason: string;
  stop_sequence: string | null;
}

/**
 * finish_reason as stop_reason. OpenAI does not say whether `stop` was a stop sequence; an
 * upstream that does (vLLM's `stop_reason` holding the matched string) is believed when the string
 * is one of the request's stop sequences.
 */
export function stopInfo(finish: unknown, matched: unknown, stopSequences: readonly string[] | undefined): StopInfo {
  switch (finish) {
    case "length":
      return { stop_reason: "max_tokens", stop_sequence: null };
    case "tool_calls":
    case "function_call":
      return { stop_reason: "tool_use", stop_sequence: null };
    case "content_filter":
      return { stop_reason: "refusal", stop_sequence: null };
    default:
      if (typeof matched === "string" && stopSequences?.includes(matched)) return { stop_reason: "stop_sequence", stop_sequence: matched };
      return { stop_reason: "end_turn", stop_sequence: null };
  }
}

/** A tool call's JSON arguments as the tool_use `input` object ({} when they are not an object). */
function toolInput(args: unknown): Json {
  if (typeof args !== "string" || !args) return {};
  try {
    const v = JSON.parse(args) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Json) : {};
  } catch {
    return {};
  }
}

export interface MessageContext {
  requestId: string;
  /** The model the client asked for (echoed, as Anthropic does). */
  model: string;
  stopSequences?: readonly string[];
}

/** The Anthropic message JSON text for an OpenAI chat.completion JSON text and its usage. */
export function toAnthropicMessage(openaiJson: string, usage: Usage | null, ctx: MessageContext): string {
  const choice = firstChoice(openaiJson);
  const msg = choice.message;
  const content: Json[] = [];

  const thinkingBlocks = Array.isArray(msg.thinking_blocks) ? (msg.thinking_blocks as Json[]) : [];
  const reasoning = typeof msg.reasoning_content === "string" ? msg.reasoning_content : typeof msg.reasoning === "string" ? msg.reasoning : "";
  if (thinkingBlocks.length) {
    for (const b of thinkingBlocks) {
      if (b.type === "thinking") content.push({ type: "thinking", thinking: String(b.thinking ?? ""), signature: String(b.signature ?? "") });
      else if (b.type === "redacted_thinking") content.push({ type: "redacted_thinking", data: String(b.data ?? "") });
    }
  } else if (reasoning) content.push({ type: "thinking", thinking: reasoning, signature: "" });

  const text = typeof msg.content === "string" ? msg.content : typeof msg.refusal === "string" ? msg.refusal : "";
  if (text) content.push({ type: "text", text });
  const calls = Array.isArray(msg.tool_calls) ? (msg.tool_calls as Json[]) : [];
  for (const call of calls) {
    const fn = (call.function ?? {}) as Json;
    content.push({ type: "tool_use", id: String(call.id ?? ""), name: String(fn.name ?? ""), input: toolInput(fn.arguments) });
  }
  const finish = typeof msg.refusal === "string" && !msg.content && !calls.length ? "content_filter" : choice.finish_reason;
  return JSON.stringify({
    id: messageId(ctx.requestId),
    type: "message",
    role: "assistant",
    model: ctx.model,
    content,
    ...stopInfo(finish, choice.stop_reason, ctx.stopSequences),
    usage: anthropicUsageOf(usage),
  });
}
