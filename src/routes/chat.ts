import type { Context } from "hono";
import { parseChatRequest } from "../api/chat";
import type { AppEnv } from "../app-env";
import { chatCall } from "../gateway/calls/chat";
import { httpCallContext } from "../gateway/context";
import { callModel } from "../gateway/pipeline";
import { readJson } from "../http/json";

/** POST /v1/chat/completions. */
export async function chatCompletions(c: Context<AppEnv>): Promise<Response> {
  return callModel(httpCallContext(c), chatCall(parseChatRequest(await readJson(c))));
}
