import { LATENCY_BUCKETS, METRICS, type MetricName } from "./definitions";

/** At most this many stored rows are read per scrape (a backstop; label values are bounded by design). */
const MAX_ROWS = 200_000;

const escapeLabel = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
/** Floats as Python's Prometheus client writes them (1.0, 0.005), so `le` labels match LiteLLM's. */
const pyFloat = (n: number) => (Number.isInteger(n) ? `${n}.0` : String(n));

function labelText(labels: Record<string, string>, extra?: [string, string]): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabel(extra[1])}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
}

interface Row {
  name: string;
  labels: string;
  le: string;
  value: number;
}

/** Reads the stored series and the budgets, and writes them in the Prometheus text exposition format (0.0.4). */
export async function renderMetrics(db: D1Database): Promise<string> {
  const [{ results: rows }, { results: keys }, { results: teams }] = await Promise.all([
    db.prepare("SELECT name, labels, le, value FROM metric_values ORDER BY name, labels LIMIT ?").bind(MAX_ROWS).all<Row>(),
    db.prepare("SELECT token, key_alias, max_budget, spend FROM keys WHERE max_budget IS NOT NULL LIMIT 10000").all<{ token: string; key_alias: string | null; max_budget: number; spend: number }>(),
    db
      .prepare("SELECT team_id, team_alias, max_budget, spend FROM teams WHERE max_budget IS NOT NULL LIMIT 10000")
      .all<{ team_id: string; team_alias: string | null; max_budget: number; spend: number }>(),
  ]);
  const byName = new Map<string, Row[]>();
  for (const r of rows) {
    const list = byName.get(r.name);
    if (list) list.push(r);
    else byName.set(r.name, [r]);
  }
  const lines: string[] = [];
  const header = (family: string, help: string, type: string) => lines.push(`# HELP ${family} ${help}`, `# TYPE ${family} ${type}`);
  for (const [name, def] of Object.entries(METRICS) as Array<[MetricName, (typeof METRICS)[MetricName]]>) {
    const list = byName.get(name) ?? [];
    if (def.kind === "counter") {
      if (!list.length) continue;
      header(`${name}_total`, def.help, "counter");
      for (const r of list) lines.push(`${name}_total${labelText(JSON.parse(r.labels))} ${r.value}`);
    } else if (def.kind === "histogram") {
      if (!list.length) continue;
      header(name, def.help, "histogram");
      const series = new Map<string, Map<string, number>>();
      for (const r of list) {
        const s = series.get(r.labels) ?? new Map<string, number>();
        s.set(r.le, r.value);
        series.set(r.labels, s);
      }
      for (const [labelsJson, values] of series) {
        const labels = JSON.parse(labelsJson) as Record<string, string>;
        let cumulative = 0;
        for (const b of LATENCY_BUCKETS) {
          cumulative += values.get(String(b)) ?? 0;
          lines.push(`${name}_bucket${labelText(labels, ["le", pyFloat(b)])} ${cumulative}`);
        }
        cumulative += values.get("+Inf") ?? 0;
        lines.push(`${name}_bucket${labelText(labels, ["le", "+Inf"])} ${cumulative}`);
        lines.push(`${name}_count${labelText(labels)} ${values.get("count") ?? cumulative}`);
        lines.push(`${name}_sum${labelText(labels)} ${values.get("sum") ?? 0}`);
      }
    } else if (name === "litellm_remaining_api_key_budget_metric") {
      if (!keys.length) continue;
      header(name, def.help, "gauge");
      for (const k of keys) lines.push(`${name}${labelText({ hashed_api_key: k.token, api_key_alias: k.key_alias ?? "" })} ${k.max_budget - k.spend}`);
    } else if (name === "litellm_remaining_team_budget_metric") {
      if (!teams.length) continue;
      header(name, def.help, "gauge");
      for (const t of teams) lines.push(`${name}${labelText({ team: t.team_id, team_alias: t.team_alias ?? "" })} ${t.max_budget - t.spend}`);
    } else {
      if (!list.length) continue;
      header(name, def.help, "gauge");
      for (const r of list) lines.push(`${name}${labelText(JSON.parse(r.labels))} ${r.value}`);
    }
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}
