import { db } from "../db/client";
import { findBatch, insertLines, moveBatch, startFinalizing } from "../db/batches";
import type { Env } from "../env";
import { batchQueue } from "./create";
import { fileKey, filesBucket } from "./files";
import { textLines } from "./lines";

/** Lines stored and queued per step (a queue sendBatch takes at most 100 messages). */
const LINES_PER_STEP = 100;
const BYTES_PER_STEP = 400_000;

/** Once no line is open, the batch moves to finalizing (exactly one caller wins) and its finalisation is queued. */
export async function maybeFinalize(env: Env, batchId: string): Promise<void> {
  if (await startFinalizing(env.DB, batchId, Date.now())) await batchQueue(env).send({ type: "finalize", batch_id: batchId });
}

/**
 * The start message: reads the input file from R2 line by line, stores each line (pending) and
 * queues one message per line, then marks the batch in_progress. A redelivered start stores
 * nothing twice; the lines it queues again find their line already taken or done.
 */
export async function startBatch(env: Env, batchId: string): Promise<void> {
  const d = db(env.DB);
  const row = await findBatch(d, batchId);
  if (!row || row.native || (row.status !== "validating" && row.status !== "cancelling")) return;
  const fail = (message: string, code: string, line: number | null) =>
    moveBatch(d, batchId, ["validating", "cancelling"], { status: "failed", failedAt: Date.now(), errors: [{ code, message, param: line === null ? "input_file_id" : null, line }] });
  const object = await filesBucket(env).get(fileKey(row.inputFileId));
  if (!object) {
    await fail(`The input file '${row.inputFileId}' no longer exists.`, "file_not_found", null);
    return;
  }
  const queue = batchQueue(env);
  let step: Array<{ custom_id: string; line_no: number; body: string }> = [];
  let bytes = 0;
  let count = 0;
  let lineNo = 0;
  const flush = async () => {
    if (!step.length) return;
    await insertLines(env.DB, batchId, step, Date.now());
    await queue.sendBatch(step.map((l) => ({ body: { type: "line" as const, batch_id: batchId, custom_id: l.custom_id } })));
    step = [];
    bytes = 0;
  };
  for await (const line of textLines(object.body)) {
    lineNo++;
    if (!line.trim()) continue;
    let parsed: { custom_id?: unknown; body?: unknown };
    try {
      parsed = JSON.parse(line);
    } catch {
      parsed = {};
    }
    if (typeof parsed.custom_id !== "string" || !parsed.body || typeof parsed.body !== "object") {
      await fail(`Line ${lineNo} of the input file is not a batch request.`, "invalid_request", lineNo);
      return;
    }
    const body = JSON.stringify(parsed.body);
    step.push({ custom_id: parsed.custom_id, line_no: lineNo, body });
    bytes += body.length + parsed.custom_id.length;
    count++;
    if (step.length >= LINES_PER_STEP || bytes >= BYTES_PER_STEP) await flush();
  }
  await flush();
  await moveBatch(d, batchId, ["validating"], { status: "in_progress", inProgressAt: Date.now(), total: count });
  await maybeFinalize(env, batchId);
}
