import type { Env } from "../env";
import { batchId } from "./ids";
import type { ExportMessage } from "./export-message";
import { sendExports } from "./export-queue";

/** Parks a batch its sink did not take after its retries (or could never take): listed and replayable. */
export async function parkExport(env: Env, message: ExportMessage, error: string, attempts: number): Promise<void> {
  const events = Array.isArray(message.events) ? message.events : [];
  const id = `${message.sink}:${batchId(events)}`;
  await env.DB.prepare(
    `INSERT INTO export_dead_letters (id, sink, events, error, attempts, created_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET error = excluded.error, attempts = excluded.attempts`,
  )
    .bind(id, String(message.sink), JSON.stringify(events), error.slice(0, 1000), attempts, Date.now())
    .run();
}

interface ExportDeadLetter {
  id: string;
  sink: string;
  events: number;
  request_ids: string[];
  error: string;
  attempts: number;
  created_at: string;
}

export async function listExportDeadLetters(env: Env, sink: string | undefined, page: number, size: number): Promise<ExportDeadLetter[]> {
  const { results } = await env.DB.prepare(`SELECT id, sink, events, error, attempts, created_at FROM export_dead_letters WHERE (?1 IS NULL OR sink = ?1) ORDER BY created_at DESC LIMIT ?2 OFFSET ?3`)
    .bind(sink ?? null, size, (page - 1) * size)
    .all<{ id: string; sink: string; events: string; error: string; attempts: number; created_at: number }>();
  return results.map((r) => {
    const events = JSON.parse(r.events) as Array<{ request_id?: string }>;
    return {
      id: r.id,
      sink: r.sink,
      events: events.length,
      request_ids: events.map((e) => String(e.request_id)).slice(0, 100),
      error: r.error,
      attempts: r.attempts,
      created_at: new Date(r.created_at).toISOString(),
    };
  });
}

/** Sends parked batches back to the export queue (with fresh retries); what was sent leaves the table. */
export async function replayExportDeadLetters(env: Env, sink: string | undefined, limit = 100): Promise<{ replayed: number; events: number }> {
  const { results } = await env.DB.prepare(`SELECT id, sink, events FROM export_dead_letters WHERE (?1 IS NULL OR sink = ?1) ORDER BY created_at LIMIT ?2`)
    .bind(sink ?? null, limit)
    .all<{ id: string; sink: string; events: string }>();
  let events = 0;
  for (const r of results) {
    const message: ExportMessage = { sink: r.sink, events: JSON.parse(r.events) as ExportMessage["events"] };
    await sendExports(env, [message]);
    await env.DB.prepare("DELETE FROM export_dead_letters WHERE id = ?").bind(r.id).run();
    events += message.events.length;
  }
  return { replayed: results.length, events };
}
