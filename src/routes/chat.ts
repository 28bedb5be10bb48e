import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { upstreamUnreadable } from "../http/errors";
import { providerHeaders } from "../http/gateway-headers";
import { readJson } from "../http/json";
import type { Usage } from "../providers/types";
import { priceCall } from "../spend/pricing";
import { estimateTokens } from "../spend/estimate";
import { answer, fetchTranslated, routeCall, sendUpstream } from "./call";
import { parseChatRequest } from "./chat-schema";

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
  const { dep, ctx } = call;
  let usage: Usage | null = null;
  let produced = 0;
  let settle!: () => void;
  c.executionCtx.waitUntil(new Promise<void>((r) => (settle = r)));
  const body = call.provider.chat.stream(upstream.body!, dep, ctx, {
    usage: (u) => (usage = u),
    produced: (n) => (produced += n),
    end: (outcome) => {
      const status = outcome === "complete" ? "success" : outcome === "cancelled" ? "cancelled" : "failure";
      // Without the upstream's own usage (an abandoned stream, an upstream that sends none), the
      // call is charged for what it produced, estimated from characters and marked as such.
      let final: Usage | null = usage;
      if (!final) {
        const prompt = opts.estimate().promptTokens;
        const completion = Math.ceil(produced / 4);
        final = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
      }
      call.spend(status, final, priceCall(dep, final), usage ? {} : { usage: "estimated" });
      settle();
    },
  });
  providerHeaders(call.headers, upstream.headers);
  call.headers.set("content-type", "text/event-stream; charset=utf-8");
  call.headers.set("cache-control", "no-cache");
  return new Response(body, { status: 200, headers: call.headers });
}
