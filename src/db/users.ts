import { and, count, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "./client";
import { keys, teamMembers, users, type KeyRow, type TeamMemberRow, type UserRow } from "./schema";

export const findUser = (d: Db, id: string): Promise<UserRow | undefined> => d.select().from(users).where(eq(users.userId, id)).get();

export const findUserByEmail = (d: Db, email: string): Promise<UserRow | undefined> => d.select().from(users).where(eq(users.userEmail, email)).get();

export const insertUser = (d: Db, row: typeof users.$inferInsert): Promise<UserRow> => d.insert(users).values(row).returning().get();

export const updateUser = (d: Db, id: string, fields: Partial<typeof users.$inferInsert>): Promise<UserRow | undefined> =>
  d
    .update(users)
    .set({ ...fields, updatedAt: Date.now() })
    .where(eq(users.userId, id))
    .returning()
    .get();

/** Deletes users with their memberships; returns their keys (deleted too) so their guards can be told. */
export async function deleteUsers(d: Db, ids: string[]): Promise<KeyRow[]> {
  if (!ids.length) return [];
  const owned = await d.select().from(keys).where(inArray(keys.userId, ids)).all();
  await d.batch([d.delete(keys).where(inArray(keys.userId, ids)), d.delete(teamMembers).where(inArray(teamMembers.userId, ids)), d.delete(users).where(inArray(users.userId, ids))]);
  return owned;
}

export async function listUsers(d: Db, page: number, size: number, role?: string): Promise<{ rows: UserRow[]; total: number }> {
  const where = role ? eq(users.userRole, role) : undefined;
  const [rows, totals] = await d.batch([
    d
      .select()
      .from(users)
      .where(where)
      .orderBy(desc(users.createdAt), users.userId)
      .limit(size)
      .offset((page - 1) * size),
    d.select({ n: count() }).from(users).where(where),
  ]);
  return { rows, total: totals[0]?.n ?? 0 };
}

export const userKeys = (d: Db, id: string): Promise<KeyRow[]> => d.select().from(keys).where(eq(keys.userId, id)).orderBy(desc(keys.createdAt)).all();

export const userMemberships = (d: Db, id: string): Promise<TeamMemberRow[]> => d.select().from(teamMembers).where(eq(teamMembers.userId, id)).all();

export const teamMembersOf = (d: Db, teamId: string): Promise<TeamMemberRow[]> => d.select().from(teamMembers).where(eq(teamMembers.teamId, teamId)).all();

export const findMember = (d: Db, teamId: string, userId: string): Promise<TeamMemberRow | undefined> =>
  d
    .select()
    .from(teamMembers)
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
    .get();

/** Adds or changes a membership. */
export const upsertMember = (d: Db, row: typeof teamMembers.$inferInsert): Promise<TeamMemberRow> =>
  d
    .insert(teamMembers)
    .values(row)
    .onConflictDoUpdate({ target: [teamMembers.teamId, teamMembers.userId], set: { role: row.role, maxBudgetInTeam: row.maxBudgetInTeam ?? null } })
    .returning()
    .get();

export const updateMember = (d: Db, teamId: string, userId: string, fields: Partial<Pick<TeamMemberRow, "role" | "maxBudgetInTeam">>): Promise<TeamMemberRow | undefined> =>
  d
    .update(teamMembers)
    .set(fields)
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
    .returning()
    .get();

export async function deleteMember(d: Db, teamId: string, userId: string): Promise<boolean> {
  const gone = await d
    .delete(teamMembers)
    .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
    .returning()
    .all();
  return gone.length > 0;
}
