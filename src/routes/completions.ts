import type { Context } from "hono";
import * as z from "zod/mini";
import type { AppEnv } from "../app-env";
import { formatPath } from "../config/schema";
import { invalidRequest, upstreamUnreadable } from "../http/errors";
import { readJson } from "../http/json";
import { translateStream } from "../http/sse";
import { compatBaseUrl, compatError, compatHeaders, compatStreamTranslator } from "../providers/openai-compat/adapter";
import { COMPAT_PROVIDERS } from "../providers/openai-compat/table";
import type { TranslatedResponse } from "../providers/types";
import { openaiUsage } from "../providers/usage";
import { estimateTokens } from "../spend/estimate";
import { answer, fetchTranslated, routeCall, sendUpstream, type Attempt } from "./call";
import { streamResponse, streamSpend } from "./stream-spend";

/** OpenAI's legacy completions request; fields it does not name pass through to the upstream. */
const completionsSchema = z.looseObject({
  model: z.string().check(z.minLength(1, "model is required")),
  prompt: z.union([z.string(), z.array(z.string()), z.array(z.number()), z.array(z.array(z.number()))]),
  stream: z.optional(z.nullable(z.boolean())),
  stream_options: z.optional(z.nullable(z.looseObject({ include_usage: z.optional(z.boolean()) }))),
  max_tokens: z.optional(z.nullable(z.number().check(z.int(), z.gte(0)))),
  user: z.optional(z.string()),
  metadata: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  drop_params: z.optional(z.boolean()),
  fallbacks: z.optional(z.array(z.string().check(z.minLength(1))).check(z.maxLength(10))),
  num_retries: z.optional(z.number().check(z.int(), z.gte(0), z.lte(10))),
});
type CompletionsRequest = z.infer<typeof completionsSchema>;

const GATEWAY_FIELDS = ["drop_params", "metadata", "fallbacks", "num_retries", "mock_response"];

function parse(body: unknown): CompletionsRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw invalidRequest("The request body must be a JSON object.");
  const result = completionsSchema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = formatPath(issue.path);
  throw invalidRequest(`Invalid value for '${param}': ${issue.message}`, param);
}

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
  const req = parse(await readJson(c));
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
