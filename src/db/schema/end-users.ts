import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { limitColumns } from "./limit-columns";

/** End users (LiteLLM's customers): the OpenAI `user` field of a call names one. */
export const endUsers = sqliteTable("end_users", {
  userId: text("user_id").primaryKey(),
  alias: text("alias"),
  blocked: integer("blocked", { mode: "boolean" }).notNull().default(false),
  /** Its `models` list is an extension: LiteLLM's customers have none. Empty = every model. */
  ...limitColumns(),
  createdAt: integer("created_at")
    .notNull()
    .$defaultFn(() => Date.now()),
  updatedAt: integer("updated_at")
    .notNull()
    .$defaultFn(() => Date.now()),
});

export type EndUserRow = typeof endUsers.$inferSelect;
