import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

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

export type KeyRow = typeof keys.$inferSelect;
