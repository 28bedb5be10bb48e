import { db } from "../db/client";
import { findBatch, linesPage, moveBatch } from "../db/batches";
import { upsertFile } from "../db/files";
import type { BatchRow } from "../db/schema";
import type { Env } from "../env";
import { fileKey, filesBucket } from "./files";
import { R2Writer } from "./r2-writer";

const PAGE = 500;

/** The fixed id of a batch's output or error file (a repeated finalisation writes the same file). */
const resultFileId = (batch: BatchRow, kind: "output" | "error") => `file-${batch.id.replace(/^batch_/, "")}-${kind}`;

/** A writer for a batch's output or error file in R2. */
export const resultWriter = (env: Env, batch: BatchRow, kind: "output" | "error") =>
  new R2Writer(filesBucket(env), fileKey(resultFileId(batch, kind)), { httpMetadata: { contentType: "application/jsonl" } });

/** Stores what `writer` holds as the batch's output or error file, owned by the batch's owner; null (and nothing kept) when it is empty. */
export async function keepResultFile(env: Env, batch: BatchRow, kind: "output" | "error", writer: R2Writer): Promise<string | null> {
  if (writer.bytes === 0) {
    await writer.abort();
    return null;
  }
  const id = resultFileId(batch, kind);
  const bytes = await writer.close();
  const now = Date.now();
  await upsertFile(db(env.DB), {
    id,
    ownerKeyId: batch.ownerKeyId,
    teamId: batch.teamId,
    purpose: "batch_output",
    filename: `${batch.id}_${kind}.jsonl`,
    bytes,
    createdAt: now,
    expiresAt: batch.outputExpiresSeconds ? now + batch.outputExpiresSeconds * 1000 : null,
    lineCount: null,
    batchUrl: null,
    models: null,
  });
  return id;
}

/** Writes the results of lines in `states`, in input order, as a JSONL file owned by the batch's owner; null when there are none. */
async function resultFile(env: Env, batch: BatchRow, states: string[], kind: "output" | "error"): Promise<string | null> {
  const writer = resultWriter(env, batch, kind);
  let after = 0;
  for (;;) {
    const page = await linesPage(env.DB, batch.id, states, after, PAGE);
    for (const l of page) {
      if (!l.result) continue;
      if (!l.result.startsWith("r2:")) {
        await writer.write(`${l.result}\n`);
        continue;
      }
      // A large answer kept in R2 (see run-line.ts): copied over as it streams.
      const object = await filesBucket(env).get(l.result.slice(3));
      if (!object) throw new Error(`batch ${batch.id}: the result of line ${l.line_no} is missing from R2`);
      const reader = object.body.getReader();
      for (let r = await reader.read(); !r.done; r = await reader.read()) await writer.write(r.value);
      await writer.write("\n");
    }
    if (page.length < PAGE) break;
    after = page.at(-1)!.line_no;
  }
  return keepResultFile(env, batch, kind, writer);
}

/**
 * The finalize message: writes the output file (lines answered) and the error file (lines that
 * failed, expired or were cancelled), then the batch's final status. Safe to run again: the files
 * have fixed ids and the status moves only from finalizing.
 */
export async function finalizeBatch(env: Env, batchId: string): Promise<void> {
  const d = db(env.DB);
  const batch = await findBatch(d, batchId);
  if (batch?.status !== "finalizing") return;
  const outputFileId = await resultFile(env, batch, ["done"], "output");
  const errorFileId = await resultFile(env, batch, ["failed", "expired", "cancelled"], "error");
  const expired = await env.DB.prepare("SELECT 1 AS x FROM batch_lines WHERE batch_id = ? AND state = 'expired' LIMIT 1").bind(batchId).first();
  const now = Date.now();
  const ending = batch.cancellingAt !== null ? { status: "cancelled", cancelledAt: now } : expired ? { status: "expired", expiredAt: now } : { status: "completed", completedAt: now };
  await moveBatch(d, batchId, ["finalizing"], { ...ending, outputFileId, errorFileId });
}
