import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** What a natively forwarded batch keeps of its upstream (src/batches/native/). */
export interface NativeBatch {
  provider: "openai" | "azure";
  /** The deployment it was forwarded to (model_info.id) and the model group its lines named. */
  deploymentId: string;
  modelGroup: string;
  upstreamBatchId: string;
  upstreamInputFileId: string;
  /** The upstream's status and request counts at the last poll (Unix ms). */
  upstreamStatus: string;
  counts: { total: number; completed: number; failed: number };
  polledAt: number;
  /** Filled in when the upstream's output file is copied: tokens and USD at the batch rate. */
  promptTokens: number;
  completionTokens: number;
  cost: number;
}

/** Batches (POST /v1/batches), OpenAI's object; the lines are in batch_lines. */
export const batches = sqliteTable(
  "batches",
  {
    id: text("id").primaryKey(),
    ownerKeyId: text("owner_key_id").notNull(),
    teamId: text("team_id"),
    endpoint: text("endpoint").notNull(),
    inputFileId: text("input_file_id").notNull(),
    completionWindow: text("completion_window").notNull(),
    /** validating | in_progress | finalizing | completed | failed | expired | cancelling | cancelled */
    status: text("status").notNull(),
    outputFileId: text("output_file_id"),
    errorFileId: text("error_file_id"),
    /** OpenAI's `errors.data` when validation failed. */
    errors: text("errors", { mode: "json" }).$type<Array<{ code: string; message: string; param: string | null; line: number | null }>>(),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, string>>(),
    /** Seconds the output and error files are kept (output_expires_after.seconds), or null. */
    outputExpiresSeconds: integer("output_expires_seconds"),
    total: integer("total").notNull().default(0),
    /** Unix ms of each transition (null until it happens). */
    createdAt: integer("created_at").notNull(),
    inProgressAt: integer("in_progress_at"),
    finalizingAt: integer("finalizing_at"),
    completedAt: integer("completed_at"),
    failedAt: integer("failed_at"),
    expiredAt: integer("expired_at"),
    cancellingAt: integer("cancelling_at"),
    cancelledAt: integer("cancelled_at"),
    expiresAt: integer("expires_at").notNull(),
    /** A batch forwarded to the provider's own Batch API (src/batches/native/): its upstream ids and what it reported; null when the gateway runs it. */
    native: text("native", { mode: "json" }).$type<NativeBatch>(),
  },
  (t) => [index("batches_owner_idx").on(t.ownerKeyId, t.createdAt)],
);

export type BatchRow = typeof batches.$inferSelect;

/**
 * One request line of a gateway-run batch. (batch_id, custom_id) is the key, so a redelivered
 * line is stored once; `state` moves pending -> running (a lease) -> done | failed | expired | cancelled.
 */
export const batchLines = sqliteTable(
  "batch_lines",
  {
    batchId: text("batch_id").notNull(),
    customId: text("custom_id").notNull(),
    lineNo: integer("line_no").notNull(),
    /** The line's request body (JSON). */
    body: text("body").notNull(),
    state: text("state").notNull(),
    /** Runs that ended in a retryable failure (each later run has its own request id). */
    tries: integer("tries").notNull().default(0),
    /** Unix ms: a running line whose lease passed is run again (its consumer died). */
    leaseUntil: integer("lease_until"),
    /** The output or error file line (JSON), once the line is finished. */
    result: text("result"),
    promptTokens: integer("prompt_tokens").notNull().default(0),
    completionTokens: integer("completion_tokens").notNull().default(0),
    cost: real("cost"),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.batchId, t.customId] }), index("batch_lines_state_idx").on(t.batchId, t.state), index("batch_lines_order_idx").on(t.batchId, t.lineNo)],
);
