import type { Context } from "hono";
import { type ModerationsRequest, parseModerationsRequest } from "../api/moderations";
import type { AppEnv } from "../app-env";
import { answerOutcome } from "../gateway/attempt";
import { httpCallContext } from "../gateway/context";
import { callModel } from "../gateway/pipeline";
import type { ModelCall } from "../gateway/types";
import { invalidRequest } from "../http/errors";
import { readJson } from "../http/json";
import { estimateTokens } from "../spend/estimate";

/** A moderation as a model call, for OpenAI-compatible upstreams: the request and the answer pass through. */
function moderationsCall(req: ModerationsRequest): ModelCall {
  return {
    route: "moderations",
    request: req,
    body: req,
    stream: false,
    includeUsage: false,
    estimate: () => ({ promptTokens: estimateTokens(JSON.stringify(req.input)), maxCompletionTokens: 0 }),
    attempt(a) {
      const adapter = a.provider.moderations;
      if (!adapter) throw invalidRequest(`The model '${req.model}' is served by ${a.dep.provider}, which has no moderations API on this gateway.`, "model");
      return answerOutcome(
        a,
        () => adapter.request(req, a.dep, a.ctx),
        (s, t, h) => adapter.error(s, t, h, a.dep),
        (text) => adapter.response(text, req, a.dep, a.ctx),
      );
    },
  };
}

/** POST /v1/moderations (also /moderations). A request without `model` asks for omni-moderation-latest, OpenAI's default. */
export async function moderations(c: Context<AppEnv>): Promise<Response> {
  return callModel(httpCallContext(c), moderationsCall(parseModerationsRequest(await readJson(c))));
}
