import type { Deployment } from "../../config/deployment";
import type { ResolvedConfig } from "../../config/resolve";
import { db } from "../../db/client";
import { findBatch, moveBatch } from "../../db/batches";
import { findAuthKeyById } from "../../db/keys";
import type { BatchRow, NativeBatch } from "../../db/schema";
import type { Env } from "../../env";
import type { Principal } from "../../http/auth";
import { GatewayError } from "../../http/errors";
import { chargeSpend } from "../../limits/admission";
import { canonicalModel, resolveGroup } from "../../router/groups";
import { sendSpendNow } from "../../spend/sender";
import { batchQueue } from "../create";
import { type AnsweredLine, copyResultFile } from "./copy";
import { BATCH_PRICE_SHARE } from "./price";
import { isFinal, mirroredStatus, OPEN_STATUSES, STATUS_AT } from "./status";
import { type UpstreamBatch, UpstreamBatchApi } from "./upstream";

/** The deployment a native batch was forwarded to, as the config has it now (undefined once it is gone). */
export function nativeDeployment(config: ResolvedConfig, n: NativeBatch): Deployment | undefined {
  return resolveGroup(config, n.modelGroup)?.deployments.find((d) => d.id === n.deploymentId);
}

/** The upstream's request counts (its total is 0 until it has read the file: ours stands until then). */
const countsOf = (up: UpstreamBatch, before: NativeBatch["counts"]) => ({
  total: up.request_counts?.total || before.total,
  completed: up.request_counts?.completed ?? before.completed,
  failed: up.request_counts?.failed ?? before.failed,
});

/**
 * The poll message of a native batch: reads the upstream batch, mirrors its status and request
 * counts, and polls again after batch_settings.native_poll_seconds; once the upstream batch has
 * ended, its result files are copied and the batch ends the same way. An upstream that no longer
 * knows the batch (404) fails it; another upstream error throws (the queue retries the message,
 * and the cron sweep sends it again should the queue give up).
 */
export async function pollNative(env: Env, config: ResolvedConfig, batchId: string): Promise<void> {
  const d = db(env.DB);
  const row = await findBatch(d, batchId);
  if (!row?.native || isFinal(row.status)) return;
  const n = row.native;
  const now = Date.now();
  const dep = nativeDeployment(config, n);
  if (!dep) {
    const message = `The deployment '${n.deploymentId}' this batch was forwarded to is no longer configured, so its upstream batch cannot be followed.`;
    await moveBatch(d, batchId, [...OPEN_STATUSES], { status: "failed", failedAt: now, errors: [{ code: "deployment_not_found", message, param: null, line: null }] });
    return;
  }
  const api = new UpstreamBatchApi(dep);
  let up: UpstreamBatch;
  try {
    up = await api.retrieveBatch(n.upstreamBatchId);
  } catch (e) {
    // The upstream no longer knows the batch: nothing will ever come of it. Other errors are retried.
    if (!(e instanceof GatewayError) || e.status !== 404) throw e;
    const message = `The upstream batch '${n.upstreamBatchId}' no longer exists: ${e.message}`;
    await moveBatch(d, batchId, [...OPEN_STATUSES], { status: "failed", failedAt: now, errors: [{ code: "upstream_batch_not_found", message, param: null, line: null }] });
    return;
  }
  if (isFinal(up.status)) return finish(env, config, row, api, dep, up);
  // Once cancelled here, the batch stays `cancelling` until the upstream has ended.
  const status = row.status === "cancelling" ? "cancelling" : mirroredStatus(up.status, row.status);
  const fields: Partial<BatchRow> & { status: string } = { status, native: { ...n, upstreamStatus: up.status, counts: countsOf(up, n.counts), polledAt: now } };
  const at = STATUS_AT[status as keyof typeof STATUS_AT];
  if (at && row[at] === null) fields[at] = now;
  await moveBatch(d, batchId, [row.status], fields);
  await batchQueue(env).send({ type: "poll", batch_id: batchId }, { delaySeconds: config.settings.batch.nativePollSeconds });
}

/** Test hook: called after each step of a native batch's ending (a test throws from it to crash the run there). */
export const finishSteps: { after?: (step: "spend" | "charge" | "move") => void } = {};

/** The upstream batch ended: its files become the batch's own, its answered lines spend rows, the budgets are charged its cost (once), and the batch ends. */
async function finish(env: Env, config: ResolvedConfig, row: BatchRow, api: UpstreamBatchApi, dep: Deployment, up: UpstreamBatch): Promise<void> {
  const n = row.native!;
  const output = up.output_file_id ? await copyResultFile(env, row, api, dep, up.output_file_id, "output") : { fileId: null, answered: [] };
  const error = up.error_file_id ? await copyResultFile(env, row, api, dep, up.error_file_id, "error") : { fileId: null };
  const answered = output.answered;
  const sum = (f: (l: AnsweredLine) => number) => answered.reduce((a, l) => a + f(l), 0);
  const cost = sum((l) => l.cost ?? 0);
  const promptTokens = sum((l) => l.promptTokens);
  const completionTokens = sum((l) => l.completionTokens);
  const now = Date.now();
  const status = up.status as keyof typeof STATUS_AT;
  const errors = (up.errors?.data ?? []).map((e) => ({ code: e.code ?? "upstream_error", message: e.message ?? "", param: e.param ?? null, line: e.line ?? null }));
  const key = row.ownerKeyId === "master" ? undefined : await findAuthKeyById(db(env.DB), row.ownerKeyId);
  // Every step is safe to repeat, and the batch ends last: a run that dies on the way leaves it
  // open, so the poll comes again (redelivered, or sent by the sweep) and completes the rest. The
  // spend rows are written once per request id; each guard applies the charge once per batch id
  // (KeyGuard.chargeOnce keeps the id in storage); the move ends the batch once.
  await sendSpendNow(
    env,
    answered.map((l, i) => ({
      request_id: `${row.id}-${i + 1}`,
      response_id: l.responseId,
      api_key: key?.token ?? row.ownerKeyId,
      team_id: row.teamId,
      model: dep.model,
      model_group: n.modelGroup,
      provider: dep.provider,
      deployment: dep.id,
      prompt_tokens: l.promptTokens,
      completion_tokens: l.completionTokens,
      spend: l.cost,
      status: "success",
      start_time: row.createdAt,
      end_time: now,
      metadata: { route: row.endpoint, native_batch: true, upstream_batch_id: n.upstreamBatchId, batch_price_share: BATCH_PRICE_SHARE },
      batch_id: row.id,
      custom_id: l.customId,
    })),
  );
  finishSteps.after?.("spend");
  const principal: Principal | null = row.ownerKeyId === "master" ? { kind: "master" } : key ? { kind: "key", key } : null;
  if (principal && (cost > 0 || promptTokens + completionTokens > 0)) {
    await chargeSpend(env, config, principal, { id: row.id, model: canonicalModel(config, n.modelGroup), cost, tokens: promptTokens + completionTokens });
  }
  finishSteps.after?.("charge");
  await moveBatch(db(env.DB), row.id, [...OPEN_STATUSES], {
    status,
    [STATUS_AT[status]]: now,
    outputFileId: output.fileId,
    errorFileId: error.fileId,
    ...(errors.length ? { errors } : {}),
    native: { ...n, upstreamStatus: up.status, counts: countsOf(up, n.counts), polledAt: now, promptTokens, completionTokens, cost },
  });
  finishSteps.after?.("move");
}
