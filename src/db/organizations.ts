import { desc, eq, inArray } from "drizzle-orm";
import type { Db } from "./client";
import { organizationMembers, organizations, teamMembers, teams, type OrganizationMemberRow, type OrganizationRow, type TeamRow } from "./schema";

export const findOrg = (d: Db, id: string): Promise<OrganizationRow | undefined> => d.select().from(organizations).where(eq(organizations.organizationId, id)).get();

export const insertOrg = (d: Db, row: typeof organizations.$inferInsert): Promise<OrganizationRow> => d.insert(organizations).values(row).returning().get();

export const updateOrg = (d: Db, id: string, fields: Partial<typeof organizations.$inferInsert>): Promise<OrganizationRow | undefined> =>
  d
    .update(organizations)
    .set({ ...fields, updatedAt: Date.now() })
    .where(eq(organizations.organizationId, id))
    .returning()
    .get();

/** Deletes organizations with their memberships and their teams (`teamIds`) with theirs, as LiteLLM does. */
export async function deleteOrgs(d: Db, ids: string[], teamIds: string[]): Promise<void> {
  if (!ids.length) return;
  await d.batch([
    d.delete(teamMembers).where(inArray(teamMembers.teamId, teamIds)),
    d.delete(teams).where(inArray(teams.teamId, teamIds)),
    d.delete(organizationMembers).where(inArray(organizationMembers.organizationId, ids)),
    d.delete(organizations).where(inArray(organizations.organizationId, ids)),
  ]);
}

export const listOrgs = (d: Db): Promise<OrganizationRow[]> => d.select().from(organizations).orderBy(desc(organizations.createdAt)).all();

export const orgTeams = (d: Db, ids: string[]): Promise<TeamRow[]> => (ids.length ? d.select().from(teams).where(inArray(teams.organizationId, ids)).all() : Promise.resolve([]));

export const orgMembers = (d: Db, id: string): Promise<OrganizationMemberRow[]> => d.select().from(organizationMembers).where(eq(organizationMembers.organizationId, id)).all();

export const userOrgs = (d: Db, userId: string): Promise<OrganizationMemberRow[]> => d.select().from(organizationMembers).where(eq(organizationMembers.userId, userId)).all();

export const upsertOrgMember = (d: Db, row: typeof organizationMembers.$inferInsert): Promise<OrganizationMemberRow> =>
  d
    .insert(organizationMembers)
    .values(row)
    .onConflictDoUpdate({ target: [organizationMembers.organizationId, organizationMembers.userId], set: { userRole: row.userRole } })
    .returning()
    .get();
