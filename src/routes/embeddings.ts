import type { Context } from "hono";
import { parseEmbeddingsRequest } from "../api/embeddings";
import type { AppEnv } from "../app-env";
import { embeddingsCall } from "../gateway/calls/embeddings";
import { httpCallContext } from "../gateway/context";
import { callModel } from "../gateway/pipeline";
import { readJson } from "../http/json";

/** POST /v1/embeddings. */
export async function embeddings(c: Context<AppEnv>): Promise<Response> {
  return callModel(httpCallContext(c), embeddingsCall(parseEmbeddingsRequest(await readJson(c))));
}
