import * as z from "zod/mini";

/** OpenAI's legacy completions request; fields it does not name pass through to the upstream. */
export const completionsSchema = z.looseObject({
  model: z.string().check(z.minLength(1, "model is required")),
  prompt: z.union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))]),
  stream: z.optional(z.nullable(z.boolean())),
  stream_options: z.optional(z.nullable(z.looseObject({ include_usage: z.optional(z.boolean()) }))),
  max_tokens: z.optional(z.nullable(z.number().check(z.int(), z.gte(0)))),
  user: z.optional(z.string()),
  metadata: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  drop_params: z.optional(z.boolean()),
});
export type CompletionsRequest = z.infer<typeof completionsSchema>;
