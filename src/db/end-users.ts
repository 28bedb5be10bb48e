import { desc, eq, inArray } from "drizzle-orm";
import type { Db } from "./client";
import { endUsers, type EndUserRow } from "./schema";

export const findEndUser = (d: Db, id: string): Promise<EndUserRow | undefined> => d.select().from(endUsers).where(eq(endUsers.userId, id)).get();

export const insertEndUser = (d: Db, row: typeof endUsers.$inferInsert): Promise<EndUserRow> => d.insert(endUsers).values(row).returning().get();

export const updateEndUser = (d: Db, id: string, fields: Partial<typeof endUsers.$inferInsert>): Promise<EndUserRow | undefined> =>
  d
    .update(endUsers)
    .set({ ...fields, updatedAt: Date.now() })
    .where(eq(endUsers.userId, id))
    .returning()
    .get();

export async function deleteEndUsers(d: Db, ids: string[]): Promise<void> {
  if (ids.length) await d.delete(endUsers).where(inArray(endUsers.userId, ids));
}

export const listEndUsers = (d: Db): Promise<EndUserRow[]> => d.select().from(endUsers).orderBy(desc(endUsers.createdAt)).all();
