import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { limitColumns } from "./limit-columns";

/** Internal users (LiteLLM's LiteLLM_UserTable): people with a role, their own keys and limits. */
export const users = sqliteTable(
  "users",
  {
    userId: text("user_id").primaryKey(),
    userEmail: text("user_email"),
    userAlias: text("user_alias"),
    /** proxy_admin | proxy_admin_viewer | org_admin | internal_user | internal_user_viewer. */
    userRole: text("user_role").notNull(),
    ...limitColumns(),
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
