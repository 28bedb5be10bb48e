import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
