import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { limitColumns } from "./limit-columns";

/** Organizations (LiteLLM's LiteLLM_OrganizationTable): above teams, bounding them. */
export const organizations = sqliteTable("organizations", {
  organizationId: text("organization_id").primaryKey(),
  organizationAlias: text("organization_alias"),
  ...limitColumns(),
  createdAt: integer("created_at")
    .notNull()
    .$defaultFn(() => Date.now()),
  updatedAt: integer("updated_at")
    .notNull()
    .$defaultFn(() => Date.now()),
});

export type OrganizationRow = typeof organizations.$inferSelect;

/** Organization memberships: `org_admin` members manage the organization's teams, users and keys. */
export const organizationMembers = sqliteTable(
  "organization_members",
  {
    organizationId: text("organization_id").notNull(),
    userId: text("user_id").notNull(),
    userRole: text("user_role").notNull(),
    createdAt: integer("created_at")
      .notNull()
      .$defaultFn(() => Date.now()),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.userId] }), index("organization_members_user_idx").on(t.userId)],
);

export type OrganizationMemberRow = typeof organizationMembers.$inferSelect;
