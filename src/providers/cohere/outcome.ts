import type { GatewayError } from "../../http/errors";
import { timeoutError, upstreamUnreadable } from "../../http/errors";
import type { FinishReason } from "../shared/chunks";
import type { Usage } from "../types";
import type { CohereUsageWire } from "./types";

/**
 * Cohere's finish_reason as OpenAI's: COMPLETE and STOP_SEQUENCE -> stop, MAX_TOKENS -> length,
 * TOOL_CALL -> tool_calls (anything new -> stop). ERROR and TIMEOUT are failures, not finishes:
 * see failureOf.
 */
export function finishReason(r: string | undefined): FinishReason {
  if (r === "MAX_TOKENS") return "length";
  if (r === "TOOL_CALL") return "tool_calls";
  return "stop";
}

/**
 * A generation Cohere did not complete: ERROR ("failed due to an internal error") is a 502 and
 * TIMEOUT ("exceeded the allowed time limit") a 408, both retryable. OpenAI has no finish_reason
 * for either, and answering `stop` would pass a cut-off answer off as a whole one.
 */
export function failureOf(r: string | undefined, detail?: string): GatewayError | undefined {
  const why = detail ? `: ${detail}` : ".";
  if (r === "ERROR") return upstreamUnreadable(`Cohere's generation failed (finish_reason ERROR)${why}`);
  if (r === "TIMEOUT") return timeoutError(`Cohere stopped the generation at its time limit (finish_reason TIMEOUT)${why}`);
  return undefined;
}

const count = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : 0);

/**
 * Usage as Cohere bills it: `billed_units` (what Cohere charges, and what per-token prices apply
 * to), else `tokens`. `tokens.input_tokens` also counts Cohere's own prompt template, which is not
 * billed (507 tokens for a 12-token billed prompt in the recorded stream). `cached_tokens` counts
 * prompt tokens of that larger total, so it is reported only when it fits within the billed prompt;
 * otherwise it is left out: 448 cached of 12 prompt tokens would mislead clients and pricing alike.
 */
export function cohereUsage(u: CohereUsageWire | undefined): Usage | null {
  if (!u || typeof u !== "object") return null;
  const src = u.billed_units ?? u.tokens;
  if (!src) return null;
  const prompt = count(src.input_tokens);
  const completion = count(src.output_tokens);
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (typeof u.cached_tokens === "number" && u.cached_tokens >= 0 && u.cached_tokens <= prompt) usage.cached_tokens = u.cached_tokens;
  return usage;
}
