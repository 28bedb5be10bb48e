import type { Context } from "hono";
import { type EmbeddingsRequest, parseEmbeddingsRequest } from "../api/embeddings";
import type { AppEnv } from "../app-env";
import { fetchAnswer } from "../gateway/attempt";
import { httpCallContext } from "../gateway/context";
import { callModel } from "../gateway/pipeline";
import type { ModelCall } from "../gateway/types";
import { invalidRequest } from "../http/errors";
import { readJson } from "../http/json";
import { joinEmbeddingLists } from "../providers/shared/embeddings";
import { estimateTokens } from "../spend/estimate";

/** An embeddings request as a model call, through the provider's embeddings adapter (split when it embeds one input per call). */
export function embeddingsCall(req: EmbeddingsRequest): ModelCall {
  return {
    route: "embeddings",
    request: req,
    body: req,
    stream: false,
    includeUsage: false,
    estimate: () => ({ promptTokens: estimateTokens(JSON.stringify(req.input)), maxCompletionTokens: 0 }),
    async attempt(a) {
      const adapter = a.provider.embeddings;
      if (!adapter) throw invalidRequest(`The model '${req.model}' is served by ${a.dep.provider}, which has no embeddings API on this gateway.`, "model");
      const parts = adapter.split?.(req, a.dep, a.ctx) ?? [req];
      const one = (part: EmbeddingsRequest) =>
        fetchAnswer(
          a,
          () => adapter.request(part, a.dep, a.ctx),
          (s, t, h) => adapter.error(s, t, h, a.dep),
          (text) => adapter.response(text, part, a.dep, a.ctx),
        );
      const answer = parts.length === 1 ? await one(parts[0]!) : joinEmbeddingLists(await Promise.all(parts.map(one)));
      return { kind: "answer", answer };
    },
  };
}

/** POST /v1/embeddings. */
export async function embeddings(c: Context<AppEnv>): Promise<Response> {
  return callModel(httpCallContext(c), embeddingsCall(parseEmbeddingsRequest(await readJson(c))));
}
