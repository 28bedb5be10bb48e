import type { Deployment } from "../../config/deployment";
import type { Usage } from "../../providers/types";
import { priceCall } from "../../spend/pricing";

/**
 * OpenAI's and Azure's Batch APIs bill half the live price. @pydantic/genai-prices (the price
 * table the gateway ships) records no batch rates, only live ones, so a native batch's line is
 * priced at this share of its live price (config prices included); null when the model has no price.
 */
export const BATCH_PRICE_SHARE = 0.5;

const share = (price: number | null) => (price === null ? null : price * BATCH_PRICE_SHARE);

/**
 * A native batch line's cost. input_cost_per_token_batches / output_cost_per_token_batches (LiteLLM's
 * fields, litellm_params or model_info) price their side of the line when set, every prompt or
 * completion token at that rate, as LiteLLM's batch cost does; a side without one is half its live price.
 */
export function batchPrice(dep: Deployment, usage: Usage): number | null {
  const { batchInput, batchOutput } = dep.costs;
  if (batchInput === undefined && batchOutput === undefined) return share(priceCall(dep, usage));
  const prompt =
    batchInput !== undefined ? usage.prompt_tokens * batchInput : share(priceCall(dep, { ...usage, completion_tokens: 0, total_tokens: usage.prompt_tokens, reasoning_tokens: undefined }));
  const completion =
    batchOutput !== undefined
      ? usage.completion_tokens * batchOutput
      : share(
          priceCall(dep, {
            prompt_tokens: 0,
            completion_tokens: usage.completion_tokens,
            total_tokens: usage.completion_tokens,
            ...(usage.reasoning_tokens !== undefined ? { reasoning_tokens: usage.reasoning_tokens } : {}),
          }),
        );
  return prompt === null || completion === null ? null : prompt + completion;
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
