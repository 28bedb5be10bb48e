import { formatPath } from "../api/parse";
import * as z from "zod/mini";

const num = z.number();
/** A price or a deployment's rpm/tpm: never negative (a negative price would credit every call). */
const amount = z.number().check(z.gte(0, "must be a number >= 0"));

/** LiteLLM's price fields (`input_cost_per_token`, `cache_read_input_token_cost`, ...), read or not. */
const COST_FIELD = /(^|_)cost(_|$)/;

/** Every price field of an object, the ones passed through unread too, is a number >= 0 when it is a number. */
export const noNegativeCosts = z.superRefine((o: Record<string, unknown>, ctx) => {
  for (const [k, v] of Object.entries(o)) {
    if (COST_FIELD.test(k) && typeof v === "number" && !(v >= 0)) ctx.addIssue({ code: "custom", message: "must be a number >= 0", path: [k], input: v });
  }
});

/** `model_list[].litellm_params`: LiteLLM's names. Provider-specific extras pass through (looseObject). */
const paramsShape = z.looseObject({
  model: z.string().check(z.minLength(1, "must name the upstream model, e.g. openai/gpt-4o")),
  api_base: z.optional(z.string()),
  api_key: z.optional(z.string()),
  api_version: z.optional(z.string()),
  rpm: z.optional(amount),
  tpm: z.optional(amount),
  timeout: z.optional(num),
  stream_timeout: z.optional(num),
  weight: z.optional(num),
  order: z.optional(num),
  input_cost_per_token: z.optional(amount),
  output_cost_per_token: z.optional(amount),
  cache_read_input_token_cost: z.optional(amount),
  cache_creation_input_token_cost: z.optional(amount),
  output_cost_per_reasoning_token: z.optional(amount),
  input_cost_per_second: z.optional(amount),
  input_cost_per_character: z.optional(amount),
  output_cost_per_image: z.optional(amount),
  input_cost_per_query: z.optional(amount),
  input_cost_per_token_batches: z.optional(amount),
  output_cost_per_token_batches: z.optional(amount),
  /** Names the provider instead of the model's prefix; read only when it is a string. */
  custom_llm_provider: z.optional(z.unknown()),
});
export const litellmParamsSchema = paramsShape.check(noNegativeCosts);
/** The same fields, each optional: what /model/update merges into a stored model's params. */
export const litellmParamsPatchSchema = z.partial(paramsShape).check(noNegativeCosts);

/** `model_list[].model_info`: the fields the gateway reads (others are listed as ignored at /health/readiness). */
export const modelInfoSchema = z
  .looseObject({
    id: z.optional(z.string()),
    base_model: z.optional(z.string()),
    access_groups: z.optional(z.array(z.string().check(z.minLength(1)))),
    // LiteLLM reads the batch prices from model_info too (litellm_params wins).
    input_cost_per_token_batches: z.optional(amount),
    output_cost_per_token_batches: z.optional(amount),
  })
  .check(noNegativeCosts);

export const modelEntrySchema = z.object({
  model_name: z.string().check(z.minLength(1, "must be a non-empty string")),
  litellm_params: litellmParamsSchema,
  model_info: z.optional(modelInfoSchema),
});

const settings = z.optional(z.nullable(z.record(z.string(), z.unknown())));

export const configSchema = z.object({
  model_list: z.optional(z.nullable(z.array(modelEntrySchema))),
  router_settings: settings,
  litellm_settings: settings,
  general_settings: settings,
  environment_variables: settings,
});

export type RawConfig = z.infer<typeof configSchema>;
export type ModelEntry = z.infer<typeof modelEntrySchema>;

export { formatPath };
