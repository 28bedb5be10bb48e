import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { upstreamUnreadable } from "../http/errors";
import { readJson } from "../http/json";
import { estimateTokens } from "../spend/estimate";
import { answer, fetchTranslated, routeCall, sendUpstream } from "../gateway/call";
import { parseChatRequest } from "../api/chat";
import { streamResponse, streamSpend } from "../gateway/stream-spend";

/** POST /v1/chat/completions: admit, route, translate, call, translate back, record spend. */
export async function chatCompletions(c: Context<AppEnv>): Promise<Response> {
  const req = parseChatRequest(await readJson(c));
  const stream = req.stream === true;
  const opts = {
    stream,
    includeUsage: stream && req.stream_options?.include_usage === true,
    route: "chat",
    estimate: () => ({ promptTokens: estimateTokens(JSON.stringify(req.messages)), maxCompletionTokens: (req.max_completion_tokens ?? req.max_tokens ?? undefined) || undefined }),
  };

  if (!stream) {
    const { value, call } = await routeCall(c, req, opts, (a) => {
      const chat = a.provider.chat;
      return fetchTranslated(c, a, () => chat.request(req, a.dep, a.ctx), (s, t, h) => chat.error(s, t, h, a.dep), (text) => chat.response(text, a.dep, a.ctx));
    });
    return answer(c, call, value);
  }

  // A stream commits to its deployment once the upstream answers with a stream: failover
  // happens only before that, never after the first byte reaches the client.
  const { value: upstream, call } = await routeCall(c, req, opts, async (a) => {
    const chat = a.provider.chat;
    const sent = await sendUpstream(c, a, () => chat.request(req, a.dep, a.ctx), (s, t, h) => chat.error(s, t, h, a.dep));
    sent.done();
    if (!sent.response.body) throw upstreamUnreadable("The upstream sent no stream.");
    return sent.response;
  });
  const spend = streamSpend(c, call, () => opts.estimate().promptTokens);
  return streamResponse(call, upstream, call.provider.chat.stream(upstream.body!, call.dep, call.ctx, spend.sink));
}
