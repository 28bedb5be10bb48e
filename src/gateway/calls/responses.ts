import type { ChatRequest } from "../../api/chat";
import { nativeRequest, nativeResponse, nativeStreamTranslator, responsesErrorEvent } from "../../formats/responses/native";
import { toChatRequest } from "../../formats/responses/request";
import { responseId, toResponse } from "../../formats/responses/response";
import type { ResponsesRequest } from "../../formats/responses/schema";
import { ResponsesWriter, responsesStream } from "../../formats/responses/stream";
import type { GatewayError } from "../../http/errors";
import type { StreamSink } from "../../providers/types";
import { answerOutcome, streamOutcome } from "../attempt";
import type { ModelCall } from "../types";
import { translateStream } from "../../http/sse";
import { estimateTokens } from "../../spend/estimate";

/**
 * OpenAI's Responses API as a model call: deployments whose provider serves it natively get the
 * client's request; every other provider through the chat bridge (input items -> messages, chat
 * answer -> output items).
 */
export function responsesCall(raw: Record<string, unknown>, req: ResponsesRequest, requestId: string, defaultDropParams: boolean): ModelCall {
  const stream = req.stream === true;
  const dropParams = req.drop_params ?? defaultDropParams;
  let translated: ChatRequest | undefined;
  const chatRequest = () => (translated ??= toChatRequest(req, { dropParams }));
  const respCtx = { requestId, created: Math.floor(Date.now() / 1000), req };
  return {
    route: "responses",
    request: { model: req.model, user: req.user ?? undefined, metadata: req.metadata, drop_params: req.drop_params },
    body: req,
    stream,
    includeUsage: stream,
    estimate: () => ({ promptTokens: estimateTokens(JSON.stringify(req.input) + (req.instructions ?? "")), maxCompletionTokens: req.max_output_tokens ?? undefined }),
    attempt(a) {
      const chat = a.provider.chat;
      const mapError = (s: number, t: string, h: Headers) => chat.error(s, t, h, a.dep);
      if (a.provider.native?.responses) {
        const build = () => nativeRequest(raw, a.dep);
        if (!stream) return answerOutcome(a, build, mapError, nativeResponse);
        return streamOutcome(a, build, mapError, (body, spend) =>
          translateStream(body, nativeStreamTranslator({ usage: spend.sink.usage, failed: spend.fail, id: spend.clientId, text: spend.sink.text }), spend.sink.end, responsesErrorEvent),
        );
      }
      const build = () => chat.request(chatRequest(), a.dep, a.ctx);
      if (!stream) {
        return answerOutcome(a, build, mapError, (text) => {
          const t = chat.response(text, a.dep, a.ctx);
          return { json: toResponse(t.json, t.usage, respCtx), usage: t.usage };
        });
      }
      return streamOutcome(a, build, mapError, (body, spend) => {
        spend.clientId(responseId(respCtx));
        // A translating adapter writes the Responses events itself; an OpenAI-format stream is read into them.
        if (chat.writesParts) {
          let w: ResponsesWriter | undefined;
          const format = {
            writer: (sink: StreamSink) => (w = new ResponsesWriter(respCtx, spend.usage, sink)),
            error: (err: GatewayError) => (w ?? new ResponsesWriter(respCtx, spend.usage, spend.sink)).abort() + responsesErrorEvent(err),
          };
          return chat.stream(body, a.dep, { ...a.ctx, format }, spend.sink);
        }
        const chunks = chat.stream(body, a.dep, a.ctx, spend.sink);
        const bridge = responsesStream(respCtx, spend.usage);
        return translateStream(chunks, bridge.translator, () => {}, bridge.formatError);
      });
    },
  };
}
