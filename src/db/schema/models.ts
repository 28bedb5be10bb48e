import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
