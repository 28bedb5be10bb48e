import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { parseBody } from "../api/parse";
import { completionsSchema, type CompletionsRequest } from "../api/completions";
import { invalidRequest, upstreamUnreadable } from "../http/errors";
import { readJson } from "../http/json";
import { translateStream } from "../http/sse";
import { compatBaseUrl, compatError, compatHeaders, compatStreamTranslator } from "../providers/openai-compat/adapter";
import { COMPAT_PROVIDERS } from "../providers/openai-compat/table";
import type { TranslatedResponse } from "../providers/types";
import { openaiUsage } from "../providers/usage";
import { estimateTokens } from "../spend/estimate";
import { answer, fetchTranslated, routeCall, sendUpstream, type Attempt } from "../gateway/call";
import { streamResponse, streamSpend } from "../gateway/stream-spend";


const GATEWAY_FIELDS = ["drop_params", "metadata", "fallbacks", "num_retries", "mock_response"];

/** `{base}/completions` with the client's body (the deployment's model; usage asked for on streams). */
function upstreamRequest(req: CompletionsRequest, a: Attempt): Request {
  const quirks = COMPAT_PROVIDERS[a.dep.provider];
  if (!quirks) {
    throw invalidRequest(`/v1/completions is served for OpenAI-compatible providers only; the model '${req.model}' is served by ${a.dep.provider}. Use /v1/chat/completions.`, "model");
  }
  const body: Record<string, unknown> = { ...req, model: a.dep.model };
  for (const f of GATEWAY_FIELDS) delete body[f];
  if (req.stream && quirks.streamUsage !== false) body.stream_options = { ...(req.stream_options ?? {}), include_usage: true };
  else if (!req.stream) delete body.stream_options;
  return new Request(`${compatBaseUrl(a.dep, quirks)}/completions`, { method: "POST", headers: compatHeaders(a.dep), body: JSON.stringify(body) });
}

function readAnswer(text: string): TranslatedResponse {
  let parsed: { choices?: unknown; usage?: unknown };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw upstreamUnreadable("The upstream answered with a body that is not JSON.");
  }
  if (!parsed || !Array.isArray(parsed.choices)) throw upstreamUnreadable("The upstream answer has no 'choices'.");
  return { json: text, usage: openaiUsage(parsed.usage) };
}

/** POST /v1/completions: legacy text completions, passed through to OpenAI-compatible upstreams. */
export async function completions(c: Context<AppEnv>): Promise<Response> {
  const req = parseBody(completionsSchema, await readJson(c));
  const stream = req.stream === true;
  const opts = {
    stream,
    includeUsage: stream && req.stream_options?.include_usage === true,
    route: "completions",
    estimate: () => ({ promptTokens: estimateTokens(JSON.stringify(req.prompt)), maxCompletionTokens: req.max_tokens || undefined }),
  };
  const mapError = (a: Attempt) => (s: number, t: string, h: Headers) => compatError(s, t, h, a.dep);
  if (!stream) {
    const { value, call } = await routeCall(c, req, opts, (a) => fetchTranslated(c, a, () => upstreamRequest(req, a), mapError(a), readAnswer));
    return answer(c, call, value);
  }
  const { value: upstream, call } = await routeCall(c, req, opts, async (a) => {
    const sent = await sendUpstream(c, a, () => upstreamRequest(req, a), mapError(a));
    sent.done();
    if (!sent.response.body) throw upstreamUnreadable("The upstream sent no stream.");
    return sent.response;
  });
  const spend = streamSpend(c, call, () => opts.estimate().promptTokens);
  const body = translateStream(upstream.body!, compatStreamTranslator(call.ctx, spend.sink), spend.sink.end);
  return streamResponse(call, upstream, body);
}
