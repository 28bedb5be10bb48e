import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { estimateInputTokens } from "../formats/anthropic/count";
import { anthropicStreamError } from "../formats/anthropic/errors";
import { nativeRequest, nativeResponse, nativeStreamTranslator } from "../formats/anthropic/native";
import { toChatRequest } from "../formats/anthropic/request";
import { toAnthropicMessage } from "../formats/anthropic/response";
import { messagesRequestSchema, parseAnthropic } from "../formats/anthropic/schema";
import { anthropicStreamTranslator } from "../formats/anthropic/stream";
import { upstreamUnreadable } from "../http/errors";
import { readJson } from "../http/json";
import { translateStream } from "../http/sse";
import type { ChatRequest } from "../api/chat";
import { answer, fetchTranslated, routeCall, sendUpstream, type Attempt } from "../gateway/call";
import { streamResponse, streamSpend } from "../gateway/stream-spend";

/** Anthropic deployments take the Messages request natively; every other provider gets it translated. */
const isNative = (a: Attempt): boolean => a.dep.provider === "anthropic";

/**
 * POST /v1/messages: Anthropic's Messages API in front of every model. Keys, limits, routing,
 * retries, fallbacks and spend are routeCall's, as on /v1/chat/completions; errors are answered
 * in Anthropic's shape (app.onError knows the route).
 */
export async function messages(c: Context<AppEnv>): Promise<Response> {
  const raw = (await readJson(c)) as Record<string, unknown>;
  const req = parseAnthropic(messagesRequestSchema, raw);
  const stream = req.stream === true;
  const dropParams = c.get("config").settings.dropParams;
  let translated: ChatRequest | undefined;
  // Translated once, and only when some attempt needs it (a 400 for what has no equivalent).
  const chatRequest = () => (translated ??= toChatRequest(req, { dropParams }));
  let estimated: number | undefined;
  const inputEstimate = () => (estimated ??= estimateInputTokens(req));
  const opts = { stream, includeUsage: stream, route: "messages", estimate: () => ({ promptTokens: inputEstimate(), maxCompletionTokens: req.max_tokens }) };
  const callReq = { model: req.model, user: req.metadata?.user_id ?? undefined };
  const msgCtx = { requestId: c.get("requestId"), model: req.model, stopSequences: req.stop_sequences };
  const clientHeaders = c.req.raw.headers;

  if (!stream) {
    const { value, call } = await routeCall(c, callReq, opts, (a) => {
      const chat = a.provider.chat;
      const mapError = (s: number, t: string, h: Headers) => chat.error(s, t, h, a.dep);
      if (isNative(a)) return fetchTranslated(c, a, () => nativeRequest(raw, a.dep, clientHeaders), mapError, nativeResponse);
      return fetchTranslated(c, a, () => chat.request(chatRequest(), a.dep, a.ctx), mapError, (text) => {
        const t = chat.response(text, a.dep, a.ctx);
        return { json: toAnthropicMessage(t.json, t.usage, msgCtx), usage: t.usage };
      });
    });
    return answer(c, call, value);
  }

  // As on chat: failover only before the upstream answers with a stream, never after the first byte.
  const { value: upstream, call } = await routeCall(c, callReq, opts, async (a) => {
    const chat = a.provider.chat;
    const build = isNative(a) ? () => nativeRequest(raw, a.dep, clientHeaders) : () => chat.request(chatRequest(), a.dep, a.ctx);
    const sent = await sendUpstream(c, a, build, (s, t, h) => chat.error(s, t, h, a.dep));
    sent.done();
    if (!sent.response.body) throw upstreamUnreadable("The upstream sent no stream.");
    return sent.response;
  });
  const spend = streamSpend(c, call, () => opts.estimate().promptTokens);
  let body: ReadableStream<Uint8Array>;
  if (isNative(call)) {
    body = translateStream(upstream.body!, nativeStreamTranslator({ usage: spend.sink.usage, failed: spend.fail }), spend.sink.end, anthropicStreamError);
  } else {
    const chunks = call.provider.chat.stream(upstream.body!, call.dep, call.ctx, spend.sink);
    body = translateStream(chunks, anthropicStreamTranslator({ ...msgCtx, inputEstimate: inputEstimate(), usage: spend.usage }), () => {}, anthropicStreamError);
  }
  return streamResponse(call, upstream, body);
}
