import type { ResolvedConfig } from "../../config/resolve";
import type { BatchRow } from "../../db/schema";
import { configError } from "../../http/errors";
import { nativeDeployment } from "./poll";
import { UpstreamBatchApi } from "./upstream";

/**
 * Cancelling a native batch asks its upstream first (a refusal is the client's error, and nothing
 * changes here); the batch is then `cancelling` until a poll finds the upstream batch ended.
 */
export async function cancelUpstream(config: ResolvedConfig, row: BatchRow): Promise<void> {
  const n = row.native!;
  const dep = nativeDeployment(config, n);
  if (!dep) throw configError(`The deployment '${n.deploymentId}' this batch was forwarded to is no longer configured; its upstream batch cannot be cancelled.`);
  await new UpstreamBatchApi(dep).cancelBatch(n.upstreamBatchId);
}
