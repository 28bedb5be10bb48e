import { documentTexts } from "../../api/rerank";
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
    const body: Record<string, unknown> = { model: dep.model, query: req.query, documents: documentTexts(req) };
    if (req.top_n != null) body.top_n = req.top_n;
    if (req.max_tokens_per_doc != null) body.max_tokens_per_doc = req.max_tokens_per_doc;
    return new Request(`${cohereBase(dep)}/v2/rerank`, { method: "POST", headers: cohereHeaders(dep), body: JSON.stringify(body) });
  },
  response(text, req, _dep, ctx) {
    const r = parseJson(text, "Cohere");
    const meta = (r.meta ?? {}) as { billed_units?: Record<string, unknown>; tokens?: Record<string, unknown> };
    return rerankAnswer(
      req,
      { id: typeof r.id === "string" ? r.id : undefined, results: r.results, searchUnits: numField(meta.billed_units?.search_units), inputTokens: numField(meta.tokens?.input_tokens) },
      ctx.requestId,
    );
  },
  error: cohereError,
};
