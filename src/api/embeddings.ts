import * as z from "zod/mini";
import { parseBody } from "./parse";
import { invalidRequest } from "../http/errors";

const tokens = z.array(z.number().check(z.int()));

/** OpenAI's embeddings request. */
const embeddingsRequestSchema = z.looseObject({
  model: z.string().check(z.minLength(1, "model is required")),
  input: z.union([
    z.string(),
    z.array(z.string()).check(z.minLength(1, "input must not be empty"), z.maxLength(2048)),
    tokens.check(z.minLength(1, "input must not be empty")),
    z.array(tokens).check(z.minLength(1, "input must not be empty"), z.maxLength(2048)),
  ]),
  encoding_format: z.optional(z.nullable(z.enum(["float", "base64"]))),
  dimensions: z.optional(z.nullable(z.number().check(z.int(), z.positive()))),
  user: z.optional(z.string()),
  input_type: z.optional(z.string()),
  drop_params: z.optional(z.boolean()),
  metadata: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
});

export type EmbeddingsRequest = z.infer<typeof embeddingsRequestSchema>;

export const parseEmbeddingsRequest = (body: unknown): EmbeddingsRequest => parseBody(embeddingsRequestSchema, body);

/** The input as a list of strings; token-id inputs are refused for providers that take only text. */
export function inputTexts(req: EmbeddingsRequest, provider: string): string[] {
  const input = req.input;
  if (typeof input === "string") return [input];
  if (input.every((x) => typeof x === "string")) return input as string[];
  throw invalidRequest(`${provider} takes text inputs only, not token ids.`, "input");
}
