import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { parseResponsesRequest } from "../formats/responses/schema";
import { responsesCall } from "../gateway/calls/responses";
import { httpCallContext } from "../gateway/context";
import { callModel } from "../gateway/pipeline";
import { readJson } from "../http/json";

/** POST /v1/responses. */
export async function responses(c: Context<AppEnv>): Promise<Response> {
  const raw = (await readJson(c)) as Record<string, unknown>;
  return callModel(httpCallContext(c), responsesCall(raw, parseResponsesRequest(raw), c.get("requestId"), c.get("config").settings.dropParams));
}
