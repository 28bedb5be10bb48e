import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { estimateInputTokens } from "../formats/anthropic/count";
import { nativeRequest } from "../formats/anthropic/native";
import { type CountTokensRequest, countTokensSchema, parseAnthropic } from "../formats/anthropic/schema";
import { answerOutcome } from "../gateway/attempt";
import { httpCallContext } from "../gateway/context";
import { callModel } from "../gateway/pipeline";
import type { ModelCall } from "../gateway/types";
import { upstreamUnreadable } from "../http/errors";
import { readJson } from "../http/json";

/**
 * A token count as a model call: the same guards as any call to the model (key, team, user and
 * organization model lists, rate limits: it is a request to the upstream), no tokens and no cost.
 * A deployment served by Anthropic counts with Anthropic's own endpoint (free, exact); any other
 * is estimated from characters without an upstream request.
 */
function countTokensCall(req: CountTokensRequest, raw: Record<string, unknown>): ModelCall {
  const counted = (n: number) => ({ json: JSON.stringify({ input_tokens: n }), usage: null, cost: 0 });
  return {
    route: "messages/count_tokens",
    request: { model: req.model },
    body: raw,
    stream: false,
    includeUsage: false,
    estimate: () => ({ promptTokens: 0, maxCompletionTokens: 0 }),
    async attempt(a) {
      if (!a.provider.native?.countTokens) return { kind: "answer", answer: counted(estimateInputTokens(req)) };
      return answerOutcome(
        a,
        () => nativeRequest(raw, a.dep, a.clientHeaders, "/count_tokens"),
        (s, t, h) => a.provider.chat.error(s, t, h, a.dep),
        (text) => {
          let count: unknown;
          try {
            count = (JSON.parse(text) as { input_tokens?: unknown }).input_tokens;
          } catch {
            /* answered below */
          }
          if (typeof count !== "number") throw upstreamUnreadable("The upstream's token count has no 'input_tokens'.");
          return counted(count);
        },
      );
    },
  };
}

/** POST /v1/messages/count_tokens: `{input_tokens}`. */
export async function countTokens(c: Context<AppEnv>): Promise<Response> {
  const raw = (await readJson(c)) as Record<string, unknown>;
  const req = parseAnthropic(countTokensSchema, raw);
  return callModel(httpCallContext(c), countTokensCall(req, raw));
}
