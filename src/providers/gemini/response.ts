import type { Deployment } from "../../config/deployment";
import { GatewayError, upstreamJson, upstreamUnreadable } from "../../http/errors";
import type { FinishReason } from "../shared/chunks";
import type { AdapterContext, TranslatedResponse, Usage } from "../types";
import { toOpenAIUsage } from "../usage";
import { newToolCallId } from "./ids";
import type { Candidate, GenerateContentResponse, Part, UsageMetadata } from "./types";

const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/**
 * usageMetadata in OpenAI's terms: prompt = promptTokenCount (cached content included) plus the
 * tool-use prompt; completion = candidates + thoughts (both billed as output); reasoning_tokens =
 * thoughts; cached_tokens = cachedContentTokenCount.
 */
export function geminiUsage(u: UsageMetadata | null | undefined): Usage | null {
  if (!u || typeof u !== "object") return null;
  const prompt = num(u.promptTokenCount) + num(u.toolUsePromptTokenCount);
  const thoughts = num(u.thoughtsTokenCount);
  const completion = num(u.candidatesTokenCount) + thoughts;
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (u.thoughtsTokenCount != null) usage.reasoning_tokens = thoughts;
  if (u.cachedContentTokenCount != null) usage.cached_tokens = num(u.cachedContentTokenCount);
  return usage;
}

const FILTERED = new Set(["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION"]);

/** finishReason as OpenAI's finish_reason (a stop that made function calls is `tool_calls`). */
export function finishReason(reason: string | undefined, toolCalls: boolean): FinishReason {
  if (reason === "MAX_TOKENS") return "length";
  if (reason && FILTERED.has(reason)) return "content_filter";
  return toolCalls ? "tool_calls" : "stop"; // STOP, OTHER, LANGUAGE, MALFORMED_FUNCTION_CALL, ...
}

/** A prompt Gemini refused to answer at all (promptFeedback.blockReason, no candidates) as a 400. */
export function blockedPrompt(res: GenerateContentResponse): GatewayError | undefined {
  const reason = res.promptFeedback?.blockReason;
  if (!reason || res.candidates?.length) return undefined;
  const detail = res.promptFeedback?.blockReasonMessage ? ` ${res.promptFeedback.blockReasonMessage}` : "";
  return new GatewayError(400, `The prompt was blocked by gemini's content filter (${reason}).${detail}`, "invalid_request_error", "content_policy_violation");
}

interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** A function call part as an OpenAI tool call (its thought signature carried in the id). */
export function toolCallOf(part: Part): ToolCall {
  const call = part.functionCall!;
  return { id: newToolCallId(part.thoughtSignature), type: "function", function: { name: String(call.name ?? ""), arguments: JSON.stringify(call.args ?? {}) } };
}

function choiceOf(c: Candidate, i: number): Record<string, unknown> {
  let content = "";
  let reasoning = "";
  const toolCalls: ToolCall[] = [];
  for (const part of c.content?.parts ?? []) {
    if (part.functionCall) toolCalls.push(toolCallOf(part));
    else if (typeof part.text === "string") {
      if (part.thought) reasoning += part.text;
      else content += part.text;
    }
  }
  const message: Record<string, unknown> = { role: "assistant", content: content || null };
  if (toolCalls.length) message.tool_calls = toolCalls;
  if (reasoning) message.reasoning_content = reasoning;
  return { index: typeof c.index === "number" ? c.index : i, message, logprobs: null, finish_reason: finishReason(c.finishReason, toolCalls.length > 0) };
}

function parseResponse(text: string): GenerateContentResponse {
  const parsed = upstreamJson(text);
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw upstreamUnreadable("The upstream answer is not a JSON object.");
  return parsed as GenerateContentResponse;
}

/** Reads a full generateContent answer into an OpenAI chat.completion: one choice per candidate. */
export function geminiResponse(text: string, dep: Deployment, ctx: AdapterContext): TranslatedResponse {
  const res = parseResponse(text);
  const blocked = blockedPrompt(res);
  if (blocked) throw blocked;
  if (!Array.isArray(res.candidates) || res.candidates.length === 0) throw upstreamUnreadable("The upstream answer has no 'candidates'.");
  const choices = res.candidates.map(choiceOf).sort((a, b) => (a.index as number) - (b.index as number));
  const usage = geminiUsage(res.usageMetadata);
  const out: Record<string, unknown> = {
    id: `chatcmpl-${ctx.requestId}`,
    object: "chat.completion",
    created: ctx.created,
    model: typeof res.modelVersion === "string" && res.modelVersion ? res.modelVersion : dep.model,
    choices,
  };
  if (usage) out.usage = toOpenAIUsage(usage);
  return { json: JSON.stringify(out), usage };
}
