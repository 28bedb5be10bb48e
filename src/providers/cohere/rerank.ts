import type { Deployment } from "../../config/deployment";
import { documentTexts, type RerankRequest } from "../../api/rerank";
import type { RerankAdapter } from "../types";
import { parseJson, numField, rerankAnswer } from "../shared/rerank";
import { cohereError } from "./errors";
import { cohereBase, cohereHeaders } from "./http";

/**
 * Cohere's v2 rerank (POST {api_base}/v2/rerank): `model`, `query`, `documents` (strings),
 * `top_n`, `max_tokens_per_doc`; the answer's `results` and `meta.billed_units.search_units`.
 */
export const cohereRerank: RerankAdapter = {
  request(req, dep) {
    return new Request(`${cohereBase(dep)}/v2/rerank`, { method: "POST", headers: cohereHeaders(dep), body: cohereRerankBody(req, dep) });
  },
  response: (text, req, _dep, ctx) => cohereRerankAnswer(text, req, ctx.requestId, "Cohere"),
  error: cohereError,
};

/** Cohere's rerank request body (also Azure AI's, which serves Cohere's rerank). */
export function cohereRerankBody(req: RerankRequest, dep: Deployment): string {
  const body: Record<string, unknown> = { model: dep.model, query: req.query, documents: documentTexts(req) };
  if (req.top_n != null) body.top_n = req.top_n;
  if (req.max_tokens_per_doc != null) body.max_tokens_per_doc = req.max_tokens_per_doc;
  return JSON.stringify(body);
}

/** Cohere's rerank answer (`results`, `meta.billed_units.search_units`, `meta.tokens`) in LiteLLM's shape; `who` names the upstream in errors. */
export function cohereRerankAnswer(text: string, req: RerankRequest, requestId: string, who: string): ReturnType<RerankAdapter["response"]> {
  const r = parseJson(text, who);
  const meta = (r.meta ?? {}) as { billed_units?: Record<string, unknown>; tokens?: Record<string, unknown> };
  return rerankAnswer(
    req,
    { id: typeof r.id === "string" ? r.id : undefined, results: r.results, searchUnits: numField(meta.billed_units?.search_units), inputTokens: numField(meta.tokens?.input_tokens) },
    requestId,
  );
}
