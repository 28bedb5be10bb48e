import { eq, sql } from "drizzle-orm";
import type { Db } from "./client";
import { cacheGenerations } from "./schema";

/** The namespace's current cache generation (0 before its first flush). */
export async function readGeneration(d: Db, namespace: string): Promise<number> {
  const row = await d.select({ g: cacheGenerations.generation }).from(cacheGenerations).where(eq(cacheGenerations.namespace, namespace)).get();
  return row?.g ?? 0;
}

/** Moves the namespace to its next generation (every earlier entry is unreachable); the new one. */
export async function bumpGeneration(d: Db, namespace: string): Promise<number> {
  const row = await d
    .insert(cacheGenerations)
    .values({ namespace, generation: 1, updatedAt: Date.now() })
    .onConflictDoUpdate({ target: cacheGenerations.namespace, set: { generation: sql`${cacheGenerations.generation} + 1`, updatedAt: Date.now() } })
    .returning({ g: cacheGenerations.generation })
    .get();
  return row.g;
}
