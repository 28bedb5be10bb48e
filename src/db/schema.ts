import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Virtual keys. The raw key is never stored: `token` is its SHA-256 (hex). */
export const keys = sqliteTable(
  "keys",
  {
    token: text("token").primaryKey(),
    /**
     * The key's stable id: set once when the key is made and kept by /key/regenerate (the token
     * changes). What the key owns (files, batches) is owned by this id.
     */
    keyId: text("key_id").$defaultFn(() => crypto.randomUUID()),
    /** A short display form of the key, e.g. `sk-...Ab3x`. */
    keyName: text("key_name").notNull(),
    keyAlias: text("key_alias"),
    /** JSON array of model names; empty = every model. */
    models: text("models", { mode: "json" }).$type<string[]>().notNull(),
    /** Unix ms, or null for a key that never expires. */
    expires: integer("expires"),
    rpmLimit: integer("rpm_limit"),
    tpmLimit: integer("tpm_limit"),
    maxParallelRequests: integer("max_parallel_requests"),
    /** JSON {model: requests per minute}. */
    modelRpmLimit: text("model_rpm_limit", { mode: "json" }).$type<Record<string, number>>(),
    /** JSON {model: tokens per minute}. */
    modelTpmLimit: text("model_tpm_limit", { mode: "json" }).$type<Record<string, number>>(),
    /** USD per budget period (or for ever without budget_duration). */
    maxBudget: real("max_budget"),
    /** LiteLLM's duration text: 30s, 1h, 1d, 7d, 30d, 1mo. */
    budgetDuration: text("budget_duration"),
    softBudget: real("soft_budget"),
    /** JSON {model: {budget_limit, time_period}}. */
    modelMaxBudget: text("model_max_budget", { mode: "json" }).$type<Record<string, { budget_limit: number; time_period?: string }>>(),
    teamId: text("team_id"),
    /** The internal user that owns the key (LiteLLM's user_id): bounds it like its team does. */
    userId: text("user_id"),
    /** JSON {requested model: model to call}: applied before routing. */
    aliases: text("aliases", { mode: "json" }).$type<Record<string, string>>(),
    /** JSON list of tags (LiteLLM's descriptive `tags`). */
    tags: text("tags", { mode: "json" }).$type<string[]>(),
    /** LiteLLM's key_type: default | llm_api | management | read_only. */
    keyType: text("key_type").notNull().default("default"),
    /** JSON list of routes the key may call; null = what its role and type allow. */
    allowedRoutes: text("allowed_routes", { mode: "json" }).$type<string[]>(),
    /** LiteLLM's allowed_cache_controls: the `cache` fields the key may send; null or empty = all. */
    allowedCacheControls: text("allowed_cache_controls", { mode: "json" }).$type<string[]>(),
    tempBudgetIncrease: real("temp_budget_increase"),
    /** Unix ms. */
    tempBudgetExpiry: integer("temp_budget_expiry"),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    spend: real("spend").notNull().default(0),
    blocked: integer("blocked", { mode: "boolean" }).notNull().default(false),
    createdAt: integer("created_at")
      .notNull()
      .$defaultFn(() => Date.now()),
    updatedAt: integer("updated_at")
      .notNull()
      .$defaultFn(() => Date.now()),
  },
  (t) => [index("keys_key_id_idx").on(t.keyId), index("keys_alias_idx").on(t.keyAlias), index("keys_team_idx").on(t.teamId), index("keys_user_idx").on(t.userId)],
);

/** Teams: keys with a team_id are bounded by the team's limits, budget and models too. */
export const teams = sqliteTable("teams", {
  teamId: text("team_id").primaryKey(),
  teamAlias: text("team_alias"),
  models: text("models", { mode: "json" }).$type<string[]>().notNull(),
  maxBudget: real("max_budget"),
  budgetDuration: text("budget_duration"),
  rpmLimit: integer("rpm_limit"),
  tpmLimit: integer("tpm_limit"),
  metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  spend: real("spend").notNull().default(0),
  blocked: integer("blocked", { mode: "boolean" }).notNull().default(false),
  /** The organization above the team: its models, limits and budget bound the team's keys too. */
  organizationId: text("organization_id"),
  /** JSON {requested model: model to call} for every key of the team (a key's own aliases win). */
  modelAliases: text("model_aliases", { mode: "json" }).$type<Record<string, string>>(),
  createdAt: integer("created_at")
    .notNull()
    .$defaultFn(() => Date.now()),
  updatedAt: integer("updated_at")
    .notNull()
    .$defaultFn(() => Date.now()),
});

