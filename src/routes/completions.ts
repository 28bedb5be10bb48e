import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { withoutGatewayFields } from "../api/controls";
import { parseBody } from "../api/parse";
import { completionCount, completionsSchema, type CompletionsRequest } from "../api/completions";
import { invalidRequest, upstreamJson, upstreamUnreadable } from "../http/errors";
import { readJson } from "../http/json";
import { translateStream } from "../http/sse";
import { compatBaseUrl, compatError, compatHeaders, compatStreamTranslator } from "../providers/openai-compat/adapter";
import { COMPAT_PROVIDERS } from "../providers/openai-compat/table";
import type { TranslatedResponse } from "../providers/types";
import { openaiUsage } from "../providers/usage";
import { estimateTokens } from "../spend/estimate";
import { answerOutcome, streamOutcome } from "../gateway/attempt";
import { httpCallContext } from "../gateway/context";
import { callModel } from "../gateway/pipeline";
import type { Attempt, ModelCall } from "../gateway/types";

/** `{base}/completions` with the client's body (the deployment's model; usage asked for on streams). */
function upstreamRequest(req: CompletionsRequest, a: Attempt): Request {
  const quirks = COMPAT_PROVIDERS[a.dep.provider];
  if (!quirks) {
    throw invalidRequest(`/v1/completions is served for OpenAI-compatible providers only; the model '${req.model}' is served by ${a.dep.provider}. Use /v1/chat/completions.`, "model");
  }
  const body: Record<string, unknown> = { ...withoutGatewayFields(req), model: a.dep.model };
  if (req.stream && quirks.streamUsage !== false) body.stream_options = { ...(req.stream_options ?? {}), include_usage: true };
  else if (!req.stream) delete body.stream_options;
  return new Request(`${compatBaseUrl(a.dep, quirks)}/completions`, { method: "POST", headers: compatHeaders(a.dep), body: JSON.stringify(body) });
}

function readAnswer(text: string): TranslatedResponse {
  const parsed: { choices?: unknown; usage?: unknown } = upstreamJson(text);
  if (!parsed || !Array.isArray(parsed.choices)) throw upstreamUnreadable("The upstream answer has no 'choices'.");
  return { json: text, usage: openaiUsage(parsed.usage) };
}

/** A legacy completions request as a model call, passed through to OpenAI-compatible upstreams. */
function completionsCall(req: CompletionsRequest): ModelCall {
  const stream = req.stream === true;
  return {
    route: "completions",
    request: req,
    body: req,
    stream,
    includeUsage: stream && req.stream_options?.include_usage === true,
    estimate: () => ({ promptTokens: estimateTokens(JSON.stringify(req.prompt)), maxCompletionTokens: req.max_tokens || undefined, choices: completionCount(req) }),
    attempt(a) {
      const mapError = (s: number, t: string, h: Headers) => compatError(s, t, h, a.dep);
      const build = () => upstreamRequest(req, a);
      if (!stream) return answerOutcome(a, build, mapError, readAnswer);
      return streamOutcome(a, build, mapError, (body, spend) => translateStream(body, compatStreamTranslator(a.ctx, spend.sink), spend.sink.end));
    },
  };
}

/** POST /v1/completions. */
export async function completions(c: Context<AppEnv>): Promise<Response> {
  return callModel(httpCallContext(c), completionsCall(parseBody(completionsSchema, await readJson(c))));
}
