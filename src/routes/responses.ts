import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { upstreamUnreadable } from "../http/errors";
import { readJson } from "../http/json";
import { translateStream } from "../http/sse";
import { hasNativeResponses, nativeRequest, nativeResponse, nativeStreamTranslator, responsesErrorEvent } from "../formats/responses/native";
import { toChatRequest } from "../formats/responses/request";
import { toResponse } from "../formats/responses/response";
import { parseResponsesRequest } from "../formats/responses/schema";
import { responsesStream } from "../formats/responses/stream";
import { estimateTokens } from "../spend/estimate";
import { answer, fetchTranslated, routeCall, sendUpstream, type Attempt } from "../gateway/call";
import type { ChatRequest } from "../api/chat";
import { streamResponse, streamSpend } from "../gateway/stream-spend";

const isNative = (a: Attempt): boolean => hasNativeResponses(a.dep.provider);

/**
 * POST /v1/responses: OpenAI's Responses API. OpenAI deployments get it natively; every other
 * provider through the chat bridge (input items -> messages, chat answer -> output items). Keys,
 * limits, routing and spend are routeCall's.
 */
export async function responses(c: Context<AppEnv>): Promise<Response> {
  const raw = (await readJson(c)) as Record<string, unknown>;
  const req = parseResponsesRequest(raw);
  const stream = req.stream === true;
  const dropParams = req.drop_params ?? c.get("config").settings.dropParams;
  let translated: ChatRequest | undefined;
  const chatRequest = () => (translated ??= toChatRequest(req, { dropParams }));
  const opts = {
    stream,
    includeUsage: stream,
    route: "responses",
    estimate: () => ({ promptTokens: estimateTokens(JSON.stringify(req.input) + (req.instructions ?? "")), maxCompletionTokens: req.max_output_tokens ?? undefined }),
  };
  const callReq = { model: req.model, user: req.user ?? undefined, metadata: req.metadata, fallbacks: req.fallbacks, num_retries: req.num_retries, drop_params: req.drop_params };
  const respCtx = { requestId: c.get("requestId"), created: Math.floor(Date.now() / 1000), req };

  if (!stream) {
    const { value, call } = await routeCall(c, callReq, opts, (a) => {
      const chat = a.provider.chat;
      const mapError = (s: number, t: string, h: Headers) => chat.error(s, t, h, a.dep);
      if (isNative(a)) return fetchTranslated(c, a, () => nativeRequest(raw, a.dep), mapError, nativeResponse);
      return fetchTranslated(c, a, () => chat.request(chatRequest(), a.dep, a.ctx), mapError, (text) => {
        const t = chat.response(text, a.dep, a.ctx);
        return { json: toResponse(t.json, t.usage, respCtx), usage: t.usage };
      });
    });
    return answer(c, call, value);
  }

  const { value: upstream, call } = await routeCall(c, callReq, opts, async (a) => {
    const chat = a.provider.chat;
    const build = isNative(a) ? () => nativeRequest(raw, a.dep) : () => chat.request(chatRequest(), a.dep, a.ctx);
    const sent = await sendUpstream(c, a, build, (s, t, h) => chat.error(s, t, h, a.dep));
    sent.done();
    if (!sent.response.body) throw upstreamUnreadable("The upstream sent no stream.");
    return sent.response;
  });
  const spend = streamSpend(c, call, () => opts.estimate().promptTokens);
  let body: ReadableStream<Uint8Array>;
  if (isNative(call)) {
    body = translateStream(upstream.body!, nativeStreamTranslator({ usage: spend.sink.usage, failed: spend.fail }), spend.sink.end, responsesErrorEvent);
  } else {
    const chunks = call.provider.chat.stream(upstream.body!, call.dep, call.ctx, spend.sink);
    const bridge = responsesStream(respCtx, spend.usage);
    body = translateStream(chunks, bridge.translator, () => {}, bridge.formatError);
  }
  return streamResponse(call, upstream, body);
}
