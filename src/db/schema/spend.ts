import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** One row per call, written by the queue consumer; `request_id` makes redelivery harmless. */
export const spendLogs = sqliteTable(
  "spend_logs",
  {
    requestId: text("request_id").primaryKey(),
    /** The key's token, or `master` for the master key. */
    apiKey: text("api_key").notNull(),
    model: text("model").notNull(),
    modelGroup: text("model_group").notNull(),
    provider: text("provider").notNull(),
    deployment: text("deployment").notNull(),
    promptTokens: integer("prompt_tokens").notNull(),
    completionTokens: integer("completion_tokens").notNull(),
    /** USD; null when the model has no known price. */
    spend: real("spend"),
    status: text("status").notNull(),
    /** Unix ms. */
    startTime: integer("start_time").notNull(),
    endTime: integer("end_time").notNull(),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    teamId: text("team_id"),
    /** 0 while the consumer's batch that inserted the row has not yet added it to the totals. */
    applied: integer("applied").notNull().default(1),
    /** The answer's own id (`chatcmpl-...`, `msg_...`, `resp_...`) as the client got it; null when none came. */
    responseId: text("response_id"),
    /** The batch (POST /v1/batches) and its line's custom_id, for a call a gateway-run batch made. */
    batchId: text("batch_id"),
    customId: text("custom_id"),
  },
  (t) => [
    index("spend_logs_key_time_idx").on(t.apiKey, t.startTime),
    index("spend_logs_time_idx").on(t.startTime),
    index("spend_logs_response_id_idx").on(t.responseId),
    index("spend_logs_unapplied_idx").on(t.applied).where(sql`${t.applied} = 0`),
    index("spend_logs_batch_idx").on(t.batchId).where(sql`${t.batchId} IS NOT NULL`),
  ],
);

export type SpendLogRow = typeof spendLogs.$inferSelect;

/**
 * Daily rollups of spend_logs, grown by the consumer in the same transaction as the rows (only
 * from rows not yet applied, so a redelivery changes nothing); reports read these, and they
 * outlive the rows' retention. Empty strings stand for "none" so the key can be a primary key.
 */
export const spendDaily = sqliteTable(
  "spend_daily",
  {
    day: text("day").notNull(),
    apiKey: text("api_key").notNull(),
    teamId: text("team_id").notNull(),
    modelGroup: text("model_group").notNull(),
    provider: text("provider").notNull(),
    user: text("user").notNull(),
    requests: integer("requests").notNull(),
    promptTokens: integer("prompt_tokens").notNull(),
    completionTokens: integer("completion_tokens").notNull(),
    spend: real("spend").notNull(),
    failedRequests: integer("failed_requests").notNull(),
    unpricedRequests: integer("unpriced_requests").notNull(),
    /** Calls answered from the response cache, and what they would have cost (their spend rows' saved_cost). */
    cacheHits: integer("cache_hits").notNull().default(0),
    savedSpend: real("saved_spend").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.apiKey, t.teamId, t.modelGroup, t.provider, t.user] }), index("spend_daily_key_idx").on(t.apiKey)],
);

/** The same per day and request tag (metadata.tags). */
export const spendDailyTags = sqliteTable(
  "spend_daily_tags",
  {
    day: text("day").notNull(),
    tag: text("tag").notNull(),
    requests: integer("requests").notNull(),
    promptTokens: integer("prompt_tokens").notNull(),
    completionTokens: integer("completion_tokens").notNull(),
    spend: real("spend").notNull(),
    failedRequests: integer("failed_requests").notNull(),
    unpricedRequests: integer("unpriced_requests").notNull(),
    cacheHits: integer("cache_hits").notNull().default(0),
    savedSpend: real("saved_spend").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.day, t.tag] })],
);