export type TeamRow = typeof teams.$inferSelect;

/** Internal users (LiteLLM's LiteLLM_UserTable): people with a role, their own keys and limits. */
export const users = sqliteTable(
  "users",
  {
    userId: text("user_id").primaryKey(),
    userEmail: text("user_email"),
    userAlias: text("user_alias"),
    /** proxy_admin | proxy_admin_viewer | org_admin | internal_user | internal_user_viewer. */
    userRole: text("user_role").notNull(),
    /** JSON list of model groups; empty = every model. */
    models: text("models", { mode: "json" }).$type<string[]>().notNull(),
    maxBudget: real("max_budget"),
    budgetDuration: text("budget_duration"),
    rpmLimit: integer("rpm_limit"),
    tpmLimit: integer("tpm_limit"),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    spend: real("spend").notNull().default(0),
    createdAt: integer("created_at")
      .notNull()
      .$defaultFn(() => Date.now()),
    updatedAt: integer("updated_at")
      .notNull()
      .$defaultFn(() => Date.now()),
  },
  (t) => [index("users_email_idx").on(t.userEmail)],
);

export type UserRow = typeof users.$inferSelect;

/** Team memberships (LiteLLM's members_with_roles and team membership budgets). */
export const teamMembers = sqliteTable(
  "team_members",
  {
    teamId: text("team_id").notNull(),
    userId: text("user_id").notNull(),
    /** `admin` (manages the team's keys and members) or `user`. */
    role: text("role").notNull(),
    /** USD: what this member's keys may spend in this team (per the team's budget_duration). */
    maxBudgetInTeam: real("max_budget_in_team"),
    createdAt: integer("created_at")
      .notNull()
      .$defaultFn(() => Date.now()),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] }), index("team_members_user_idx").on(t.userId)],
);

export type TeamMemberRow = typeof teamMembers.$inferSelect;

/** Soft-budget and budget alerts, as recorded when a guard reports a crossing. */
export const budgetAlerts = sqliteTable("budget_alerts", {
  id: text("id").primaryKey(),
  /** `key:<token>`, `team:<id>` or `model:<group>`. */
  subject: text("subject").notNull(),
  kind: text("kind").notNull(),
  spend: real("spend").notNull(),
  budget: real("budget").notNull(),
  createdAt: integer("created_at")
    .notNull()
    .$defaultFn(() => Date.now()),
});

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

export type KeyRow = typeof keys.$inferSelect;
export type SpendLogRow = typeof spendLogs.$inferSelect;

