import type { LineStats } from "../db/batches";
import type { BatchRow } from "../db/schema";

const s = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));

/**
 * OpenAI's batch object. `usage` adds up the lines run so far; `cost` (USD, an extension) is what
 * they were charged, each line priced as the live call it was.
 */
export function batchObject(row: BatchRow, lines: LineStats) {
  // A native batch has no lines here: its counts are the upstream's, its usage and cost known once it ends.
  const n = row.native;
  const stats = n ? { ...lines, done: n.counts.completed, failed: n.counts.failed, promptTokens: n.promptTokens, completionTokens: n.completionTokens, cost: n.cost } : lines;
  return {
    id: row.id,
    object: "batch" as const,
    endpoint: row.endpoint,
    errors: row.errors?.length ? { object: "list", data: row.errors } : null,
    input_file_id: row.inputFileId,
    completion_window: row.completionWindow,
    status: row.status,
    output_file_id: row.outputFileId,
    error_file_id: row.errorFileId,
    created_at: s(row.createdAt)!,
    in_progress_at: s(row.inProgressAt),
    expires_at: s(row.expiresAt),
    finalizing_at: s(row.finalizingAt),
    completed_at: s(row.completedAt),
    failed_at: s(row.failedAt),
    expired_at: s(row.expiredAt),
    cancelling_at: s(row.cancellingAt),
    cancelled_at: s(row.cancelledAt),
    request_counts: { total: n ? n.counts.total : row.total, completed: stats.done, failed: stats.failed },
    metadata: row.metadata ?? null,
    usage: {
      input_tokens: stats.promptTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: stats.completionTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: stats.promptTokens + stats.completionTokens,
    },
    cost: stats.cost,
  };
}
