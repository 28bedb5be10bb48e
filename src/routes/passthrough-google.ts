import { type Context, Hono } from "hono";
import type { AppEnv } from "../app-env";
import { checkNativeBody, GOOGLE_METHODS, type GoogleMethod, googleStreamTranslator, nativeGoogleAnswer } from "../formats/google/native";
import { googleStreamError } from "../formats/google/errors";
import { answerOutcome, streamOutcome } from "../gateway/attempt";
import { httpCallContext } from "../gateway/context";
import { callModel } from "../gateway/pipeline";
import type { ModelCall } from "../gateway/types";
import { GatewayError, invalidRequest, modelNotFound } from "../http/errors";
import { readJson } from "../http/json";
import { requireAuth } from "../http/middleware";
import { modelAuth } from "./model-auth";
import { translateStream } from "../http/sse";
import { resolveGroup } from "../router/groups";
import { estimateTokens } from "../spend/estimate";

/**
 * Google's Gemini API under /gemini and Vertex AI's under /vertex_ai (LiteLLM's pass-through
 * routes), so Google's SDKs work with the gateway as their base URL and a virtual key (in
 * `x-goog-api-key` or `Authorization: Bearer`): generateContent, streamGenerateContent (SSE),
 * countTokens and embedContent only, for a model served by that provider's deployments only. The
 * deployment's model, credentials, project and location are used (a client's own project and
 * location in the path are ignored); the answer's bytes come back untouched. Errors are in Google's
 * shape (app.onError knows the prefixes).
 */
export const googlePassthrough = new Hono<AppEnv>();

type Json = Record<string, unknown>;

function googleCall(prefix: string, model: string, method: GoogleMethod, raw: Json, text: string): ModelCall {
  const stream = method === "streamGenerateContent";
  const maxOut = (raw.generationConfig as { maxOutputTokens?: unknown } | undefined)?.maxOutputTokens;
  return {
    route: `${prefix}/${method}`,
    request: { model },
    body: raw,
    stream,
    includeUsage: stream,
    estimate: () => ({ promptTokens: estimateTokens(text), maxCompletionTokens: typeof maxOut === "number" ? maxOut : method === "generateContent" || stream ? undefined : 0 }),
    attempt(a) {
      const target = a.provider.native?.google;
      if (!target) throw invalidRequest(`The model '${model}' is not served by a Google deployment.`, "model");
      checkNativeBody(raw, a.dep);
      const build = async () => {
        const { url, headers } = await target(a.dep, method);
        headers.set("content-type", "application/json");
        return new Request(stream ? `${url}?alt=sse` : url, { method: "POST", headers, body: text });
      };
      const mapError = (s: number, t: string, h: Headers) => a.provider.chat.error(s, t, h, a.dep);
      if (!stream) return answerOutcome(a, build, mapError, (t) => nativeGoogleAnswer(t, method, estimateTokens(text)));
      return streamOutcome(a, build, mapError, (body, spend) =>
        translateStream(body, googleStreamTranslator({ usage: spend.sink.usage, failed: spend.fail, id: spend.clientId }), spend.sink.end, googleStreamError),
      );
    },
  };
}

/** `{model}:{method}` of the path's last segment, checked: the model served by `provider` deployments only, the method one of four. */
function target(c: Context<AppEnv>, provider: string): { model: string; method: GoogleMethod } {
  const last = c.req.param("target") ?? ""; // Hono has decoded it (a malformed escape stays as it came)
  const colon = last.lastIndexOf(":");
  const model = colon > 0 ? last.slice(0, colon) : "";
  const method = colon > 0 ? last.slice(colon + 1) : "";
  if (!(GOOGLE_METHODS as readonly string[]).includes(method)) {
    throw new GatewayError(404, `'${method.slice(0, 60)}' is not passed through: only ${GOOGLE_METHODS.join(", ")}.`, "invalid_request_error", "not_found");
  }
  if (method === "streamGenerateContent" && c.req.query("alt") !== "sse")
    throw invalidRequest("streamGenerateContent is passed through as server-sent events only: add ?alt=sse (Google's SDKs do).", "alt");
  const group = resolveGroup(c.get("config"), model);
  if (!group) throw modelNotFound(model);
  if (group.deployments.some((d) => d.provider !== provider)) {
    throw invalidRequest(`The model '${model}' is not served by ${provider} deployments only: /${provider} passes requests to ${provider} as they are.`, "model");
  }
  return { model, method: method as GoogleMethod };
}

const handler = (prefix: string, provider: string) => async (c: Context<AppEnv>) => {
  const { model, method } = target(c, provider);
  const raw = await readJson(c);
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) throw invalidRequest("The request body must be a JSON object.");
  // The client's own bytes go upstream (Hono keeps the body text readJson read).
  return callModel(httpCallContext(c), googleCall(prefix, model, method, raw as Json, await c.req.text()));
};

googlePassthrough.post("/gemini/:version{v1beta|v1|v1alpha}/models/:target", modelAuth, handler("gemini", "gemini"));
googlePassthrough.post("/vertex_ai/:version{v1|v1beta1}/projects/:project/locations/:location/publishers/google/models/:target", modelAuth, handler("vertex_ai", "vertex_ai"));
googlePassthrough.post("/vertex_ai/:version{v1|v1beta1}/publishers/google/models/:target", modelAuth, handler("vertex_ai", "vertex_ai"));

for (const prefix of ["/gemini", "/vertex_ai"]) {
  googlePassthrough.all(`${prefix}/*`, requireAuth("key"), (c) => {
    throw new GatewayError(
      404,
      `${c.req.method} ${c.req.path.slice(0, 200)} is not passed through: ${prefix} serves POST .../models/{model}:{${GOOGLE_METHODS.join("|")}} only.`,
      "invalid_request_error",
      "not_found",
    );
  });
}
