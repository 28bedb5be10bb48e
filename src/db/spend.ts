import { and, desc, eq, gte, lte, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import { spendLogs, type SpendLogRow } from "./schema";

export interface SpendFilter {
  apiKey?: string;
  model?: string;
  /** Unix ms, inclusive. */
  from?: number;
  /** Unix ms, inclusive. */
  to?: number;
}

export async function spendLogRows(d: Db, f: SpendFilter, page: number, pageSize: number): Promise<SpendLogRow[]> {
  const conds: SQL[] = [];
  if (f.apiKey) conds.push(eq(spendLogs.apiKey, f.apiKey));
  if (f.model) conds.push(eq(spendLogs.modelGroup, f.model));
  if (f.from !== undefined) conds.push(gte(spendLogs.startTime, f.from));
  if (f.to !== undefined) conds.push(lte(spendLogs.startTime, f.to));
  return d
    .select()
    .from(spendLogs)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(spendLogs.startTime), desc(spendLogs.requestId))
    .limit(pageSize)
    .offset((page - 1) * pageSize)
    .all();
}
