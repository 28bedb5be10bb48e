import { integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

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
