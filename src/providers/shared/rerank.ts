import { documentTexts, type RerankRequest } from "../../api/rerank";
import { upstreamUnreadable } from "../../http/errors";
import type { TranslatedResponse, Usage } from "../types";

type Json = Record<string, unknown>;
const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

interface RerankParts {
  id?: string;
  results: unknown;
  searchUnits?: number;
  inputTokens?: number;
}

/** Parses an upstream's JSON answer (502 when it is not JSON). */
export function parseJson(text: string, provider: string): Json {
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === "object" && !Array.isArray(v)) return v as Json;
  } catch {
    /* below */
  }
  throw upstreamUnreadable(`${provider} answered with a body that is not a JSON object.`);
}

/**
 * LiteLLM's rerank answer: `{id, results: [{index, relevance_score, document?: {text}}], meta:
 * {billed_units: {search_units}, tokens: {input_tokens, output_tokens}}}`. The documents come from
 * the request (Cohere's v2 API returns none), only with `return_documents: true`.
 */
export function rerankAnswer(req: RerankRequest, parts: RerankParts, requestId: string): TranslatedResponse & { searchUnits: number } {
  if (!Array.isArray(parts.results)) throw upstreamUnreadable("The upstream's rerank answer has no results.");
  const texts = documentTexts(req);
  const results = parts.results.map((r) => {
    const o = (r ?? {}) as Json;
    const index = num(o.index);
    const score = num(o.relevance_score);
    if (index === undefined || score === undefined || !Number.isInteger(index) || index < 0 || index >= texts.length) {
      throw upstreamUnreadable("The upstream's rerank answer has a result without a valid index and relevance_score.");
    }
    return req.return_documents ? { index, relevance_score: score, document: { text: texts[index]! } } : { index, relevance_score: score };
  });
  const searchUnits = parts.searchUnits ?? 1;
  const tokens = parts.inputTokens ?? 0;
  const usage: Usage = { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens };
  const body = {
    id: parts.id ?? requestId,
    results,
    meta: { billed_units: { search_units: searchUnits, ...(parts.inputTokens !== undefined ? { total_tokens: tokens } : {}) }, tokens: { input_tokens: tokens, output_tokens: 0 } },
  };
  return { json: JSON.stringify(body), usage, searchUnits };
}

export const numField = num;
