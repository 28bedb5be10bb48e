import type { Env } from "../env";
import { batchQueue } from "./create";
import type { BatchMessage } from "./messages";

/** How long a batch or line may sit without news before the sweep sends its message again. */
export const STALE_MS = 60 * 60_000;
const MAX_PER_SWEEP = 5_000;

/**
 * The safety net of the cron trigger: a message the queue gave up on (a consumer that kept failing
 * past its retries) would leave a batch open for ever. Batches stuck validating or finalizing, and
 * lines left pending or running past their lease, and native batches whose poll stopped, get their
 * message again; every step is safe to repeat, so a line that was only slow is not run twice.
 */
export async function sweepBatches(env: Env, now = Date.now()): Promise<number> {
  if (!env.BATCH_QUEUE) return 0;
  const stale = now - STALE_MS;
  const steps = await env.DB.prepare(`SELECT id, status FROM batches WHERE native IS NULL AND ((status = 'validating' AND created_at < ?) OR (status = 'finalizing' AND finalizing_at < ?)) LIMIT 100`)
    .bind(stale, stale)
    .all<{ id: string; status: string }>();
  // Native batches whose poll has not come for an hour (src/batches/native/poll.ts).
  const polls = await env.DB.prepare(`SELECT id FROM batches WHERE native IS NOT NULL AND status IN ('validating', 'in_progress', 'finalizing', 'cancelling') AND native ->> 'polledAt' < ? LIMIT 100`)
    .bind(stale)
    .all<{ id: string }>();
  const lines = await env.DB.prepare(
    `SELECT l.batch_id, l.custom_id FROM batch_lines l JOIN batches b ON b.id = l.batch_id
     WHERE b.status IN ('in_progress', 'cancelling')
       AND ((l.state = 'pending' AND l.updated_at < ?) OR (l.state = 'running' AND l.lease_until < ?))
     LIMIT ?`,
  )
    .bind(stale, now, MAX_PER_SWEEP)
    .all<{ batch_id: string; custom_id: string }>();
  const messages: BatchMessage[] = [
    ...steps.results.map((b): BatchMessage => (b.status === "validating" ? { type: "start", batch_id: b.id } : { type: "finalize", batch_id: b.id })),
    ...polls.results.map((b): BatchMessage => ({ type: "poll", batch_id: b.id })),
    ...lines.results.map((l): BatchMessage => ({ type: "line", batch_id: l.batch_id, custom_id: l.custom_id })),
  ];
  const queue = batchQueue(env);
  for (let i = 0; i < messages.length; i += 100) await queue.sendBatch(messages.slice(i, i + 100).map((body) => ({ body })));
  return messages.length;
}
