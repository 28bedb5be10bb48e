import type { Context } from "hono";
import { documentTexts, parseRerankRequest, type RerankRequest } from "../api/rerank";
import type { AppEnv } from "../app-env";
import { fetchAnswer } from "../gateway/attempt";
import { httpCallContext } from "../gateway/context";
import { callModel } from "../gateway/pipeline";
import type { ModelCall } from "../gateway/types";
import { invalidRequest } from "../http/errors";
import { readJson } from "../http/json";
import { estimateTokens } from "../spend/estimate";

/**
 * A rerank as a model call, through the provider's rerank adapter (Cohere v2, or the Jina/Voyage/
 * vLLM family). Priced per search unit with `input_cost_per_query` when the deployment sets it
 * (LiteLLM's way; a provider that bills none counts one per request), else by the tokens the
 * provider reports (per-token costs or the price table), else unpriced.
 */
function rerankCall(req: RerankRequest): ModelCall {
  return {
    route: "rerank",
    request: req,
    body: req,
    stream: false,
    includeUsage: false,
    estimate: () => ({ promptTokens: estimateTokens(req.query) * documentTexts(req).length + estimateTokens(documentTexts(req).join("")), maxCompletionTokens: 0 }),
    async attempt(a) {
      const adapter = a.provider.rerank;
      if (!adapter) throw invalidRequest(`The model '${req.model}' is served by ${a.dep.provider}, which has no rerank API on this gateway.`, "model");
      let units = 1;
      const answer = await fetchAnswer(
        a,
        () => adapter.request(req, a.dep, a.ctx),
        (s, t, h) => adapter.error(s, t, h, a.dep),
        (text) => {
          const r = adapter.response(text, req, a.dep, a.ctx);
          units = r.searchUnits;
          return { json: r.json, usage: r.usage };
        },
      );
      const perQuery = a.dep.costs.perQuery;
      return { kind: "answer", answer: perQuery !== undefined ? { ...answer, cost: units * perQuery } : answer };
    },
  };
}

/** POST /v1/rerank (also /rerank and /v2/rerank, as LiteLLM serves it). */
export async function rerank(c: Context<AppEnv>): Promise<Response> {
  return callModel(httpCallContext(c), rerankCall(parseRerankRequest(await readJson(c))));
}
