import { and, count, desc, eq, inArray, or } from "drizzle-orm";
import type { Db } from "./client";
import { keys, teams, type KeyRow } from "./schema";

export async function findKey(d: Db, token: string): Promise<KeyRow | undefined> {
  return d.select().from(keys).where(eq(keys.token, token)).get();
}

/** Keys named by token or alias. */
export async function findKeys(d: Db, tokens: string[], aliases: string[] = []): Promise<KeyRow[]> {
  const conds = [];
  if (tokens.length) conds.push(inArray(keys.token, tokens));
  if (aliases.length) conds.push(inArray(keys.keyAlias, aliases));
  if (!conds.length) return [];
  return d
    .select()
    .from(keys)
    .where(or(...conds))
    .all();
}

export async function insertKey(d: Db, row: typeof keys.$inferInsert): Promise<KeyRow> {
  return d.insert(keys).values(row).returning().get();
}

export async function updateKey(d: Db, token: string, fields: Partial<typeof keys.$inferInsert>): Promise<KeyRow | undefined> {
  return d
    .update(keys)
    .set({ ...fields, updatedAt: Date.now() })
    .where(eq(keys.token, token))
    .returning()
    .get();
}

export async function deleteKeys(d: Db, tokens: string[]): Promise<void> {
  if (tokens.length) await d.delete(keys).where(inArray(keys.token, tokens));
}

export async function listKeys(d: Db, page: number, size: number): Promise<{ rows: KeyRow[]; total: number }> {
  const [rows, totals] = await d.batch([
    d
      .select()
      .from(keys)
      .orderBy(desc(keys.createdAt), keys.token)
      .limit(size)
      .offset((page - 1) * size),
    d.select({ n: count() }).from(keys),
  ]);
  return { rows, total: totals[0]?.n ?? 0 };
}

/** A page of the keys of one user and of some teams (what a non-admin may list). */
export async function listKeysOf(d: Db, page: number, size: number, of: { userId: string | null; teamIds: string[] }): Promise<{ rows: KeyRow[]; total: number }> {
  const conds = [];
  if (of.userId) conds.push(eq(keys.userId, of.userId));
  if (of.teamIds.length) conds.push(inArray(keys.teamId, of.teamIds));
  if (!conds.length) return { rows: [], total: 0 };
  const where = or(...conds);
  const [rows, totals] = await d.batch([
    d
      .select()
      .from(keys)
      .where(where)
      .orderBy(desc(keys.createdAt), keys.token)
      .limit(size)
      .offset((page - 1) * size),
    d.select({ n: count() }).from(keys).where(where),
  ]);
  return { rows, total: totals[0]?.n ?? 0 };
}

/** A key as authentication caches it: with its team's model_aliases and organization (one query, joined). */
export type AuthKeyRow = KeyRow & {
  teamModelAliases?: Record<string, string> | null;
  teamOrganizationId?: string | null;
  /** The team's metadata.logging (team-based logging), when it has one. */
  teamLogging?: unknown;
};

export async function findAuthKey(d: Db, token: string): Promise<AuthKeyRow | undefined> {
  const r = await d
    .select({ key: keys, teamModelAliases: teams.modelAliases, teamOrganizationId: teams.organizationId, teamMetadata: teams.metadata })
    .from(keys)
    .leftJoin(teams, eq(keys.teamId, teams.teamId))
    .where(eq(keys.token, token))
    .get();
  return r ? { ...r.key, teamModelAliases: r.teamModelAliases ?? null, teamOrganizationId: r.teamOrganizationId ?? null, teamLogging: r.teamMetadata?.logging ?? null } : undefined;
}

/** A user's keys in one team. */
export const memberKeys = (d: Db, teamId: string, userId: string): Promise<KeyRow[]> =>
  d
    .select()
    .from(keys)
    .where(and(eq(keys.teamId, teamId), eq(keys.userId, userId)))
    .all();

/** The key with this stable id (keys.key_id, kept by /key/regenerate), as authentication loads it. */
export async function findAuthKeyById(d: Db, keyId: string): Promise<AuthKeyRow | undefined> {
  const r = await d
    .select({ key: keys, teamModelAliases: teams.modelAliases, teamOrganizationId: teams.organizationId, teamMetadata: teams.metadata })
    .from(keys)
    .leftJoin(teams, eq(keys.teamId, teams.teamId))
    .where(eq(keys.keyId, keyId))
    .get();
  return r ? { ...r.key, teamModelAliases: r.teamModelAliases ?? null, teamOrganizationId: r.teamOrganizationId ?? null, teamLogging: r.teamMetadata?.logging ?? null } : undefined;
}
