import { integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
