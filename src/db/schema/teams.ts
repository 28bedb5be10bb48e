import { index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { limitColumns } from "./limit-columns";

/** Teams: keys with a team_id are bounded by the team's limits, budget and models too. */
export const teams = sqliteTable("teams", {
  teamId: text("team_id").primaryKey(),
  teamAlias: text("team_alias"),
  ...limitColumns(),
  blocked: integer("blocked", { mode: "boolean" }).notNull().default(false),
  /** The organization above the team: its models, limits and budget bound the team's keys too. */
  organizationId: text("organization_id"),
  /** JSON {requested model: model to call} for every key of the team (a key's own aliases win). */
  modelAliases: text("model_aliases", { mode: "json" }).$type<Record<string, string>>(),
  createdAt: integer("created_at")
    .notNull()
    .$defaultFn(() => Date.now()),
  updatedAt: integer("updated_at")
    .notNull()
    .$defaultFn(() => Date.now()),
});

export type TeamRow = typeof teams.$inferSelect;

/** Team memberships (LiteLLM's members_with_roles and team membership budgets). */
export const teamMembers = sqliteTable(
  "team_members",
  {
    teamId: text("team_id").notNull(),
    userId: text("user_id").notNull(),
    /** `admin` (manages the team's keys and members) or `user`. */
    role: text("role").notNull(),
    /** USD: what this member's keys may spend in this team (per the team's budget_duration). */
    maxBudgetInTeam: real("max_budget_in_team"),
    createdAt: integer("created_at")
      .notNull()
      .$defaultFn(() => Date.now()),
  },
  (t) => [primaryKey({ columns: [t.teamId, t.userId] }), index("team_members_user_idx").on(t.userId)],
);

export type TeamMemberRow = typeof teamMembers.$inferSelect;
