import { loadConfig } from "../config/load";
import { db } from "../db/client";
import { findBatch } from "../db/batches";
import { findAuthKeyById } from "../db/keys";
import type { BatchRow } from "../db/schema";
import type { Env } from "../env";
import type { Principal } from "../http/auth";
import { batchQueue } from "./create";
import { finalizeBatch } from "./finalize";
import type { BatchMessage } from "./messages";
import { pollNative } from "./native/poll";
import { runLine } from "./run-line";
import { startBatch } from "./start";

/** Runs `work` over `items`, at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, work: (t: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

/**
 * The batch queue's consumer. A message that throws is retried by the queue (every step is safe
 * to repeat); a line that must wait (rate limits, a retry delay, another run's lease) is sent again
 * with a delay and this delivery acked, so waiting never uses up the queue's retries.
 */
export async function consumeBatches(batch: MessageBatch<BatchMessage>, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }): Promise<void> {
  const waitUntil = (p: Promise<unknown>) => ctx.waitUntil(p);
  const config = await loadConfig(env, waitUntil);
  // A config that does not load fails no line: the messages are sent again for later (not retried,
  // which would use up the queue's retries while the config is being fixed).
  if (config.error) {
    console.error(JSON.stringify({ msg: "batch messages wait: the config does not load", error: config.error }));
    await batchQueue(env).sendBatch(batch.messages.map((m) => ({ body: m.body, delaySeconds: 30 })));
    batch.ackAll();
    return;
  }
  const d = db(env.DB);
  const rows = new Map<string, Promise<BatchRow | undefined>>();
  const rowOf = (id: string) => {
    let p = rows.get(id);
    if (!p) rows.set(id, (p = findBatch(d, id)));
    return p;
  };
  const principals = new Map<string, Promise<Principal | null>>();
  const principalOf = (keyId: string) => {
    let p = principals.get(keyId);
    if (!p) {
      p = keyId === "master" ? Promise.resolve({ kind: "master" } as const) : findAuthKeyById(d, keyId).then((key) => (key ? { kind: "key" as const, key } : null));
      principals.set(keyId, p);
    }
    return p;
  };
  await pool(batch.messages, config.settings.batch.concurrency, async (m) => {
    const body = m.body;
    try {
      if (body.type === "start") await startBatch(env, body.batch_id);
      else if (body.type === "finalize") await finalizeBatch(env, body.batch_id);
      else if (body.type === "poll") await pollNative(env, config, body.batch_id);
      else if (body.type === "line") {
        const row = await rowOf(body.batch_id);
        if (!row) return m.ack();
        const next = await runLine({ env, config, batch: row, customId: body.custom_id, principal: () => principalOf(row.ownerKeyId), waitUntil });
        if (!next.ack) await batchQueue(env).send(body, { delaySeconds: next.delaySeconds });
      }
      m.ack();
    } catch (e) {
      console.error(JSON.stringify({ msg: "batch message failed; retried", type: body?.type, batch: body?.batch_id, attempts: m.attempts, error: String(e) }));
      m.retry({ delaySeconds: Math.min(60, 2 ** m.attempts) });
    }
  });
}
