import { loadConfig } from "../config/load";
import type { Env } from "../env";
import { parkExport } from "./dead-letters";
import type { ExportMessage } from "./export-message";
import { SinkError } from "./sinks/http";
import { sinkTarget } from "./sinks/registry";
import { tenantBindings } from "./tenant-bindings";

/** Seconds before the next delivery of a batch that failed `attempts` times: doubling, capped. */
export function backoffSeconds(attempts: number, base: number, max: number): number {
  return Math.min(max, Math.round(base * 2 ** Math.max(0, attempts - 1)));
}

/**
 * The export queue's consumer: each message is one sink's batch. A delivered batch is acked; one
 * that failed in a way a retry may fix is retried with backoff (general_settings.callback_delivery);
 * after max_attempts, or at once when a retry cannot help (the sink is not configured, it refused
 * the payload), the batch is parked in export_dead_letters. Spend rows were written before any of
 * this, so a sink that is down never holds them up.
 */
export async function consumeExport(batch: MessageBatch<ExportMessage>, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<void> {
  const config = await loadConfig(env, (p) => ctx.waitUntil(p));
  const { backoffSeconds: base, maxBackoffSeconds: max, maxAttempts } = config.settings.telemetry.delivery;
  const sinkCtx = { env: env as unknown as Record<string, unknown>, s3Path: config.settings.telemetry.s3Path };
  await Promise.all(
    batch.messages.map(async (m) => {
      const body = m.body;
      const target = body && typeof body.sink === "string" ? sinkTarget(body.sink) : undefined;
      try {
        if (!target || !Array.isArray(body.events)) throw new SinkError(`not an export batch for a known sink (${String(body?.sink)})`, false);
        // A key's or team's own sink delivers with its own credentials only, never the gateway's.
        const ctx = target.tenant ? { ...sinkCtx, env: await tenantBindings(env, target.sink.name, target.tenant) } : sinkCtx;
        await target.sink.deliver(body.events, ctx);
        m.ack();
      } catch (e) {
        const retryable = !(e instanceof SinkError) || e.retryable;
        const error = e instanceof Error ? e.message : String(e);
        console.error(JSON.stringify({ msg: "export failed", sink: body?.sink, events: body?.events?.length, attempts: m.attempts, retryable, error }));
        if (retryable && m.attempts < maxAttempts) {
          m.retry({ delaySeconds: backoffSeconds(m.attempts, base, max) });
          return;
        }
        try {
          await parkExport(env, body, error, m.attempts);
          m.ack();
        } catch (err) {
          console.error(JSON.stringify({ msg: "export batch could not be parked; retrying", error: String(err) }));
          m.retry({ delaySeconds: max });
        }
      }
    }),
  );
}
