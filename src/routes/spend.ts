import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { db } from "../db/client";
import { REPORT_GROUPS, spendLogRows, spendReport, type ReportGroup, type ReportRow } from "../db/spend";
import { spendPerDay, spendPerKey, spendPerTag } from "../db/spend-litellm";
import { invalidRequest } from "../http/errors";
import { hashKey } from "../http/key-header";
import { replayDeadLetters } from "../spend/consumer";
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

/** `/spend/logs?status=`: a call's outcome as its rows store it. */
function status(value: string | undefined): "success" | "failure" | undefined {
  if (value === undefined || value === "") return undefined;
  if (value === "success" || value === "failure") return value;
  throw invalidRequest("'status' must be 'success' or 'failure'.", "status");
}

spendRoutes.get("/spend/logs", requireAuth("admin"), async (c) => {
  const q = c.req.query();
  const from = day(q.start_date, "start_date");
  const toDay = day(q.end_date, "end_date");
  if (from !== undefined && toDay !== undefined && toDay < from) throw invalidRequest("'end_date' is before 'start_date'.", "end_date");
  const apiKey = q.api_key ? (/^[0-9a-f]{64}$/.test(q.api_key) || q.api_key === "master" ? q.api_key : await hashKey(q.api_key)) : undefined;
  const rows = await spendLogRows(
    db(c.env.DB),
    {
      requestId: q.request_id || undefined,
      apiKey,
      model: q.model || undefined,
      teamId: q.team_id || undefined,
      status: status(q.status),
      tag: q.tag || undefined,
      from,
      to: toDay === undefined ? undefined : toDay + DAY_MS - 1,
    },
    whole(q.page, "page", 1, 1_000_000),
    whole(q.page_size, "page_size", 100, 1000),
  );
  return c.json(
    rows.map((r) => ({
      request_id: r.requestId,
      response_id: r.responseId,
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
      ...(r.batchId ? { batch_id: r.batchId, custom_id: r.customId } : {}),
    })),
  );
});

/** A report's date range, both ends inclusive (UTC days); by default the last 30 days through today. */
function range(q: Record<string, string>): { from: number; to: number } {
  const to = (day(q.end_date, "end_date") ?? Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate())) + DAY_MS - 1;
  const from = day(q.start_date, "start_date") ?? to + 1 - 30 * DAY_MS;
  if (to < from) throw invalidRequest("'end_date' is before 'start_date'.", "end_date");
  return { from, to };
}

const rowsAs = (name: string, rows: ReportRow[]) =>
  rows.map(({ key, ...rest }) => ({ [name]: key, ...rest, total_spend: Number(rest.total_spend.toFixed(12)), total_saved_cost: Number(rest.total_saved_cost.toFixed(12)) }));

/** group_by values answered in LiteLLM's nested shapes; the others answer flat rows (see README). */
const NESTED = ["team", "customer", "api_key"] as const;
const GROUPS = [...NESTED, ...Object.keys(REPORT_GROUPS).filter((g) => g !== "team" && g !== "api_key")];

spendRoutes.get("/global/spend/report", requireAuth("admin"), async (c) => {
  const q = c.req.query();
  // LiteLLM's default.
  const group = q.group_by || "team";
  if (!GROUPS.includes(group)) throw invalidRequest(`'group_by' must be one of ${GROUPS.join(", ")}.`, "group_by");
  const { from, to } = range(q);
  if (group === "team" || group === "customer") return c.json(await spendPerDay(c.env.DB, group, from, to));
  if (group === "api_key") return c.json(await spendPerKey(c.env.DB, from, to));
  return c.json(rowsAs(group, await spendReport(c.env.DB, group as ReportGroup, from, to)));
});

/** LiteLLM's /spend/tags: `[{individual_request_tag, log_count, total_spend}]`, all time unless dates are given. */
spendRoutes.get("/spend/tags", requireAuth("admin"), async (c) => {
  const q = c.req.query();
  const { from, to } = q.start_date || q.end_date ? range(q) : { from: 0, to: Date.now() };
  const rows = await spendPerTag(c.env.DB, from, to);
  return c.json(rows.map((r) => ({ individual_request_tag: r.tag, log_count: r.log_count, total_spend: r.total_spend })));
});

/** LiteLLM's /global/spend/tags (its UI's): `{spend_per_tag: [{name, spend, log_count}]}`; dates required, `tags` filters (comma-separated; `all-tags` = every tag). */
spendRoutes.get("/global/spend/tags", requireAuth("admin"), async (c) => {
  const q = c.req.query();
  if (!q.start_date || !q.end_date) throw invalidRequest("Please provide start_date and end_date.", q.start_date ? "end_date" : "start_date");
  const { from, to } = range(q);
  const wanted = (q.tags ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  const only = wanted.includes("all-tags") ? undefined : wanted.slice(0, 50);
  const rows = await spendPerTag(c.env.DB, from, to, only);
  return c.json({ spend_per_tag: rows.map((r) => ({ name: r.tag, spend: Number(r.total_spend.toFixed(4)), log_count: r.log_count })) });
});

spendRoutes.get("/global/spend/keys", requireAuth("admin"), async (c) => {
  const q = c.req.query();
  const { from, to } = range(q);
  return c.json(rowsAs("api_key", await spendReport(c.env.DB, "api_key", from, to, whole(q.limit, "limit", 100, 1000))));
});

spendRoutes.get("/global/spend/models", requireAuth("admin"), async (c) => {
  const q = c.req.query();
  const { from, to } = range(q);
  return c.json(rowsAs("model", await spendReport(c.env.DB, "model", from, to, whole(q.limit, "limit", 100, 1000))));
});

spendRoutes.get("/spend/dead_letters", requireAuth("admin"), async (c) => {
  const page = whole(c.req.query("page"), "page", 1, 1_000_000);
  const size = whole(c.req.query("page_size"), "page_size", 100, 1000);
  const { results } = await c.env.DB.prepare("SELECT request_id, event, error, attempts, created_at FROM spend_dead_letters ORDER BY created_at DESC LIMIT ? OFFSET ?")
    .bind(size, (page - 1) * size)
    .all<{ request_id: string; event: string; error: string; attempts: number; created_at: number }>();
  return c.json(results.map((r) => ({ ...r, event: JSON.parse(r.event) as unknown, created_at: new Date(r.created_at).toISOString() })));
});

spendRoutes.post("/spend/dead_letters/replay", requireAuth("admin"), async (c) => c.json(await replayDeadLetters(c.env)));
