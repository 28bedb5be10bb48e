import type { Deployment } from "../../config/deployment";
import { upstreamJson, upstreamUnreadable } from "../../http/errors";
import type { FinishReason } from "../shared/chunks";
import type { AdapterContext, TranslatedResponse, Usage } from "../types";
import { toOpenAIUsage, usageWithCache } from "../usage";
import { modelName } from "./models";
import { JSON_TOOL_NAME, type ConverseResponse, type ConverseUsage } from "./types";

/**
 * Converse usage in OpenAI's terms: `inputTokens` excludes the prompt tokens read from or written
 * to the cache, so prompt_tokens is their sum; cached_tokens are the reads, cache_creation_tokens
 * the writes.
 */
export function converseUsage(u: ConverseUsage | null | undefined): Usage | null {
  if (!u || typeof u !== "object") return null;
  return usageWithCache(u.inputTokens, u.outputTokens, u.cacheReadInputTokens, u.cacheWriteInputTokens);
}

/** Converse's stopReason as OpenAI's finish_reason. */
export function finishReason(stop: string | null | undefined): FinishReason {
  switch (stop) {
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool_calls";
    case "guardrail_intervened":
    case "content_filtered":
      return "content_filter";
    default:
      return "stop"; // end_turn, stop_sequence
  }
}

/** Reads a full Converse answer into an OpenAI chat.completion. */
export function converseResponse(text: string, dep: Deployment, ctx: AdapterContext): TranslatedResponse {
  const parsed: ConverseResponse = upstreamJson(text);
  const blocks = parsed && typeof parsed === "object" ? parsed.output?.message?.content : undefined;
  if (!Array.isArray(blocks)) throw upstreamUnreadable("The upstream answer has no 'output.message.content'.");

  let content = "";
  let json: string | undefined;
  let reasoning = "";
  const toolCalls: Array<{ id: string; type: "function"; function: { name: string; arguments: string } }> = [];
  const thinkingBlocks: Array<Record<string, unknown>> = [];
  for (const block of blocks) {
    if (!block || typeof block !== "object") continue;
    if (typeof block.text === "string") content += block.text;
    else if (block.toolUse && block.toolUse.name === JSON_TOOL_NAME) json = JSON.stringify(block.toolUse.input ?? {});
    else if (block.toolUse) {
      const use = block.toolUse;
      toolCalls.push({ id: String(use.toolUseId ?? ""), type: "function", function: { name: String(use.name ?? ""), arguments: JSON.stringify(use.input ?? {}) } });
    } else if (block.reasoningContent?.reasoningText) {
      const r = block.reasoningContent.reasoningText;
      reasoning += r.text ?? "";
      thinkingBlocks.push({ type: "thinking", thinking: r.text ?? "", signature: r.signature ?? "" });
    } else if (typeof block.reasoningContent?.redactedContent === "string") {
      thinkingBlocks.push({ type: "redacted_thinking", data: block.reasoningContent.redactedContent });
    }
  }

  const message: Record<string, unknown> = { role: "assistant", content: json ?? (content || null) };
  if (toolCalls.length) message.tool_calls = toolCalls;
  if (reasoning) message.reasoning_content = reasoning;
  if (thinkingBlocks.length) message.thinking_blocks = thinkingBlocks;
  const finish = json !== undefined && parsed.stopReason === "tool_use" ? "stop" : finishReason(parsed.stopReason);
  const usage = converseUsage(parsed.usage);
  const out: Record<string, unknown> = {
    id: `chatcmpl-${ctx.requestId}`,
    object: "chat.completion",
    created: ctx.created,
    model: modelName(dep),
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
  };
  if (usage) out.usage = toOpenAIUsage(usage);
  return { json: JSON.stringify(out), usage };
}
