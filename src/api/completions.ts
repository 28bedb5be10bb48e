import * as z from "zod/mini";

/** OpenAI's legacy completions request; fields it does not name pass through to the upstream. */
export const completionsSchema = z.looseObject({
  model: z.string().check(z.minLength(1, "model is required")),
  prompt: z.union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))]),
  stream: z.optional(z.nullable(z.boolean())),
  stream_options: z.optional(z.nullable(z.looseObject({ include_usage: z.optional(z.boolean()) }))),
  max_tokens: z.optional(z.nullable(z.number().check(z.int(), z.gte(0)))),
  n: z.optional(z.nullable(z.number().check(z.int(), z.gte(1), z.lte(128)))),
  best_of: z.optional(z.nullable(z.number().check(z.int(), z.gte(1), z.lte(128)))),
  user: z.optional(z.string()),
  metadata: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  drop_params: z.optional(z.boolean()),
  fallbacks: z.optional(z.array(z.string().check(z.minLength(1))).check(z.maxLength(10))),
  num_retries: z.optional(z.number().check(z.int(), z.gte(0), z.lte(10))),
});
export type CompletionsRequest = z.infer<typeof completionsSchema>;

/** How many completions a legacy request generates: `best_of` (or `n`) for each prompt of a batch. */
export function completionCount(req: CompletionsRequest): number {
  const prompts = Array.isArray(req.prompt) && req.prompt.length > 0 && typeof req.prompt[0] !== "number" ? req.prompt.length : 1;
  return prompts * Math.max(req.n ?? 1, req.best_of ?? 1);
}
