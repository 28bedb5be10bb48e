import type { Deployment } from "../../config/deployment";
import { upstreamJson, upstreamUnreadable } from "../../http/errors";
import type { FinishReason } from "../shared/chunks";
import type { AdapterContext, TranslatedResponse, Usage } from "../types";
import { toOpenAIUsage, usageWithCache } from "../usage";
import { JSON_TOOL_NAME, type AnthropicResponse, type AnthropicUsage } from "./types";

/**
 * Anthropic's usage in OpenAI's terms: Anthropic counts cache reads and writes apart from
 * `input_tokens`, so prompt_tokens is their sum; cached_tokens are the reads and
 * cache_creation_tokens the writes.
 */
export function anthropicUsage(u: AnthropicUsage | null | undefined): Usage | null {
  if (!u || typeof u !== "object") return null;
  return usageWithCache(u.input_tokens, u.output_tokens, u.cache_read_input_tokens, u.cache_creation_input_tokens);
}

/** stop_reason as OpenAI's finish_reason. */
export function finishReason(stop: string | null | undefined): FinishReason {
  switch (stop) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "refusal":
      return "content_filter";
    default:
      return "stop"; // end_turn, stop_sequence, pause_turn
  }
}

/** Reads a full Messages API answer into an OpenAI chat.completion. */
export function anthropicResponse(text: string, dep: Deployment, ctx: AdapterContext): TranslatedResponse {
  const parsed: AnthropicResponse = upstreamJson(text);
  if (!parsed || typeof parsed !== "object" || !Array.isArray(parsed.content)) throw upstreamUnreadable("The upstream answer has no 'content'.");

  let content = "";
  let json: string | undefined;
  let reasoning = "";
  const toolCalls: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }> = [];
  const thinkingBlocks: Array<Record<string, unknown>> = [];
  for (const block of parsed.content) {
    if (block.type === "text" && typeof block.text === "string") content += block.text;
    else if (block.type === "tool_use" && block.name === JSON_TOOL_NAME) json = JSON.stringify(block.input ?? {});
    else if (block.type === "tool_use") {
      toolCalls.push({ id: String(block.id ?? ""), type: "function", function: { name: String(block.name ?? ""), arguments: JSON.stringify(block.input ?? {}) } });
    } else if (block.type === "thinking") {
      reasoning += block.thinking ?? "";
      thinkingBlocks.push({ type: "thinking", thinking: block.thinking ?? "", signature: block.signature ?? "" });
    } else if (block.type === "redacted_thinking") thinkingBlocks.push({ type: "redacted_thinking", data: block.data ?? "" });
  }

  const message: Record<string, unknown> = { role: "assistant", content: json ?? (content || null) };
  if (toolCalls.length) message.tool_calls = toolCalls;
  if (reasoning) message.reasoning_content = reasoning;
  if (thinkingBlocks.length) message.thinking_blocks = thinkingBlocks;
  const finish = json !== undefined && parsed.stop_reason === "tool_use" ? "stop" : finishReason(parsed.stop_reason);
  const usage = anthropicUsage(parsed.usage);
  const out: Record<string, unknown> = {
    id: `chatcmpl-${ctx.requestId}`,
    object: "chat.completion",
    created: ctx.created,
    model: typeof parsed.model === "string" && parsed.model ? parsed.model : dep.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
  };
  if (usage) out.usage = toOpenAIUsage(usage);
  return { json: JSON.stringify(out), usage };
}
