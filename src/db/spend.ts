import { and, desc, eq, gte, lte, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "./client";
import { spendLogs, type SpendLogRow } from "./schema";

interface SpendFilter {
  /** The gateway's request id or the answer's own id. */
  requestId?: string;
  apiKey?: string;
  model?: string;
  teamId?: string;
  /** `success` or `failure`. */
  status?: string;
  /** A request tag (metadata.tags) the row carries. */
  tag?: string;
  /** Unix ms, inclusive. */
  from?: number;
  /** Unix ms, inclusive. */
  to?: number;
}

export async function spendLogRows(d: Db, f: SpendFilter, page: number, pageSize: number): Promise<SpendLogRow[]> {
  const conds: SQL[] = [];
  if (f.requestId) conds.push(or(eq(spendLogs.requestId, f.requestId), eq(spendLogs.responseId, f.requestId))!);
  if (f.apiKey) conds.push(eq(spendLogs.apiKey, f.apiKey));
  if (f.model) conds.push(eq(spendLogs.modelGroup, f.model));
  if (f.teamId) conds.push(eq(spendLogs.teamId, f.teamId));
  if (f.status) conds.push(eq(spendLogs.status, f.status));
  if (f.tag) conds.push(sql`EXISTS (SELECT 1 FROM json_each(COALESCE(json_extract(${spendLogs.metadata}, '$.tags'), '[]')) WHERE value = ${f.tag})`);
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

/** What a spend report groups by: the rollup table and its column. */
export const REPORT_GROUPS = {
  day: ["spend_daily", "day"],
  api_key: ["spend_daily", "api_key"],
  team: ["spend_daily", "NULLIF(team_id, '')"],
  model: ["spend_daily", "model_group"],
  provider: ["spend_daily", "provider"],
  user: ["spend_daily", "NULLIF(user, '')"],
  tag: ["spend_daily_tags", "tag"],
} as const;

export type ReportGroup = keyof typeof REPORT_GROUPS;

export interface ReportRow {
  key: string | null;
  total_spend: number;
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  failed_requests: number;
  unpriced_requests: number;
  /** Calls answered from the response cache, and what they would have cost. */
  cache_hits: number;
  total_saved_cost: number;
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Spend grouped by one dimension over [from, to] (UTC days, inclusive), biggest spend first, from
 * the daily rollups (they stay when old spend_logs rows are deleted). Calls with no known price
 * count in `unpriced_requests`, never as a silent $0; cache hits in `cache_hits`, what they saved in
 * `total_saved_cost`.
 */
export async function spendReport(d1: D1Database, group: ReportGroup, from: number, to: number, limit = 1000): Promise<ReportRow[]> {
  const [table, column] = REPORT_GROUPS[group];
  const sql = `SELECT ${column} AS key, SUM(spend) AS total_spend, SUM(requests) AS requests,
      SUM(prompt_tokens) AS prompt_tokens, SUM(completion_tokens) AS completion_tokens,
      SUM(failed_requests) AS failed_requests, SUM(unpriced_requests) AS unpriced_requests,
      SUM(cache_hits) AS cache_hits, SUM(saved_spend) AS total_saved_cost
    FROM ${table} WHERE day BETWEEN ? AND ?
    GROUP BY 1 ORDER BY total_spend DESC, key LIMIT ?`;
  const { results } = await d1.prepare(sql).bind(dayOf(from), dayOf(to), limit).all<ReportRow>();
  return results;
}

/** What the response cache saved one key, all time (from the daily rollups): for /key/info. */
export async function keyCacheSavings(d1: D1Database, token: string): Promise<{ cache_hits: number; total_saved_cost: number }> {
  const row = await d1
    .prepare("SELECT COALESCE(SUM(cache_hits), 0) AS cache_hits, COALESCE(SUM(saved_spend), 0) AS total_saved_cost FROM spend_daily WHERE api_key = ? AND cache_hits > 0")
    .bind(token)
    .first<{ cache_hits: number; total_saved_cost: number }>();
  return { cache_hits: row?.cache_hits ?? 0, total_saved_cost: Number((row?.total_saved_cost ?? 0).toFixed(12)) };
}
