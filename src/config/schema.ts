import { formatPath } from "../api/parse";
import * as z from "zod/mini";

const num = z.number();

/** `model_list[].litellm_params`: LiteLLM's names. Provider-specific extras pass through (looseObject). */
export const litellmParamsSchema = z.looseObject({
  model: z.string().check(z.minLength(1, "must name the upstream model, e.g. openai/gpt-4o")),
  api_base: z.optional(z.string()),
  api_key: z.optional(z.string()),
  api_version: z.optional(z.string()),
  rpm: z.optional(num),
  tpm: z.optional(num),
  timeout: z.optional(num),
  stream_timeout: z.optional(num),
  weight: z.optional(num),
  order: z.optional(num),
  input_cost_per_token: z.optional(num),
  output_cost_per_token: z.optional(num),
  cache_read_input_token_cost: z.optional(num),
  cache_creation_input_token_cost: z.optional(num),
  output_cost_per_reasoning_token: z.optional(num),
  input_cost_per_second: z.optional(num),
  input_cost_per_character: z.optional(num),
  output_cost_per_image: z.optional(num),
  input_cost_per_query: z.optional(num),
  input_cost_per_token_batches: z.optional(num),
  output_cost_per_token_batches: z.optional(num),
  /** Names the provider instead of the model's prefix; read only when it is a string. */
  custom_llm_provider: z.optional(z.unknown()),
});

/** `model_list[].model_info`: the fields the gateway reads (others are listed as ignored at /health/readiness). */
export const modelInfoSchema = z.looseObject({
  id: z.optional(z.string()),
  base_model: z.optional(z.string()),
  access_groups: z.optional(z.array(z.string().check(z.minLength(1)))),
  // LiteLLM reads the batch prices from model_info too (litellm_params wins).
  input_cost_per_token_batches: z.optional(num),
  output_cost_per_token_batches: z.optional(num),
});

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
