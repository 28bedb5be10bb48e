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

/** What a spend report groups by, and the SQL of its group key over spend_logs (alias `s`). */
export const REPORT_GROUPS = {
  day: "strftime('%Y-%m-%d', s.start_time / 1000, 'unixepoch')",
  api_key: "s.api_key",
  team: "s.team_id",
  model: "s.model_group",
  provider: "s.provider",
  user: "json_extract(s.metadata, '$.user')",
  tag: "t.value",
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
}

/**
 * Spend grouped by one dimension over [from, to] (unix ms, inclusive), biggest spend first.
 * Calls with no known price count in `unpriced_requests`, never as a silent $0.
 */
export async function spendReport(d1: D1Database, group: ReportGroup, from: number, to: number, limit = 1000): Promise<ReportRow[]> {
  const tags = group === "tag" ? ", json_each(COALESCE(json_extract(s.metadata, '$.tags'), '[]')) t" : "";
  const sql = `SELECT ${REPORT_GROUPS[group]} AS key,
      COALESCE(SUM(s.spend), 0) AS total_spend,
      COUNT(*) AS requests,
      SUM(s.prompt_tokens) AS prompt_tokens,
      SUM(s.completion_tokens) AS completion_tokens,
      SUM(CASE WHEN s.status = 'failure' THEN 1 ELSE 0 END) AS failed_requests,
      SUM(CASE WHEN s.spend IS NULL THEN 1 ELSE 0 END) AS unpriced_requests
    FROM spend_logs s${tags}
    WHERE s.start_time BETWEEN ? AND ?
    GROUP BY 1 ORDER BY total_spend DESC, key LIMIT ?`;
  const { results } = await d1.prepare(sql).bind(from, to, limit).all<ReportRow>();
  return results;
}
