import { integer, real, text } from "drizzle-orm/sqlite-core";

/**
 * The columns users, teams, organizations and end users share (LiteLLM's budget and limit fields):
 * models, budget, rpm/tpm limits, metadata and spend. A function: each table gets its own builders.
 */
export const limitColumns = () => ({
  /** JSON list of model groups; empty = every model. */
  models: text("models", { mode: "json" }).$type<string[]>().notNull(),
  maxBudget: real("max_budget"),
  budgetDuration: text("budget_duration"),
  rpmLimit: integer("rpm_limit"),
  tpmLimit: integer("tpm_limit"),
  metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
  spend: real("spend").notNull().default(0),
});
