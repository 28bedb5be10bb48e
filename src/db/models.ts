import { eq } from "drizzle-orm";
import type { Db } from "./client";
import { models, type ModelRow } from "./schema";

export const findModel = (d: Db, id: string): Promise<ModelRow | undefined> => d.select().from(models).where(eq(models.id, id)).get();

export const insertModel = (d: Db, row: typeof models.$inferInsert): Promise<ModelRow> => d.insert(models).values(row).returning().get();

export const updateModel = (d: Db, id: string, fields: Partial<typeof models.$inferInsert>): Promise<ModelRow | undefined> =>
  d
    .update(models)
    .set({ ...fields, updatedAt: Date.now() })
    .where(eq(models.id, id))
    .returning()
    .get();

export async function deleteModel(d: Db, id: string): Promise<boolean> {
  const gone = await d.delete(models).where(eq(models.id, id)).returning({ id: models.id }).all();
  return gone.length > 0;
}
