import { cacheHooks } from "../cache/hooks";
import type { ResolvedConfig } from "../config/resolve";
import { claimLine, closeLine, endRun, lineState } from "../db/batches";
import type { BatchRow } from "../db/schema";
import type { Env } from "../env";
import { cacheEmbedder } from "../gateway/cache-embed";
import { callModel } from "../gateway/pipeline";
import type { CallContext } from "../gateway/types";
import type { Principal } from "../http/auth";
import { GatewayError, unauthorized } from "../http/errors";
import { type BatchEndpoint, lineCall } from "./endpoints";
import { filesBucket, randomId } from "./files";
import { maybeFinalize } from "./start";

/** How long a run holds its line: past it, a redelivered message runs the line again (its consumer died). */
const LEASE_MS = 15 * 60_000;

/** A result line longer than this is kept in R2 (a D1 row holds at most 2 MB); its row keeps `r2:<key>`. */
const MAX_INLINE_RESULT = 500_000;

async function keep(env: Env, batchId: string, lineNo: number, result: string): Promise<string> {
  if (result.length <= MAX_INLINE_RESULT) return result;
  const key = `batches/${batchId}/results/${lineNo}`;
  await filesBucket(env).put(key, result);
  return `r2:${key}`;
}

/** What the consumer does with the line's message: done with it, or send it again after a delay. */
type LineNext = { ack: true } | { ack: false; delaySeconds: number };

const ACK: LineNext = { ack: true };

/** OpenAI's output/error file line. */
const resultLine = (customId: string, response: { status_code: number; request_id: string; body: unknown } | null, error: { code: string; message: string } | null) =>
  JSON.stringify({ id: randomId("batch_req_"), custom_id: customId, response, error });

/**
 * Worth another run: rate limits, timeouts, upstream and gateway outages, and a budget refusal
 * (other lines' reservations may be holding the budget; they settle at their real cost).
 */
const retryable = (e: GatewayError) => e.status === 429 || e.status === 408 || e.status >= 500 || e.code === "budget_exceeded";

function usageOf(body: unknown): { prompt: number; completion: number } {
  const u = (body as { usage?: Record<string, unknown> } | null)?.usage;
  const n = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
  if (!u) return { prompt: 0, completion: 0 };
  return { prompt: n(u.prompt_tokens ?? u.input_tokens), completion: n(u.completion_tokens ?? u.output_tokens) };
}

interface LineRun {
  env: Env;
  config: ResolvedConfig;
  batch: BatchRow;
  customId: string;
  /** The batch owner's principal as D1 has it now (null: the key is gone). */
  principal: () => Promise<Principal | null>;
  waitUntil(p: Promise<unknown>): void;
}

/**
 * Runs one line through the same pipeline as a live call (the key's limits, budgets with
 * reservations, routing, retries, fallbacks, spend), exactly once per run: the line is claimed
 * with a lease, its result stored only by the run that holds the lease, and a line already
 * finished is never run again. The key's rate limit refusing it sends it back later (pacing);
 * a retryable failure runs it again after retry_delay_seconds, up to max_line_attempts.
 */
export async function runLine(r: LineRun): Promise<LineNext> {
  const { env, config, batch, customId } = r;
  const settings = config.settings.batch;
  const now = Date.now();
  if (!["in_progress", "validating", "cancelling"].includes(batch.status)) return ACK;
  if (batch.status === "cancelling") {
    await closeLine(env.DB, batch.id, customId, "cancelled", resultLine(customId, null, { code: "batch_cancelled", message: "The batch was cancelled before this request ran." }), now);
    await maybeFinalize(env, batch.id);
    return ACK;
  }
  if (now >= batch.expiresAt) {
    await closeLine(
      env.DB,
      batch.id,
      customId,
      "expired",
      resultLine(customId, null, { code: "batch_expired", message: "This request could not be executed before the completion window expired." }),
      now,
    );
    await maybeFinalize(env, batch.id);
    return ACK;
  }
  const line = await claimLine(env.DB, batch.id, customId, now, LEASE_MS);
  if (!line) {
    const state = await lineState(env.DB, batch.id, customId);
    // Another run holds it: look again when its lease ends (it may die before finishing).
    if (state?.state === "running" && state.lease_until) return { ack: false, delaySeconds: Math.max(1, Math.ceil((state.lease_until - now) / 1000)) };
    return ACK;
  }
  const lease = line.lease_until;
  // One request id per run: a run repeated after a crash reuses it, so its spend row is written once.
  const requestId = `${batch.id}-${line.line_no}-${line.tries}`;
  const fail = async (e: GatewayError) => {
    await endRun(env.DB, batch.id, customId, lease, { state: "failed", result: resultLine(customId, { status_code: e.status, request_id: requestId, body: e.body() }, null) });
    await maybeFinalize(env, batch.id);
    return ACK;
  };
  const principal = await r.principal();
  if (!principal) return fail(unauthorized("The key that created this batch no longer exists (deleted or revoked)."));
  if (principal.kind === "key" && principal.key.expires !== null && principal.key.expires <= now) return fail(unauthorized("The key that created this batch has expired."));
  const cx: CallContext = {
    env,
    config,
    principal,
    requestId,
    waitUntil: r.waitUntil,
    clientHeaders: new Headers(),
    batch: { batchId: batch.id, customId },
  };
  // As a live call: a semantic cache embeds the line's prompt through the gateway's own embeddings call (the owner's key).
  const cache = config.settings.cache;
  if (cache) cx.hooks = cacheHooks(config, env, cx.clientHeaders, r.waitUntil, cache.semantic ? cacheEmbedder(cx) : undefined);
  try {
    const call = lineCall(batch.endpoint as BatchEndpoint, JSON.parse(line.body) as Record<string, unknown>, requestId, config);
    const res = await callModel(cx, call);
    const body = JSON.parse(await res.text()) as unknown;
    const usage = usageOf(body);
    const costHeader = res.headers.get("x-gateway-cost");
    await endRun(env.DB, batch.id, customId, lease, {
      state: "done",
      result: await keep(env, batch.id, line.line_no, resultLine(customId, { status_code: 200, request_id: requestId, body }, null)),
      promptTokens: usage.prompt,
      completionTokens: usage.completion,
      cost: costHeader === null ? null : Number(costHeader),
    });
    await maybeFinalize(env, batch.id);
    return ACK;
  } catch (err) {
    const e = err instanceof GatewayError ? err : new GatewayError(500, "The gateway failed on this request.", "internal_error", "internal_error");
    if (!(err instanceof GatewayError)) console.error(JSON.stringify({ msg: "batch line failed", batch: batch.id, custom_id: customId, error: String(err) }));
    const attempted = e.headers["x-gateway-attempts"] !== undefined;
    if (e.status === 429 && !attempted) {
      // The key's (or its team's) rate limit: wait for the window, without counting a try.
      await endRun(env.DB, batch.id, customId, lease, { state: "pending" });
      const after = Number(e.headers["retry-after"] ?? "1");
      return { ack: false, delaySeconds: Math.max(1, Math.min(settings.paceDelaySeconds, Number.isFinite(after) ? after : 1)) };
    }
    if (retryable(e) && line.tries + 1 < settings.maxLineAttempts) {
      await endRun(env.DB, batch.id, customId, lease, { state: "pending", retried: true });
      return { ack: false, delaySeconds: settings.retryDelaySeconds };
    }
    return fail(e);
  }
}
