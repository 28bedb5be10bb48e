import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { db } from "../db/client";
import { spendLogRows } from "../db/spend";
import { invalidRequest } from "../http/errors";
import { hashKey } from "../http/key-header";
import { requireAuth } from "../http/middleware";

export const spendRoutes = new Hono<AppEnv>();

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` (UTC) -> the day's first millisecond; a 400 naming the parameter otherwise. */
function day(value: string | undefined, param: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const ms = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (!m || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw invalidRequest(`'${param}' must be a date as YYYY-MM-DD (UTC).`, param);
  }
  return ms;
}

function whole(value: string | undefined, param: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw invalidRequest(`'${param}' must be a whole number from 1 to ${max}.`, param);
  return n;
}

spendRoutes.get("/spend/logs", requireAuth("admin"), async (c) => {
  const q = c.req.query();
  const from = day(q.start_date, "start_date");
  const toDay = day(q.end_date, "end_date");
  if (from !== undefined && toDay !== undefined && toDay < from) throw invalidRequest("'end_date' is before 'start_date'.", "end_date");
  const apiKey = q.api_key ? (/^[0-9a-f]{64}$/.test(q.api_key) || q.api_key === "master" ? q.api_key : await hashKey(q.api_key)) : undefined;
  const rows = await spendLogRows(
    db(c.env.DB),
    { apiKey, model: q.model || undefined, from, to: toDay === undefined ? undefined : toDay + DAY_MS - 1 },
    whole(q.page, "page", 1, 1_000_000),
    whole(q.page_size, "page_size", 100, 1000),
  );
  return c.json(
    rows.map((r) => ({
      request_id: r.requestId,
      api_key: r.apiKey,
      model: r.model,
      model_group: r.modelGroup,
      provider: r.provider,
      deployment: r.deployment,
      prompt_tokens: r.promptTokens,
      completion_tokens: r.completionTokens,
      total_tokens: r.promptTokens + r.completionTokens,
      spend: r.spend,
      status: r.status,
      startTime: new Date(r.startTime).toISOString(),
      endTime: new Date(r.endTime).toISOString(),
      metadata: r.metadata,
    })),
  );
});
