import type { Deployment } from "../../config/deployment";
import { invalidRequest, upstreamJson, upstreamUnreadable } from "../../http/errors";
import { inputTexts, type EmbeddingsRequest } from "../../api/embeddings";
import { embeddingsList, estimateTokens } from "../shared/embeddings";
import type { TranslatedResponse, Usage } from "../types";
import type { Json } from "./types";

const TASK_TYPES = new Set(["RETRIEVAL_QUERY", "RETRIEVAL_DOCUMENT", "SEMANTIC_SIMILARITY", "CLASSIFICATION", "CLUSTERING", "QUESTION_ANSWERING", "FACT_VERIFICATION", "CODE_RETRIEVAL_QUERY"]);

/** Cohere's input_type names (LiteLLM passes them on) for Google's task types. */
const ALIASES: Record<string, string> = {
  search_query: "RETRIEVAL_QUERY",
  search_document: "RETRIEVAL_DOCUMENT",
  classification: "CLASSIFICATION",
  clustering: "CLUSTERING",
};

/** `input_type` as Google's embedding task type (a Google name, or Cohere's); anything else is a 400. */
export function taskType(req: EmbeddingsRequest, provider: string): string | undefined {
  const t = req.input_type;
  if (!t) return undefined;
  const mapped = ALIASES[t] ?? t.toUpperCase();
  if (TASK_TYPES.has(mapped)) return mapped;
  throw invalidRequest(`'input_type' '${t}' is not a ${provider} task type (one of ${[...TASK_TYPES].join(", ").toLowerCase()}).`, "input_type");
}

/** The batchEmbedContents body: one request per input text, all for the deployment's model. */
export function batchEmbedBody(req: EmbeddingsRequest, dep: Deployment): Json {
  const texts = inputTexts(req, "gemini");
  const task = taskType(req, "gemini");
  const model = `models/${dep.model.replace(/^models\//, "")}`;
  return {
    requests: texts.map((text) => {
      const r: Json = { model, content: { parts: [{ text }] } };
      if (req.dimensions != null) r.outputDimensionality = req.dimensions;
      if (task) r.taskType = task;
      return r;
    }),
  };
}

export function parseJson(text: string): Json {
  const parsed = upstreamJson(text);
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw upstreamUnreadable("The upstream answer is not a JSON object.");
  return parsed as Json;
}

export function vector(v: unknown, at: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === "number")) throw upstreamUnreadable(`The upstream's embeddings answer has no vector at ${at}.`);
  return v;
}

/**
 * batchEmbedContents' answer ({embeddings: [{values}]}) as OpenAI's list. Gemini reports no token
 * counts for embeddings: the usage is estimated from the input's characters (about 4 a token),
 * and says so (`"estimated": true`).
 */
export function batchEmbedResponse(text: string, req: EmbeddingsRequest, dep: Deployment): TranslatedResponse {
  const parsed = parseJson(text);
  const embeddings = parsed.embeddings;
  const texts = inputTexts(req, "gemini");
  if (!Array.isArray(embeddings) || embeddings.length !== texts.length) throw upstreamUnreadable("The upstream's embeddings answer does not hold one embedding per input.");
  const vectors = embeddings.map((e, i) => vector((e as Json | null)?.values, `embeddings[${i}].values`));
  const tokens = estimateTokens(texts);
  const usage: Usage = { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens };
  const json = embeddingsList(vectors, dep.model, usage, req.encoding_format);
  return { json: json.endsWith("}}") ? `${json.slice(0, -2)},"estimated":true}}` : json, usage };
}
