import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** The response cache's generation per namespace: /cache/flushall bumps it, and every cache key includes it. */
export const cacheGenerations = sqliteTable("cache_generations", {
  namespace: text("namespace").primaryKey(),
  generation: integer("generation").notNull(),
  updatedAt: integer("updated_at").notNull(),
});
