import { and, desc, eq, gt, inArray, lt, or, type SQL } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "./client";
import { type FileRow, files } from "./schema";

/** Whose files a caller may see: everyone's, or its own key's and its admin teams'. */
export interface OwnerScope {
  all: boolean;
  keyId: string;
  adminTeams: string[];
}

type Column = AnySQLiteColumn;

/** The rows a scope reaches, for a table with owner_key_id and team_id columns. */
export const scopeCondition = (s: OwnerScope, owner: Column, team: Column): SQL | undefined =>
  s.all ? undefined : s.adminTeams.length ? or(eq(owner, s.keyId), inArray(team, s.adminTeams)) : eq(owner, s.keyId);

export const insertFile = (d: Db, row: FileRow): Promise<unknown> => d.insert(files).values(row).onConflictDoNothing().run();

/** A file written again under the same id (a batch's result file, rewritten by a repeated finalisation) keeps its row current. */
export const upsertFile = (d: Db, row: FileRow): Promise<unknown> =>
  d
    .insert(files)
    .values(row)
    .onConflictDoUpdate({ target: files.id, set: { bytes: row.bytes, createdAt: row.createdAt, expiresAt: row.expiresAt } })
    .run();

export const findFile = (d: Db, id: string): Promise<FileRow | undefined> => d.select().from(files).where(eq(files.id, id)).get();

export const deleteFileRow = (d: Db, id: string): Promise<unknown> => d.delete(files).where(eq(files.id, id)).run();

/** A page of files, newest first (or oldest first), after the `after` file. */
export async function listFiles(d: Db, scope: OwnerScope, q: { purpose?: string; limit: number; order: "asc" | "desc"; after?: FileRow }): Promise<FileRow[]> {
  const conds: Array<SQL | undefined> = [scopeCondition(scope, files.ownerKeyId, files.teamId)];
  if (q.purpose) conds.push(eq(files.purpose, q.purpose));
  if (q.after) {
    const a = q.after;
    conds.push(
      q.order === "desc"
        ? or(lt(files.createdAt, a.createdAt), and(eq(files.createdAt, a.createdAt), lt(files.id, a.id)))
        : or(gt(files.createdAt, a.createdAt), and(eq(files.createdAt, a.createdAt), gt(files.id, a.id))),
    );
  }
  const order = q.order === "desc" ? [desc(files.createdAt), desc(files.id)] : [files.createdAt, files.id];
  return d
    .select()
    .from(files)
    .where(and(...conds))
    .orderBy(...order)
    .limit(q.limit)
    .all();
}
