import { invalidRequest } from "../../http/errors";
import { documentTexts } from "../../api/rerank";
import { upstreamUnreadable } from "../../http/errors";
import { parseJson, numField, rerankAnswer } from "../shared/rerank";
import type { ModerationsAdapter, RerankAdapter, Usage } from "../types";
import { compatBaseUrl, compatError, compatHeaders } from "./adapter";
import type { CompatProvider } from "./table";

/** OpenAI's moderations: `{input, model}` to {base}/moderations, the answer passed on as it came (OpenAI's has no usage: the input is estimated). */
export function compatModerations(quirks: CompatProvider): ModerationsAdapter {
  return {
    request(req, dep) {
      const body = { input: req.input, model: dep.model };
      return new Request(`${compatBaseUrl(dep, quirks)}/moderations`, { method: "POST", headers: compatHeaders(dep), body: JSON.stringify(body) });
    },
    response(text, req) {
      const r = parseJson(text, "The upstream");
      if (!Array.isArray(r.results)) throw upstreamUnreadable("The upstream's moderations answer has no results.");
      const tokens = Math.ceil(JSON.stringify(req.input).length / 4);
      const usage: Usage = { prompt_tokens: tokens, completion_tokens: 0, total_tokens: tokens };
      return { json: text, usage };
    },
    error: compatError,
  };
}

/**
 * The Jina-style rerank of the OpenAI-compatible family ({base}/rerank with `model`, `query`,
 * `documents`, `top_n`; answered with `results` and `usage`): Jina, vLLM, Infinity and the like.
 * Voyage takes `top_k` and answers `data`.
 */
export function compatRerank(quirks: CompatProvider): RerankAdapter {
  const voyage = quirks.rerank === "voyage";
  return {
    request(req, dep, ctx) {
      // Neither Jina's nor Voyage's nor vLLM's rerank has Cohere's per-document token cap.
      if (req.max_tokens_per_doc != null && !ctx.dropParams) {
        throw invalidRequest("The parameter 'max_tokens_per_doc' is not supported by this provider's rerank API. Remove it, or set drop_params: true to drop it.", "max_tokens_per_doc");
      }
      const body: Record<string, unknown> = { model: dep.model, query: req.query, documents: documentTexts(req) };
      if (req.top_n != null) body[voyage ? "top_k" : "top_n"] = req.top_n;
      return new Request(`${compatBaseUrl(dep, quirks)}/rerank`, { method: "POST", headers: compatHeaders(dep), body: JSON.stringify(body) });
    },
    response(text, req, _dep, ctx) {
      const r = parseJson(text, "The upstream");
      const usage = (r.usage ?? {}) as Record<string, unknown>;
      const meta = (r.meta ?? {}) as { billed_units?: Record<string, unknown> };
      return rerankAnswer(
        req,
        {
          id: typeof r.id === "string" ? r.id : undefined,
          results: voyage ? r.data : r.results,
          searchUnits: numField(meta.billed_units?.search_units),
          inputTokens: numField(usage.prompt_tokens) ?? numField(usage.total_tokens),
        },
        ctx.requestId,
      );
    },
    error: compatError,
    unsupported: ["max_tokens_per_doc"],
  };
}
