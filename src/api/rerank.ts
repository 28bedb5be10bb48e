import * as z from "zod/mini";
import { invalidRequest } from "../http/errors";
import { parseBody } from "./parse";

const positiveInt = z.number().check(z.int(), z.positive());

/** LiteLLM's rerank request (Cohere's shape): documents as strings or `{text}` objects. */
const rerankRequestSchema = z.looseObject({
  model: z.string().check(z.minLength(1, "model is required")),
  query: z.string().check(z.minLength(1, "query must not be empty")),
  documents: z.array(z.union([z.string(), z.looseObject({ text: z.string() })])).check(z.minLength(1, "documents must not be empty"), z.maxLength(10_000)),
  top_n: z.optional(z.nullable(positiveInt)),
  return_documents: z.optional(z.nullable(z.boolean())),
  max_tokens_per_doc: z.optional(z.nullable(positiveInt)),
  user: z.optional(z.string()),
  metadata: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  fallbacks: z.optional(z.array(z.string().check(z.minLength(1))).check(z.maxLength(10))),
  num_retries: z.optional(z.number().check(z.int(), z.gte(0), z.lte(10))),
});

export type RerankRequest = z.infer<typeof rerankRequestSchema>;

/** A 400 naming the field for what the gateway does not do with a rerank (rank_fields, max_chunks_per_doc: Cohere v1 only). */
const REFUSED = ["rank_fields", "max_chunks_per_doc"] as const;

export function parseRerankRequest(body: unknown): RerankRequest {
  const req = parseBody(rerankRequestSchema, body);
  for (const f of REFUSED) {
    if ((req as Record<string, unknown>)[f] != null) throw invalidRequest(`'${f}' is not supported by the gateway's rerank (Cohere's v2 API has no such field): send documents as strings.`, f);
  }
  return req;
}

/** The documents as the texts providers take. */
export const documentTexts = (req: RerankRequest): string[] => req.documents.map((d) => (typeof d === "string" ? d : d.text));
