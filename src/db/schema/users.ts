import { index, integer, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
