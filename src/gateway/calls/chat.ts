import type { ChatRequest } from "../../api/chat";
import { answerOutcome, streamOutcome } from "../attempt";
import { MOCK_USAGE, mockChatJson, mockChatStream } from "../mock";
import type { ModelCall } from "../types";
import { estimateTokens } from "../../spend/estimate";

/** A chat request as a model call: the provider's chat adapter both ways. */
export function chatCall(req: ChatRequest): ModelCall {
  const stream = req.stream === true;
  return {
    route: "chat",
    request: req,
    body: req,
    stream,
    includeUsage: stream && req.stream_options?.include_usage === true,
    estimate: () => ({ promptTokens: estimateTokens(JSON.stringify(req.messages)), maxCompletionTokens: (req.max_completion_tokens ?? req.max_tokens ?? undefined) || undefined, choices: req.n ?? 1 }),
    attempt(a) {
      const chat = a.provider.chat;
      const build = () => chat.request(req, a.dep, a.ctx);
      const mapError = (s: number, t: string, h: Headers) => chat.error(s, t, h, a.dep);
      if (!stream) return answerOutcome(a, build, mapError, (text) => chat.response(text, a.dep, a.ctx));
      return streamOutcome(a, build, mapError, (body, spend) => chat.stream(body, a.dep, a.ctx, spend.sink));
    },
    mock(a, text) {
      const id = crypto.randomUUID();
      if (stream) return mockChatStream(text, a.dep.model, id, a.ctx.created, a.ctx.includeUsage, estimateTokens(JSON.stringify(req.messages)));
      return { kind: "answer", answer: { json: mockChatJson(text, a.dep.model, id, a.ctx.created, req.n ?? 1), usage: MOCK_USAGE } };
    },
  };
}
