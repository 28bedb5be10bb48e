import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { invalidRequest } from "../http/errors";
import { readJson } from "../http/json";
import { joinEmbeddingLists } from "../providers/shared/embeddings";
import { estimateTokens } from "../spend/estimate";
import { answer, fetchTranslated, routeCall } from "../gateway/call";
import { parseEmbeddingsRequest } from "../api/embeddings";

/** POST /v1/embeddings: like a non-streamed chat call, through the provider's embeddings adapter. */
export async function embeddings(c: Context<AppEnv>): Promise<Response> {
  const req = parseEmbeddingsRequest(await readJson(c));
  const { value, call } = await routeCall(c, req, { stream: false, includeUsage: false, route: "embeddings", estimate: () => ({ promptTokens: estimateTokens(JSON.stringify(req.input)), maxCompletionTokens: 0 }) }, (a) => {
    const adapter = a.provider.embeddings;
    if (!adapter) {
      throw invalidRequest(`The model '${req.model}' is served by ${a.dep.provider}, which has no embeddings API on this gateway.`, "model");
    }
    const parts = adapter.split?.(req, a.dep, a.ctx) ?? [req];
    const one = (part: typeof req) =>
      fetchTranslated(c, a, () => adapter.request(part, a.dep, a.ctx), (s, t, h) => adapter.error(s, t, h, a.dep), (text) => adapter.response(text, part, a.dep, a.ctx));
    return parts.length === 1 ? one(parts[0]!) : Promise.all(parts.map(one)).then(joinEmbeddingLists);
  });
  return answer(c, call, value);
}
