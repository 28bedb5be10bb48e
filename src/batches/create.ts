import * as z from "zod/mini";
import { parseBody } from "../api/parse";
import type { ResolvedConfig } from "../config/resolve";
import { db } from "../db/client";
import { insertBatch } from "../db/batches";
import type { BatchRow } from "../db/schema";
import type { Env } from "../env";
import type { Principal } from "../http/auth";
import { configError, invalidRequest } from "../http/errors";
import { ownerOf } from "./access";
import { BATCH_ENDPOINTS, isBatchEndpoint } from "./endpoints";
import { randomId, readableFile } from "./files";
import type { BatchMessage } from "./messages";
import { checkNativeProvider, nativeTarget } from "./native/choose";
import { forwardBatch } from "./native/forward";

const createSchema = z.strictObject({
  input_file_id: z.string().check(z.minLength(1)),
  endpoint: z.string(),
  completion_window: z.literal("24h"),
  metadata: z.optional(z.nullable(z.record(z.string().check(z.maxLength(64)), z.string().check(z.maxLength(512))).check(z.refine((m) => Object.keys(m).length <= 16, "at most 16 keys")))),
  output_expires_after: z.optional(z.strictObject({ anchor: z.literal("created_at"), seconds: z.number().check(z.int(), z.gte(3600), z.lte(2_592_000)) })),
  /** LiteLLM's field (`extra_body={"custom_llm_provider": "openai"}`): forward to that provider's own Batch API (src/batches/native/). */
  custom_llm_provider: z.optional(z.string()),
});

export function batchQueue(env: Env): Queue<BatchMessage> {
  if (!env.BATCH_QUEUE) throw configError("Batches need the BATCH_QUEUE queue binding (wrangler.toml [[queues.producers]]).");
  return env.BATCH_QUEUE;
}

/**
 * POST /v1/batches: checks the request and its input file; a batch that goes to its provider's own
 * Batch API is forwarded (src/batches/native/), any other is stored (validating) and its start queued.
 */
export async function createBatch(
  env: Env,
  config: ResolvedConfig,
  principal: Principal,
  body: unknown,
  waitUntil: (p: Promise<unknown>) => void,
  /** The provider the request's path, query or header names (already checked). */
  named?: string,
): Promise<BatchRow> {
  const req = parseBody(createSchema, body);
  const fromBody = req.custom_llm_provider === undefined ? undefined : checkNativeProvider(config, req.custom_llm_provider);
  if (named && fromBody && named !== fromBody)
    throw invalidRequest(`The request names two providers: '${named}' (path, query or header) and '${fromBody}' (custom_llm_provider).`, "custom_llm_provider");
  if (!isBatchEndpoint(req.endpoint)) throw invalidRequest(`'endpoint' must be one of ${BATCH_ENDPOINTS.join(", ")} on this gateway.`, "endpoint");
  const queue = batchQueue(env);
  const file = await readableFile(env, principal, req.input_file_id);
  if (file.purpose !== "batch") throw invalidRequest(`The file '${file.id}' was uploaded with purpose '${file.purpose}', not 'batch'.`, "input_file_id");
  if (file.batchUrl !== req.endpoint) throw invalidRequest(`The lines of '${file.id}' call ${file.batchUrl}, not this batch's endpoint ${req.endpoint}.`, "endpoint");
  const target = nativeTarget(config, file, req.endpoint, named ?? fromBody);
  if (target) {
    const create = { endpoint: req.endpoint, completionWindow: req.completion_window, metadata: req.metadata ?? null, outputExpiresSeconds: req.output_expires_after?.seconds ?? null };
    return forwardBatch(env, config, principal, create, file, target, waitUntil);
  }
  const owner = ownerOf(principal);
  const now = Date.now();
  const row = await insertBatch(db(env.DB), {
    id: randomId("batch_"),
    ownerKeyId: owner.keyId,
    teamId: owner.teamId,
    endpoint: req.endpoint,
    inputFileId: file.id,
    completionWindow: req.completion_window,
    status: "validating",
    metadata: req.metadata ?? null,
    outputExpiresSeconds: req.output_expires_after?.seconds ?? null,
    total: file.lineCount ?? 0,
    createdAt: now,
    expiresAt: now + config.settings.batch.completionWindowSeconds * 1000,
  });
  await queue.send({ type: "start", batch_id: row.id });
  return row;
}
