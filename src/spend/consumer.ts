import { and, eq, sql } from "drizzle-orm";
import { db } from "../db/client";
import { keys, spendLogs } from "../db/schema";
import type { Env } from "../env";
import type { SpendEvent, SpendMessage } from "./event";

const EVENTS_PER_D1_BATCH = 200;

function isEvent(e: unknown): e is SpendEvent {
  const o = e as SpendEvent;
  return !!o && typeof o.request_id === "string" && typeof o.api_key === "string" && typeof o.start_time === "number";
}

/**
 * Writes spend events to D1 in one batch per 200 events: each row is inserted only if its
 * request id is new, and the key's spend grows only when that insert happened (`changes()`), so a
 * redelivered message never counts twice.
 */
export async function writeSpend(env: Env, events: SpendEvent[]): Promise<void> {
  const d = db(env.DB);
  for (let i = 0; i < events.length; i += EVENTS_PER_D1_BATCH) {
    const statements = [];
    for (const e of events.slice(i, i + EVENTS_PER_D1_BATCH)) {
      statements.push(
        d
          .insert(spendLogs)
          .values({
            requestId: e.request_id,
            apiKey: e.api_key,
            model: e.model,
            modelGroup: e.model_group,
            provider: e.provider,
            deployment: e.deployment,
            promptTokens: e.prompt_tokens,
            completionTokens: e.completion_tokens,
            spend: e.spend,
            status: e.status,
            startTime: e.start_time,
            endTime: e.end_time,
            metadata: e.metadata ?? {},
          })
          .onConflictDoNothing(),
      );
      if (e.spend && e.api_key !== "master") {
        // changes() is the row count of the insert just before: 0 when the request id was already there.
        statements.push(
          d
            .update(keys)
            .set({ spend: sql`${keys.spend} + ${e.spend}` })
            .where(and(eq(keys.token, e.api_key), sql`changes() = 1`)),
        );
      }
    }
    const [first, ...rest] = statements;
    if (first) await d.batch([first, ...rest]);
  }
}

/** The Queue consumer: a failed batch is retried with backoff (a redelivery is harmless). */
export async function consumeSpend(batch: MessageBatch<SpendMessage>, env: Env): Promise<void> {
  const events: SpendEvent[] = [];
  for (const m of batch.messages) {
    const list = (m.body as SpendMessage | undefined)?.events;
    if (Array.isArray(list)) for (const e of list) if (isEvent(e)) events.push(e);
  }
  try {
    await writeSpend(env, events);
    batch.ackAll();
  } catch (e) {
    const attempts = Math.max(...batch.messages.map((m) => m.attempts));
    console.error(JSON.stringify({ msg: "spend batch failed", events: events.length, attempts, error: String(e) }));
    batch.retryAll({ delaySeconds: Math.min(300, 2 ** attempts) });
  }
}
