import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { providerHeaders } from "../http/gateway-headers";
import type { StreamSink, Usage } from "../providers/types";
import { priceCall } from "../spend/pricing";
import type { Call } from "./call";

/** A streamed call's bookkeeping, as /v1/chat/completions does it, for the routes that stream in other formats. */
export interface StreamSpend {
  /** The sink to hand the adapter (or a pass-through): usage as it arrives, spend at the end. */
  sink: StreamSink;
  /** The usage seen so far. */
  usage(): Usage | null;
  /** Marks the call failed even if its stream ends normally (an upstream error event passed on). */
  fail(): void;
}

/**
 * Records the call's spend once its stream ends (complete, failed or abandoned), keeping the
 * isolate alive until then. Without the upstream's own usage (an abandoned stream, an upstream
 * that sends none) the call is charged for what it produced, estimated from characters
 * (`promptTokens` estimates the prompt) and marked `usage: "estimated"`.
 */
export function streamSpend(c: Context<AppEnv>, call: Call, promptTokens: () => number): StreamSpend {
  let usage: Usage | null = null;
  let produced = 0;
  let failed = false;
  let firstOutput: number | undefined; // observability (issue 14): time to first token
  let settle!: () => void;
  c.executionCtx.waitUntil(new Promise<void>((r) => (settle = r)));
  const sink: StreamSink = {
    usage: (u) => (usage = u),
    produced: (n) => {
      firstOutput ??= Date.now(); // observability (issue 14)
      produced += n;
    },
    end: (outcome) => {
      const status = outcome === "complete" && !failed ? "success" : outcome === "cancelled" ? "cancelled" : "failure";
      let final = usage;
      if (!final) {
        const prompt = promptTokens();
        const completion = Math.ceil(produced / 4);
        final = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
      }
      const ttft = firstOutput !== undefined ? { first_token_at: firstOutput } : {}; // observability (issue 14)
      call.spend(status, final, priceCall(call.dep, final), usage ? { ...ttft } : { usage: "estimated", ...ttft });
      settle();
    },
  };
  return { sink, usage: () => usage, fail: () => (failed = true) };
}

/** The streamed response: the call's headers, the upstream's rate-limit headers, SSE content type. */
export function streamResponse(call: Call, upstream: Response, body: ReadableStream<Uint8Array>): Response {
  providerHeaders(call.headers, upstream.headers);
  call.headers.set("content-type", "text/event-stream; charset=utf-8");
  call.headers.set("cache-control", "no-cache");
  return new Response(body, { status: 200, headers: call.headers });
}
