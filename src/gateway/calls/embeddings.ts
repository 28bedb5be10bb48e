import type { EmbeddingsRequest } from "../../api/embeddings";
import { fetchAnswer } from "../attempt";
import type { ModelCall } from "../types";
import { invalidRequest } from "../../http/errors";
import { joinEmbeddingLists } from "../../providers/shared/embeddings";
import { estimateTokens } from "../../spend/estimate";

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
