import type { Env } from "../env";
import type { SpendEvent } from "../spend/event";
import { sinkTarget } from "./sinks/registry";
import type { ExportMessage } from "./export-message";

/** A queue message stays well under the 128 KB limit; a sendBatch under its 256 KB. */
const MAX_MESSAGE_BYTES = 100_000;
const MAX_SEND_BYTES = 200_000;
const MAX_SEND_MESSAGES = 100;

/** The export batches for a set of calls: per sink, split so that each fits in one queue message. */
export function exportBatches(events: SpendEvent[]): ExportMessage[] {
  const bySink = new Map<string, SpendEvent[]>();
  for (const e of events) {
    for (const name of e.trace?.callbacks ?? []) {
      if (!sinkTarget(name)) continue;
      const list = bySink.get(name);
      if (list) list.push(e);
      else bySink.set(name, [e]);
    }
  }
  const out: ExportMessage[] = [];
  for (const [sink, list] of bySink) {
    let current: SpendEvent[] = [];
    let size = 0;
    for (const e of list) {
      const n = JSON.stringify(e).length + 1;
      if (current.length && size + n > MAX_MESSAGE_BYTES) {
        out.push({ sink, events: current });
        current = [];
        size = 0;
      }
      current.push(e);
      size += n;
    }
    if (current.length) out.push({ sink, events: current });
  }
  return out;
}

/** Team aliases are not known on the hot path: they are read here, once per batch. */
export async function addTeamAliases(env: Env, events: SpendEvent[]): Promise<void> {
  const ids = [...new Set(events.filter((e) => e.trace && e.team_id).map((e) => e.team_id!))];
  if (!ids.length) return;
  const { results } = await env.DB.prepare("SELECT team_id, team_alias FROM teams WHERE team_id IN (SELECT value FROM json_each(?))")
    .bind(JSON.stringify(ids))
    .all<{ team_id: string; team_alias: string | null }>();
  const alias = new Map(results.map((r) => [r.team_id, r.team_alias]));
  for (const e of events) {
    const a = e.team_id ? alias.get(e.team_id) : undefined;
    if (e.trace && a) e.trace.team_alias = a;
  }
}

/** Sends export batches to the export queue, in as few sends as the queue's limits allow. */
export async function sendExports(env: Env, messages: ExportMessage[]): Promise<void> {
  if (!messages.length) return;
  if (!env.EXPORT_QUEUE) throw new Error("callbacks are configured but the EXPORT_QUEUE binding is missing (see wrangler.toml)");
  let group: MessageSendRequest<ExportMessage>[] = [];
  let size = 0;
  for (const body of messages) {
    const n = JSON.stringify(body).length;
    if (group.length && (size + n > MAX_SEND_BYTES || group.length >= MAX_SEND_MESSAGES)) {
      await env.EXPORT_QUEUE.sendBatch(group);
      group = [];
      size = 0;
    }
    group.push({ body });
    size += n;
  }
  if (group.length) await env.EXPORT_QUEUE.sendBatch(group);
}

/**
 * Hands the calls of a written spend batch to their sinks' export batches. Called only after the
 * rows committed; a failure throws, and the spend batch is delivered again (its rows are
 * idempotent, the exported events carry stable ids).
 */
export async function queueExports(env: Env, events: SpendEvent[]): Promise<number> {
  const traced = events.filter((e) => e.trace?.callbacks.length);
  if (!traced.length) return 0;
  const messages = exportBatches(traced);
  if (!messages.length) return 0;
  await addTeamAliases(env, traced);
  await sendExports(env, messages);
  return messages.length;
}