/** Models added at run time through /model/new: merged with the config's model_list. */
export const models = sqliteTable("models", {
  /** The deployment id (model_info.id). */
  id: text("id").primaryKey(),
  modelName: text("model_name").notNull(),
  /** litellm_params as JSON; secret values are stored encrypted (`enc:v1:...`). */
  litellmParams: text("litellm_params", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  modelInfo: text("model_info", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  createdAt: integer("created_at")
    .notNull()
    .$defaultFn(() => Date.now()),
  updatedAt: integer("updated_at")
    .notNull()
    .$defaultFn(() => Date.now()),
});

export type ModelRow = typeof models.$inferSelect;

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

/** Spend events the consumer could not write after its retries: kept, listed and replayable. */
export const spendDeadLetters = sqliteTable("spend_dead_letters", {
  requestId: text("request_id").primaryKey(),
  /** The event as it came (JSON). */
  event: text("event").notNull(),
  error: text("error").notNull(),
  attempts: integer("attempts").notNull(),
  createdAt: integer("created_at")
    .notNull()
    .$defaultFn(() => Date.now()),
});

/** Export batches a sink did not take after their retries, per sink: listed and replayable (/callbacks/dead_letters). */
export const exportDeadLetters = sqliteTable(
  "export_dead_letters",
  {
    /** `{sink}:{stable id of the batch's request ids}`: parking the same batch again updates its row. */
    id: text("id").primaryKey(),
    sink: text("sink").notNull(),
    /** The batch's spend events (JSON array). */
    events: text("events").notNull(),
    error: text("error").notNull(),
    attempts: integer("attempts").notNull(),
    createdAt: integer("created_at")
      .notNull()
      .$defaultFn(() => Date.now()),
  },
  (t) => [index("export_dead_letters_sink_idx").on(t.sink, t.createdAt)],
);

/**
 * Prometheus series, global across isolates: grown by the spend consumer in the same transaction
 * as the spend rows (from rows not yet applied, so a redelivery adds nothing). `labels` is the
 * series' label set as a JSON object; `le` is '' for counters and gauges, and for histograms a
 * bucket's upper bound (non-cumulative count), 'sum' or 'count'.
 */
export const metricValues = sqliteTable(
  "metric_values",
  {
    name: text("name").notNull(),
    labels: text("labels").notNull(),
    le: text("le").notNull(),
    value: real("value").notNull(),
  },
  (t) => [primaryKey({ columns: [t.name, t.labels, t.le] })],
);

/** Alert deduplication and failure windows: one row per alert kind and subject. */
export const alertState = sqliteTable("alert_state", {
  key: text("key").primaryKey(),
  /** Unix ms: when the current counting window began. */
  windowStart: integer("window_start").notNull(),
  count: integer("count").notNull(),
  /** Unix ms of the last alert sent for this key (0: none). */
  sentAt: integer("sent_at").notNull(),
});

/** Organizations (LiteLLM's LiteLLM_OrganizationTable): above teams, bounding them. */
export const organizations = sqliteTable("organizations", {
  organizationId: text("organization_id").primaryKey(),
  organizationAlias: text("organization_alias"),
  models: text("models", { mode: "json" }).$type<string[]>().notNull(),
  maxBudget: real("max_budget"),
  budgetDuration: text("budget_duration"),
  rpmLimit: integer("rpm_limit"),
  tpmLimit: integer("tpm_limit"),
  metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  spend: real("spend").notNull().default(0),
  createdAt: integer("created_at")
    .notNull()
    .$defaultFn(() => Date.now()),
  updatedAt: integer("updated_at")
    .notNull()
    .$defaultFn(() => Date.now()),
});

export type OrganizationRow = typeof organizations.$inferSelect;

/** Organization memberships: `org_admin` members manage the organization's teams, users and keys. */
export const organizationMembers = sqliteTable(
  "organization_members",
  {
    organizationId: text("organization_id").notNull(),
    userId: text("user_id").notNull(),
    userRole: text("user_role").notNull(),
    createdAt: integer("created_at")
      .notNull()
      .$defaultFn(() => Date.now()),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.userId] }), index("organization_members_user_idx").on(t.userId)],
);

export type OrganizationMemberRow = typeof organizationMembers.$inferSelect;

/** End users (LiteLLM's customers): the OpenAI `user` field of a call names one. */
export const endUsers = sqliteTable("end_users", {
  userId: text("user_id").primaryKey(),
  alias: text("alias"),
  blocked: integer("blocked", { mode: "boolean" }).notNull().default(false),
  /** An extension: LiteLLM's customers have no model list. Empty = every model. */
  models: text("models", { mode: "json" }).$type<string[]>().notNull(),
  maxBudget: real("max_budget"),
  budgetDuration: text("budget_duration"),
  rpmLimit: integer("rpm_limit"),
  tpmLimit: integer("tpm_limit"),
  metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  spend: real("spend").notNull().default(0),
  createdAt: integer("created_at")
    .notNull()
    .$defaultFn(() => Date.now()),
  updatedAt: integer("updated_at")
    .notNull()
    .$defaultFn(() => Date.now()),
});

export type EndUserRow = typeof endUsers.$inferSelect;

/** Files (POST /v1/files): the bytes live in the FILES_BUCKET R2 bucket under `files/<id>`. */
export const files = sqliteTable(
  "files",
  {
    id: text("id").primaryKey(),
    /** The uploading key's stable id (keys.key_id), or `master`. */
    ownerKeyId: text("owner_key_id").notNull(),
    /** The owner key's team when it uploaded (its team admins may read the file). */
    teamId: text("team_id"),
    purpose: text("purpose").notNull(),
    filename: text("filename").notNull(),
    bytes: integer("bytes").notNull(),
    /** Unix ms. */
    createdAt: integer("created_at").notNull(),
    /** Unix ms, or null for a file that does not expire. */
    expiresAt: integer("expires_at"),
    /** Batch input files: how many request lines, the one `url` they all call, and the models they name. */
    lineCount: integer("line_count"),
    batchUrl: text("batch_url"),
    models: text("models", { mode: "json" }).$type<string[]>(),
  },
  (t) => [index("files_owner_idx").on(t.ownerKeyId, t.createdAt)],
);

export type FileRow = typeof files.$inferSelect;

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

/** The response cache's generation per namespace: /cache/flushall bumps it, and every cache key includes it. */
export const cacheGenerations = sqliteTable("cache_generations", {
  namespace: text("namespace").primaryKey(),
  generation: integer("generation").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
