import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Virtual keys. The raw key is never stored: `token` is its SHA-256 (hex). */
export const keys = sqliteTable(
  "keys",
  {
    token: text("token").primaryKey(),
    /** A short display form of the key, e.g. `sk-...Ab3x`. */
    keyName: text("key_name").notNull(),
    keyAlias: text("key_alias"),
    /** JSON array of model names; empty = every model. */
    models: text("models", { mode: "json" }).$type<string[]>().notNull(),
    /** Unix ms, or null for a key that never expires. */
    expires: integer("expires"),
    rpmLimit: integer("rpm_limit"),
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
  (t) => [index("keys_alias_idx").on(t.keyAlias)],
);

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
  },
  (t) => [index("spend_logs_key_time_idx").on(t.apiKey, t.startTime), index("spend_logs_time_idx").on(t.startTime)],
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
