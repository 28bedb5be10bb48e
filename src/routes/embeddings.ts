import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { invalidRequest } from "../http/errors";
import { readJson } from "../http/json";
import { finishCall, sendUpstream, startCall } from "./call";
import { parseEmbeddingsRequest } from "./embeddings-schema";

/** POST /v1/embeddings: like a non-streamed chat call, through the provider's embeddings adapter. */
export async function embeddings(c: Context<AppEnv>): Promise<Response> {
  const req = parseEmbeddingsRequest(await readJson(c));
  const call = await startCall(c, req, { stream: false, includeUsage: false, route: "embeddings" });
  const { dep, ctx } = call;
  const adapter = call.provider.embeddings;
  if (!adapter) throw call.fail(invalidRequest(`The model '${req.model}' is served by ${dep.provider}, which has no embeddings API on this gateway.`, "model"));
  const sent = await sendUpstream(c, call, () => adapter.request(req, dep, ctx), (s, t, h) => adapter.error(s, t, h, dep));
  return finishCall(c, call, sent, (text) => adapter.response(text, req, dep, ctx));
}
