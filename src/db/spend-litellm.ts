/**
 * LiteLLM's nested spend reports (litellm/proxy/spend_tracking/spend_management_endpoints.py), read
 * from the daily rollups so that they outlive spend_logs retention. The rollups keep the model
 * group, not the upstream model: `model` in these answers is the model group. Each team, customer
 * and key also says what its cache hits saved (`total_saved_cost`; a key also `cache_hits`), fields
 * LiteLLM's shapes do not have.
 */

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** LiteLLM's group_by_day is Postgres' date_trunc('day', ...) as JSON. */
const dayStamp = (day: string) => `${day}T00:00:00+00:00`;
const round = (n: number) => Number(n.toFixed(12));

interface DayRow {
  day: string;
  name: string | null;
  model: string;
  api_key: string;
  spend: number;
  total_tokens: number;
  saved: number;
}

interface DayEntry {
  total_spend: number;
  /** What cache hits saved (not in LiteLLM's shape: an addition). */
  total_saved_cost: number;
  metadata: Array<{ model: string; api_key: string; spend: number; total_tokens: number }>;
}

/** `[{group_by_day, teams: [{team_name, total_spend, metadata: [{model, api_key, spend, total_tokens}]}]}]` and its customers sibling. */
export async function spendPerDay(d1: D1Database, by: "team" | "customer", from: number, to: number): Promise<Array<Record<string, unknown>>> {
  const name = by === "team" ? "COALESCE(t.team_alias, 'Unassigned Team')" : "NULLIF(d.user, '')";
  const join = by === "team" ? "LEFT JOIN teams t ON t.team_id = NULLIF(d.team_id, '')" : "";
  const sql = `SELECT d.day AS day, ${name} AS name, d.model_group AS model, d.api_key AS api_key,
      SUM(d.spend) AS spend, SUM(d.prompt_tokens + d.completion_tokens) AS total_tokens, SUM(d.saved_spend) AS saved
    FROM spend_daily d ${join} WHERE d.day BETWEEN ? AND ?
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`;
  const { results } = await d1.prepare(sql).bind(dayOf(from), dayOf(to)).all<DayRow>();
  const days = new Map<string, Map<string | null, DayEntry>>();
  for (const r of results) {
    let groups = days.get(r.day);
    if (!groups) days.set(r.day, (groups = new Map()));
    let entry = groups.get(r.name);
    if (!entry) groups.set(r.name, (entry = { total_spend: 0, total_saved_cost: 0, metadata: [] }));
    entry.total_spend += r.spend;
    entry.total_saved_cost += r.saved;
    entry.metadata.push({ model: r.model, api_key: r.api_key, spend: round(r.spend), total_tokens: r.total_tokens });
  }
  const list = by === "team" ? "teams" : "customers";
  const label = by === "team" ? "team_name" : "customer";
  return [...days].map(([day, groups]) => ({
    group_by_day: dayStamp(day),
    [list]: [...groups].map(([n, e]) => ({ [label]: n, total_spend: round(e.total_spend), total_saved_cost: round(e.total_saved_cost), metadata: e.metadata })),
  }));
}

interface KeyModelRow {
  api_key: string;
  model: string;
  cost: number;
  input: number;
  output: number;
  saved: number;
  hits: number;
}

/** `[{api_key, total_cost, total_input_tokens, total_output_tokens, model_details: [{model, total_cost, total_input_tokens, total_output_tokens}]}]`, biggest cost first. */
export async function spendPerKey(d1: D1Database, from: number, to: number): Promise<Array<Record<string, unknown>>> {
  const sql = `SELECT api_key, model_group AS model, SUM(spend) AS cost, SUM(prompt_tokens) AS input, SUM(completion_tokens) AS output,
      SUM(saved_spend) AS saved, SUM(cache_hits) AS hits
    FROM spend_daily WHERE day BETWEEN ? AND ? GROUP BY 1, 2 ORDER BY 1, 2`;
  const { results } = await d1.prepare(sql).bind(dayOf(from), dayOf(to)).all<KeyModelRow>();
  const keys = new Map<
    string,
    { total_cost: number; total_input_tokens: number; total_output_tokens: number; cache_hits: number; total_saved_cost: number; model_details: Array<Record<string, unknown>> }
  >();
  for (const r of results) {
    let k = keys.get(r.api_key);
    if (!k) keys.set(r.api_key, (k = { total_cost: 0, total_input_tokens: 0, total_output_tokens: 0, cache_hits: 0, total_saved_cost: 0, model_details: [] }));
    k.total_cost += r.cost;
    k.total_input_tokens += r.input;
    k.total_output_tokens += r.output;
    k.cache_hits += r.hits;
    k.total_saved_cost += r.saved;
    k.model_details.push({ model: r.model, total_cost: round(r.cost), total_input_tokens: r.input, total_output_tokens: r.output });
  }
  return [...keys]
    .map(([api_key, k]) => ({ api_key, ...k, total_cost: round(k.total_cost), total_saved_cost: round(k.total_saved_cost) }))
    .sort((a, b) => b.total_cost - a.total_cost || a.api_key.localeCompare(b.api_key));
}

/** Spend per tag over the days (both inclusive): `[{tag, log_count, total_spend}]`, biggest spend first. */
export async function spendPerTag(d1: D1Database, from: number, to: number, only?: string[]): Promise<Array<{ tag: string; log_count: number; total_spend: number }>> {
  const filter = only?.length ? ` AND tag IN (${only.map(() => "?").join(", ")})` : "";
  const sql = `SELECT tag, SUM(requests) AS log_count, SUM(spend) AS total_spend FROM spend_daily_tags
    WHERE day BETWEEN ? AND ?${filter} GROUP BY 1 ORDER BY total_spend DESC, tag LIMIT 1000`;
  const { results } = await d1
    .prepare(sql)
    .bind(dayOf(from), dayOf(to), ...(only ?? []))
    .all<{ tag: string; log_count: number; total_spend: number }>();
  return results.map((r) => ({ ...r, total_spend: round(r.total_spend) }));
}
