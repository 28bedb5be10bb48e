import type { Deployment } from "../config/deployment";
import type { StreamSink, Usage } from "../providers/types";
import { priceCall } from "../spend/pricing";

/** A streamed call's bookkeeping, handed to the surface that renders the stream. */
export interface StreamSpend {
  /** The sink to hand the adapter (or a pass-through): usage as it arrives, spend at the end. */
  sink: StreamSink;
  /** The usage seen so far. */
  usage(): Usage | null;
  /** Marks the call failed even if its stream ends normally (an upstream error event passed on). */
  fail(): void;
  /** The id the client's stream carries when the surface writes its own (`msg_...`, `resp_...`): it wins over the upstream's. */
  clientId(id: string): void;
}

/** Past this many characters a stream's text is no longer kept (the export clips at 8,000 and marks it). */
const MAX_KEPT_CHARS = 8001;

export type Finish = (status: string, usage: Usage | null, cost: number | null, extra?: Record<string, unknown>) => void;

/**
 * Records the call's spend once its stream ends (complete, failed or abandoned), keeping the
 * isolate alive until then. Without the upstream's own usage (an abandoned stream, an upstream
 * that sends none) the call is charged for what it produced, estimated from characters
 * (`promptTokens` estimates the prompt) and marked `usage: "estimated"`. With `keepText` (message
 * logging on for this call) the answer's text is kept too, for the exported trace, and handed to
 * `finish` as `answer_text`.
 */
export function streamSpend(waitUntil: (p: Promise<unknown>) => void, dep: Deployment, promptTokens: () => number, finish: Finish, keepText = false): StreamSpend {
  let usage: Usage | null = null;
  let produced = 0;
  let failed = false;
  let firstOutput: number | undefined; // observability (issue 14): time to first token
  let responseId: string | undefined;
  let clientResponseId: string | undefined;
  /** The answer's text, for the exported trace (only with keepText: message logging on); clipped there. */
  let text: string | undefined = keepText ? "" : undefined;
  let settle!: () => void;
  waitUntil(new Promise<void>((r) => (settle = r)));
  const sink: StreamSink = {
    usage: (u) => (usage = u),
    responseId: (id) => (responseId ??= id),
    produced: (n) => {
      firstOutput ??= Date.now(); // observability (issue 14)
      produced += n;
    },
    ...(keepText
      ? {
          text: (fragment: string) => {
            if (text !== undefined && text.length <= MAX_KEPT_CHARS) text += fragment;
          },
        }
      : {}),
    end: (outcome) => {
      const status = outcome === "complete" && !failed ? "success" : outcome === "cancelled" ? "cancelled" : "failure";
      let final = usage;
      if (!final) {
        const prompt = promptTokens();
        const completion = Math.ceil(produced / 4);
        final = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
      }
      const ttft = {
        ...(firstOutput !== undefined ? { first_token_at: firstOutput } : {}),
        ...((clientResponseId ?? responseId) ? { response_id: clientResponseId ?? responseId } : {}),
        ...(text !== undefined ? { answer_text: text } : {}),
      };
      finish(status, final, priceCall(dep, final), usage ? ttft : { usage: "estimated", ...ttft });
      settle();
    },
  };
  return { sink, usage: () => usage, fail: () => (failed = true), clientId: (id) => (clientResponseId = id) };
}
