import type { Context } from "hono";
import type { ChatRequest } from "../api/chat";
import type { AppEnv } from "../app-env";
import { estimateInputTokens } from "../formats/anthropic/count";
import { anthropicStreamError } from "../formats/anthropic/errors";
import { nativeRequest, nativeResponse, nativeStreamTranslator } from "../formats/anthropic/native";
import { toChatRequest } from "../formats/anthropic/request";
import { messageId, toAnthropicMessage } from "../formats/anthropic/response";
import { type MessagesRequest, messagesRequestSchema, parseAnthropic } from "../formats/anthropic/schema";
import { AnthropicWriter, anthropicStreamTranslator } from "../formats/anthropic/stream";
import { answerOutcome, streamOutcome } from "../gateway/attempt";
import { httpCallContext } from "../gateway/context";
import { callModel } from "../gateway/pipeline";
import type { ModelCall } from "../gateway/types";
import { readJson } from "../http/json";
import type { GatewayError } from "../http/errors";
import { translateStream } from "../http/sse";
import type { StreamSink } from "../providers/types";

/**
 * Anthropic's Messages API as a model call: deployments whose provider serves Messages natively
 * get the client's request as it came; every other provider gets it translated to chat and back.
 */
export function messagesCall(raw: Record<string, unknown>, req: MessagesRequest, requestId: string, dropParams: boolean): ModelCall {
  const stream = req.stream === true;
  let translated: ChatRequest | undefined;
  // Translated once, and only when some attempt needs it (a 400 for what has no equivalent).
  const chatRequest = () => (translated ??= toChatRequest(req, { dropParams }));
  let estimated: number | undefined;
  const inputEstimate = () => (estimated ??= estimateInputTokens(req));
  const msgCtx = { requestId, model: req.model, stopSequences: req.stop_sequences };
  return {
    route: "messages",
    request: { model: req.model, user: req.metadata?.user_id ?? undefined },
    body: req,
    stream,
    includeUsage: stream,
    estimate: () => ({ promptTokens: inputEstimate(), maxCompletionTokens: req.max_tokens }),
    attempt(a) {
      const chat = a.provider.chat;
      const mapError = (s: number, t: string, h: Headers) => chat.error(s, t, h, a.dep);
      if (a.provider.native?.messages) {
        const build = () => nativeRequest(raw, a.dep, a.clientHeaders);
        if (!stream) return answerOutcome(a, build, mapError, nativeResponse);
        return streamOutcome(a, build, mapError, (body, spend) =>
          translateStream(body, nativeStreamTranslator({ usage: spend.sink.usage, failed: spend.fail, id: spend.clientId, text: spend.sink.text }), spend.sink.end, anthropicStreamError),
        );
      }
      const build = () => chat.request(chatRequest(), a.dep, a.ctx);
      if (!stream) {
        return answerOutcome(a, build, mapError, (text) => {
          const t = chat.response(text, a.dep, a.ctx);
          return { json: toAnthropicMessage(t.json, t.usage, msgCtx), usage: t.usage };
        });
      }
      return streamOutcome(a, build, mapError, (body, spend) => {
        spend.clientId(messageId(msgCtx.requestId));
        const streamCtx = { ...msgCtx, inputEstimate: inputEstimate(), usage: spend.usage };
        // A translating adapter writes Anthropic's events itself; an OpenAI-format stream is read into them.
        if (chat.writesParts) {
          let w: AnthropicWriter | undefined;
          const format = {
            writer: (sink: StreamSink) => (w = new AnthropicWriter(streamCtx, sink)),
            error: (err: GatewayError) => (w ?? new AnthropicWriter(streamCtx, spend.sink)).abort() + anthropicStreamError(err),
          };
          return chat.stream(body, a.dep, { ...a.ctx, format }, spend.sink);
        }
        const chunks = chat.stream(body, a.dep, a.ctx, spend.sink);
        return translateStream(chunks, anthropicStreamTranslator(streamCtx), () => {}, anthropicStreamError);
      });
    },
  };
}

/** POST /v1/messages (errors in Anthropic's shape: app.onError knows the route). */
export async function messages(c: Context<AppEnv>): Promise<Response> {
  const raw = (await readJson(c)) as Record<string, unknown>;
  const req = parseAnthropic(messagesRequestSchema, raw);
  return callModel(httpCallContext(c), messagesCall(raw, req, c.get("requestId"), c.get("config").settings.dropParams));
}
