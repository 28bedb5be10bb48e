import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { upstreamUnreadable } from "../http/errors";
import { readJson } from "../http/json";
import type { Usage } from "../providers/types";
import { priceCall } from "../spend/pricing";
import { finishCall, sendUpstream, startCall } from "./call";
import { parseChatRequest } from "./chat-schema";

/** POST /v1/chat/completions: admit, route, translate, call, translate back, record spend. */
export async function chatCompletions(c: Context<AppEnv>): Promise<Response> {
  const req = parseChatRequest(await readJson(c));
  const stream = req.stream === true;
  const call = await startCall(c, req, { stream, includeUsage: stream && req.stream_options?.include_usage === true, route: "chat" });
  const { dep, provider, ctx } = call;
  const chat = provider.chat;
  const sent = await sendUpstream(c, call, () => chat.request(req, dep, ctx), (s, t, h) => chat.error(s, t, h, dep));
  if (!stream) return finishCall(c, call, sent, (text) => chat.response(text, dep, ctx));

  sent.done();
  if (!sent.response.body) throw call.fail(upstreamUnreadable("The upstream sent no stream."));
  let usage: Usage | null = null;
  let settle!: () => void;
  c.executionCtx.waitUntil(new Promise<void>((r) => (settle = r)));
  const body = chat.stream(sent.response.body, dep, ctx, {
    usage: (u) => (usage = u),
    end: (outcome) => {
      const status = outcome === "complete" ? "success" : outcome === "cancelled" ? "cancelled" : "failure";
      const cost = usage ? priceCall(dep, usage) : outcome === "complete" ? null : 0;
      call.spend(status, usage, cost, usage ? {} : { usage: "missing" });
      settle();
    },
  });
  call.headers.set("content-type", "text/event-stream; charset=utf-8");
  call.headers.set("cache-control", "no-cache");
  return new Response(body, { status: 200, headers: call.headers });
}
