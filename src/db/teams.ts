import { desc, eq, inArray } from "drizzle-orm";
import type { Db } from "./client";
import { keys, teamMembers, teams, type KeyRow, type TeamRow } from "./schema";

export const findTeam = (d: Db, id: string): Promise<TeamRow | undefined> => d.select().from(teams).where(eq(teams.teamId, id)).get();

export const insertTeam = (d: Db, row: typeof teams.$inferInsert): Promise<TeamRow> => d.insert(teams).values(row).returning().get();

export const updateTeam = (d: Db, id: string, fields: Partial<typeof teams.$inferInsert>): Promise<TeamRow | undefined> =>
  d
    .update(teams)
    .set({ ...fields, updatedAt: Date.now() })
    .where(eq(teams.teamId, id))
    .returning()
    .get();

export async function deleteTeams(d: Db, ids: string[]): Promise<void> {
  if (ids.length) await d.batch([d.delete(teamMembers).where(inArray(teamMembers.teamId, ids)), d.delete(teams).where(inArray(teams.teamId, ids))]);
}

export const listTeams = (d: Db): Promise<TeamRow[]> => d.select().from(teams).orderBy(desc(teams.createdAt)).all();

export const teamKeys = (d: Db, id: string): Promise<KeyRow[]> => d.select().from(keys).where(eq(keys.teamId, id)).all();
