import { and, desc, eq, lt, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "./client";
import { type OwnerScope, scopeCondition } from "./files";
import { type BatchRow, batches } from "./schema";

export const insertBatch = (d: Db, row: typeof batches.$inferInsert): Promise<BatchRow> => d.insert(batches).values(row).returning().get();

export const findBatch = (d: Db, id: string): Promise<BatchRow | undefined> => d.select().from(batches).where(eq(batches.id, id)).get();

/** Moves a batch to `to` only from one of `from`; returns the row when this call made the move. */
export const moveBatch = (d: Db, id: string, from: string[], fields: Partial<BatchRow> & { status: string }): Promise<BatchRow | undefined> =>
  d
    .update(batches)
    .set(fields)
    .where(and(eq(batches.id, id), or(...from.map((s) => eq(batches.status, s)))))
    .returning()
    .get();

export async function listBatches(d: Db, scope: OwnerScope, limit: number, after?: BatchRow, nativeProvider?: string): Promise<BatchRow[]> {
  const conds: Array<SQL | undefined> = [scopeCondition(scope, batches.ownerKeyId, batches.teamId)];
  if (nativeProvider) conds.push(sql`${batches.native} ->> 'provider' = ${nativeProvider}`);
  if (after) conds.push(or(lt(batches.createdAt, after.createdAt), and(eq(batches.createdAt, after.createdAt), lt(batches.id, after.id))));
  return d
    .select()
    .from(batches)
    .where(and(...conds))
    .orderBy(desc(batches.createdAt), desc(batches.id))
    .limit(limit)
    .all();
}

/** What a batch's lines add up to so far. */
export interface LineStats {
  done: number;
  failed: number;
  open: number;
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

export async function lineStats(d1: D1Database, batchId: string): Promise<LineStats> {
  const { results } = await d1
    .prepare(
      `SELECT state, COUNT(*) AS n, COALESCE(SUM(prompt_tokens), 0) AS p, COALESCE(SUM(completion_tokens), 0) AS c, COALESCE(SUM(cost), 0) AS cost
       FROM batch_lines WHERE batch_id = ? GROUP BY state`,
    )
    .bind(batchId)
    .all<{ state: string; n: number; p: number; c: number; cost: number }>();
  const s: LineStats = { done: 0, failed: 0, open: 0, promptTokens: 0, completionTokens: 0, cost: 0 };
  for (const r of results) {
    if (r.state === "done") s.done += r.n;
    else if (r.state === "failed" || r.state === "expired") s.failed += r.n;
    else if (r.state === "pending" || r.state === "running") s.open += r.n;
    s.promptTokens += r.p;
    s.completionTokens += r.c;
    s.cost += r.cost;
  }
  return s;
}

/** Adds lines (a redelivered start adds nothing twice). */
export async function insertLines(d1: D1Database, batchId: string, lines: Array<{ custom_id: string; line_no: number; body: string }>, now: number): Promise<void> {
  if (!lines.length) return;
  await d1
    .prepare(
      `INSERT INTO batch_lines (batch_id, custom_id, line_no, body, state, tries, prompt_tokens, completion_tokens, updated_at)
       SELECT ?, value ->> 'custom_id', value ->> 'line_no', value ->> 'body', 'pending', 0, 0, 0, ? FROM json_each(?) WHERE true
       ON CONFLICT (batch_id, custom_id) DO NOTHING`,
    )
    .bind(batchId, now, JSON.stringify(lines))
    .run();
}

interface ClaimedLine {
  line_no: number;
  body: string;
  tries: number;
  lease_until: number;
}

/** Takes a line to run: a pending one, or a running one whose lease passed (its consumer died). */
export async function claimLine(d1: D1Database, batchId: string, customId: string, now: number, leaseMs: number): Promise<ClaimedLine | null> {
  return d1
    .prepare(
      `UPDATE batch_lines SET state = 'running', lease_until = ?, updated_at = ?
       WHERE batch_id = ? AND custom_id = ? AND (state = 'pending' OR (state = 'running' AND lease_until <= ?))
       RETURNING line_no, body, tries, lease_until`,
    )
    .bind(now + leaseMs, now, batchId, customId, now)
    .first<ClaimedLine>();
}

export const lineState = (d1: D1Database, batchId: string, customId: string) =>
  d1.prepare("SELECT state, lease_until FROM batch_lines WHERE batch_id = ? AND custom_id = ?").bind(batchId, customId).first<{ state: string; lease_until: number | null }>();

/** Ends a claimed run (only while this run still holds the lease): true when it did. */
export async function endRun(
  d1: D1Database,
  batchId: string,
  customId: string,
  lease: number,
  end: { state: "done" | "failed" | "pending"; result?: string; promptTokens?: number; completionTokens?: number; cost?: number | null; retried?: boolean },
): Promise<boolean> {
  const r = await d1
    .prepare(
      `UPDATE batch_lines SET state = ?, result = ?, prompt_tokens = ?, completion_tokens = ?, cost = ?, tries = tries + ?, lease_until = NULL, updated_at = ?
       WHERE batch_id = ? AND custom_id = ? AND state = 'running' AND lease_until = ?`,
    )
    .bind(end.state, end.result ?? null, end.promptTokens ?? 0, end.completionTokens ?? 0, end.cost ?? null, end.retried ? 1 : 0, Date.now(), batchId, customId, lease)
    .run();
  return r.meta.changes > 0;
}

/** Closes a line that will not run (batch cancelled or expired), unless it is running under a live lease or already finished. */
export async function closeLine(d1: D1Database, batchId: string, customId: string, state: "cancelled" | "expired", result: string, now: number): Promise<void> {
  await d1
    .prepare(
      `UPDATE batch_lines SET state = ?, result = ?, lease_until = NULL, updated_at = ?
       WHERE batch_id = ? AND custom_id = ? AND (state = 'pending' OR (state = 'running' AND lease_until <= ?))`,
    )
    .bind(state, result, now, batchId, customId, now)
    .run();
}

/** Moves the batch to finalizing once no line is open; returns true for the one caller that made the move. */
export async function startFinalizing(d1: D1Database, batchId: string, now: number): Promise<boolean> {
  const r = await d1
    .prepare(
      `UPDATE batches SET status = 'finalizing', finalizing_at = ?
       WHERE id = ? AND status IN ('in_progress', 'cancelling') AND native IS NULL
         AND NOT EXISTS (SELECT 1 FROM batch_lines WHERE batch_id = ? AND state IN ('pending', 'running'))`,
    )
    .bind(now, batchId, batchId)
    .run();
  return r.meta.changes > 0;
}

/** Finished lines in file order, a page at a time. */
export async function linesPage(d1: D1Database, batchId: string, states: string[], afterLine: number, limit: number): Promise<Array<{ line_no: number; result: string | null }>> {
  const { results } = await d1
    .prepare(`SELECT line_no, result FROM batch_lines WHERE batch_id = ? AND line_no > ? AND state IN (${states.map(() => "?").join(", ")}) ORDER BY line_no LIMIT ?`)
    .bind(batchId, afterLine, ...states, limit)
    .all<{ line_no: number; result: string | null }>();
  return results;
}
