import type { Context } from "hono";
import { parseChatRequest } from "../api/chat";
import type { AppEnv } from "../app-env";
import { chatCall } from "../gateway/calls/chat";
import { httpCallContext } from "../gateway/context";
import { callModel } from "../gateway/pipeline";
import { readJson } from "../http/json";
import { batchCompletions, batchModels } from "./chat-batch";

/** POST /v1/chat/completions. */
export async function chatCompletions(c: Context<AppEnv>): Promise<Response> {
  const req = parseChatRequest(await readJson(c));
  const models = batchModels(req);
  if (models) return batchCompletions(httpCallContext(c), req, models);
  return callModel(httpCallContext(c), chatCall(req));
}
