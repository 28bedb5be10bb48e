import type { ResolvedConfig } from "../../config/resolve";
import { db } from "../../db/client";
import { insertBatch } from "../../db/batches";
import type { BatchRow, FileRow } from "../../db/schema";
import type { Env } from "../../env";
import type { Principal } from "../../http/auth";
import { admit } from "../../limits/admission";
import { accessGroupsOf, canonicalModel } from "../../router/groups";
import { ownerOf } from "../access";
import { batchQueue } from "../create";
import { fileKey, filesBucket, notFound, randomId } from "../files";
import { textLines } from "../lines";
import type { NativeTarget } from "./choose";
import { mirroredStatus } from "./status";
import { UpstreamBatchApi } from "./upstream";

/** The window OpenAI's and Azure's Batch APIs give a batch. */
const UPSTREAM_WINDOW_MS = 24 * 3600_000;

/** One input line as the upstream must get it: `body.model` the deployment's upstream model, `url` the upstream's path. */
function rewriteLine(text: string, api: UpstreamBatchApi): string {
  // The file was checked line by line when it was uploaded (src/batches/line-check.ts).
  const line = JSON.parse(text) as { url: string; body: Record<string, unknown> };
  return `${JSON.stringify({ ...line, url: api.endpoint(line.url), body: { ...line.body, model: api.upstreamModel } })}\n`;
}

/** The rewritten file's size in bytes (a first pass over R2), so the upload carries a Content-Length rather than a chunked body. */
async function rewrittenBytes(source: ReadableStream<Uint8Array>, api: UpstreamBatchApi): Promise<number> {
  const enc = new TextEncoder();
  let bytes = 0;
  for await (const text of textLines(source)) if (text.trim()) bytes += enc.encode(rewriteLine(text, api)).length;
  return bytes;
}

/** The rewritten file as a stream (the second pass). */
function rewritten(source: ReadableStream<Uint8Array>, api: UpstreamBatchApi): ReadableStream<Uint8Array> {
  const lines = textLines(source);
  const enc = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(c) {
      for (;;) {
        const next = await lines.next();
        if (next.done) return c.close();
        if (next.value.trim()) return c.enqueue(enc.encode(rewriteLine(next.value, api)));
      }
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
}

interface NativeCreate {
  endpoint: string;
  completionWindow: string;
  metadata: Record<string, string> | null;
  outputExpiresSeconds: number | null;
}

/**
 * Forwards a batch to its deployment's own Batch API: checks the key's budgets (a key, team or
 * model group over budget is refused before anything is sent), uploads the input file with each
 * line's model rewritten, creates the upstream batch, stores the batch with the upstream's ids
 * and status, and queues its first poll. An upstream refusal is the client's error, in OpenAI's shape.
 */
export async function forwardBatch(
  env: Env,
  config: ResolvedConfig,
  principal: Principal,
  req: NativeCreate,
  file: FileRow,
  target: NativeTarget,
  waitUntil: (p: Promise<unknown>) => void,
): Promise<BatchRow> {
  const api = new UpstreamBatchApi(target.dep);
  const queue = batchQueue(env);
  const id = randomId("batch_");
  const admitted = await admit(env, config, principal, { id, model: canonicalModel(config, target.group), reserve: 0, groups: accessGroupsOf(target.groupDeployments) }, waitUntil);
  const released = admitted.settle(0, 0);
  if (released) waitUntil(released);
  const read = async () => {
    const object = await filesBucket(env).get(fileKey(file.id));
    if (!object) throw notFound("file", file.id);
    return object.body;
  };
  const bytes = await rewrittenBytes(await read(), api);
  const upstreamFileId = await api.uploadFile(rewritten(await read(), api), bytes, file.filename);
  const up = await api.createBatch({ input_file_id: upstreamFileId, endpoint: api.endpoint(req.endpoint), completion_window: "24h", ...(req.metadata ? { metadata: req.metadata } : {}) });
  const owner = ownerOf(principal);
  const now = Date.now();
  const status = mirroredStatus(up.status, "validating");
  const row = await insertBatch(db(env.DB), {
    id,
    ownerKeyId: owner.keyId,
    teamId: owner.teamId,
    endpoint: req.endpoint,
    inputFileId: file.id,
    completionWindow: req.completionWindow,
    status,
    metadata: req.metadata,
    outputExpiresSeconds: req.outputExpiresSeconds,
    total: file.lineCount ?? 0,
    createdAt: now,
    inProgressAt: status === "in_progress" ? now : null,
    expiresAt: now + UPSTREAM_WINDOW_MS,
    native: {
      provider: api.provider,
      deploymentId: target.dep.id,
      modelGroup: target.group,
      upstreamBatchId: up.id,
      upstreamInputFileId: upstreamFileId,
      upstreamStatus: up.status,
      counts: { total: up.request_counts?.total || (file.lineCount ?? 0), completed: up.request_counts?.completed ?? 0, failed: up.request_counts?.failed ?? 0 },
      polledAt: now,
      promptTokens: 0,
      completionTokens: 0,
      cost: 0,
    },
  });
  await queue.send({ type: "poll", batch_id: id }, { delaySeconds: config.settings.batch.nativePollSeconds });
  return row;
}
