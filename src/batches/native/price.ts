import type { Deployment } from "../../config/deployment";
import type { Usage } from "../../providers/types";
import { priceCall } from "../../spend/pricing";

/**
 * OpenAI's and Azure's Batch APIs bill half the live price. @pydantic/genai-prices (the price
 * table the gateway ships) records no batch rates, only live ones, so a native batch's line is
 * priced at this share of its live price (config prices included); null when the model has no price.
 */
export const BATCH_PRICE_SHARE = 0.5;

export function batchPrice(dep: Deployment, usage: Usage): number | null {
  const live = priceCall(dep, usage);
  return live === null ? null : live * BATCH_PRICE_SHARE;
}

const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v >= 0 ? v : 0);

/** The usage of one answer in a result line: chat and embeddings (`prompt_tokens`), Responses (`input_tokens`). */
export function lineUsage(body: unknown): Usage | null {
  const u = (body as { usage?: Record<string, unknown> } | null)?.usage;
  if (!u || typeof u !== "object") return null;
  const prompt = n(u.prompt_tokens ?? u.input_tokens);
  const completion = n(u.completion_tokens ?? u.output_tokens);
  const inDetails = (u.prompt_tokens_details ?? u.input_tokens_details) as Record<string, unknown> | undefined;
  const outDetails = (u.completion_tokens_details ?? u.output_tokens_details) as Record<string, unknown> | undefined;
  const usage: Usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  if (inDetails && n(inDetails.cached_tokens)) usage.cached_tokens = n(inDetails.cached_tokens);
  if (outDetails && n(outDetails.reasoning_tokens)) usage.reasoning_tokens = n(outDetails.reasoning_tokens);
  return usage;
}
