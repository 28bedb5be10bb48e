import type { SpendEvent } from "../../spend/event";
import { bucketOf, METRICS, type MetricName } from "./definitions";

/** The routes as LiteLLM's `route` label names them. */
const ROUTES: Record<string, string> = { chat: "/chat/completions", completions: "/completions", embeddings: "/embeddings", messages: "/v1/messages", responses: "/v1/responses" };

/** Increments for one batch: a series table, and per event its increments (gated on the event's row being new). */
interface MetricIncrements {
  /** [name, labels JSON] */
  s: Array<[string, string]>;
  /** [request_id, series index, le, value] */
  e: Array<[string, number, string, number]>;
}

class Builder {
  readonly out: MetricIncrements = { s: [], e: [] };
  private index = new Map<string, number>();

  series(name: MetricName, values: Record<string, string>): number {
    const labels: Record<string, string> = {};
    for (const l of METRICS[name].labels) labels[l] = values[l] ?? "";
    const text = JSON.stringify(labels);
    const key = `${name}\n${text}`;
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.out.s.length;
      this.out.s.push([name, text]);
      this.index.set(key, i);
    }
    return i;
  }

  add(rid: string, name: MetricName, labels: Record<string, string>, value: number): void {
    if (value) this.out.e.push([rid, this.series(name, labels), "", value]);
  }

  observe(rid: string, name: MetricName, labels: Record<string, string>, seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    const i = this.series(name, labels);
    this.out.e.push([rid, i, bucketOf(seconds), 1], [rid, i, "sum", seconds], [rid, i, "count", 1]);
  }
}

/** Events whose callbacks include prometheus. */
export const metered = (events: SpendEvent[]): SpendEvent[] => events.filter((e) => e.trace?.callbacks.includes("prometheus"));

/**
 * What a batch of calls adds to LiteLLM's metrics, and the deployment states it leaves. Label values
 * come from admin-made or config-made things only (keys, teams, model groups, deployments, routes,
 * status codes), so the number of series is bounded; end_user carries the request's `user` only with
 * litellm_settings.enable_end_user_cost_tracking_prometheus_only, as in LiteLLM.
 */
function metricIncrements(events: SpendEvent[]): { add: MetricIncrements; states: MetricIncrements } {
  const b = new Builder();
  const states = new Builder();
  const lastState = new Map<string, { rid: string; end: number; labels: Record<string, string>; value: number }>();
  for (const e of events) {
    const t = e.trace!;
    const meta = e.metadata ?? {};
    const rid = e.request_id;
    const key = { hashed_api_key: e.api_key, api_key_alias: t.key_alias ?? "", team: e.team_id ?? "", team_alias: t.team_alias ?? "" };
    const caller = { ...key, end_user: t.end_user ?? "", user: "" };
    const failed = e.status !== "success";
    const status = failed ? String(t.error?.status ?? (typeof meta.http_status === "number" ? meta.http_status : 500)) : "200";
    const route = typeof meta.route === "string" ? (ROUTES[meta.route] ?? `/${meta.route}`) : "";
    const model = { ...caller, model: e.model, requested_model: e.model_group, model_id: e.deployment };
    const calls = t.count ?? 1;
    b.add(rid, "litellm_proxy_total_requests_metric", { ...caller, requested_model: e.model_group, status_code: status, route, model_id: e.deployment }, calls);
    if (failed)
      b.add(
        rid,
        "litellm_proxy_failed_requests_metric",
        { ...caller, requested_model: e.model_group, exception_status: status, exception_class: t.error?.type ?? e.status, route, model_id: e.deployment },
        calls,
      );
    if (e.spend) b.add(rid, "litellm_spend_metric", model, e.spend);
    b.add(rid, "litellm_input_tokens_metric", model, e.prompt_tokens);
    b.add(rid, "litellm_output_tokens_metric", model, e.completion_tokens);
    b.add(rid, "litellm_total_tokens_metric", model, e.prompt_tokens + e.completion_tokens);
    b.observe(rid, "litellm_request_total_latency_metric", model, (e.end_time - e.start_time) / 1000);
    const last = t.attempts.at(-1);
    const first = t.attempts[0];
    if (last) b.observe(rid, "litellm_llm_api_latency_metric", model, (last.end - last.start) / 1000);
    if (t.ttft_ms !== undefined) b.observe(rid, "litellm_llm_api_time_to_first_token_metric", model, t.ttft_ms / 1000);
    if (first && last) {
      // The gateway's own time before the first upstream call (auth, admission, routing, translation).
      b.observe(
        rid,
        "litellm_overhead_latency_metric",
        { ...key, model_group: e.model_group, api_provider: last.provider, api_base: last.api_base, litellm_model_name: last.model, model_id: last.deployment },
        (first.start - e.start_time) / 1000,
      );
    }
    for (const a of t.attempts) {
      const dep = { requested_model: a.model_group, litellm_model_name: a.model, model_id: a.deployment, api_base: a.api_base, api_provider: a.provider, ...key };
      const ok = a.status >= 200 && a.status < 300 && !a.error;
      b.add(rid, "litellm_deployment_total_requests", dep, 1);
      if (ok) b.add(rid, "litellm_deployment_success_responses", dep, 1);
      else b.add(rid, "litellm_deployment_failure_responses", { ...dep, exception_status: String(a.status || ""), exception_class: a.error ?? "" }, 1);
      if (a.cooldown_until)
        b.add(
          rid,
          "litellm_deployment_cooled_down",
          { litellm_model_name: a.model, model_id: a.deployment, api_base: a.api_base, api_provider: a.provider, exception_status: String(a.status || "") },
          1,
        );
      const prev = lastState.get(a.deployment);
      if (!prev || prev.end <= a.end)
        lastState.set(a.deployment, { rid, end: a.end, labels: { litellm_model_name: a.model, model_id: a.deployment, api_base: a.api_base, api_provider: a.provider }, value: ok ? 0 : 1 });
    }
  }
  for (const s of lastState.values()) states.out.e.push([s.rid, states.series("litellm_deployment_state", s.labels), "", s.value]);
  return { add: b.out, states: states.out };
}

const FROM_NEW_ROWS = `FROM json_each(?1, '$.e') e
  JOIN json_each(?1, '$.s') s ON s.key = e.value ->> 1
  JOIN spend_logs l ON l.request_id = e.value ->> 0 AND l.applied = 0
  WHERE true GROUP BY 1, 2, 3`;

/**
 * The statements that grow the metrics inside the spend batch's transaction: only increments of
 * rows this batch inserted count (a redelivered event adds nothing); deployment states are set.
 */
export function metricStatements(db: D1Database, events: SpendEvent[]): D1PreparedStatement[] {
  const { add, states } = metricIncrements(metered(events));
  const out: D1PreparedStatement[] = [];
  if (add.e.length) {
    out.push(
      db
        .prepare(`INSERT INTO metric_values (name, labels, le, value) SELECT s.value ->> 0, s.value ->> 1, e.value ->> 2, SUM(e.value ->> 3) ${FROM_NEW_ROWS}
        ON CONFLICT (name, labels, le) DO UPDATE SET value = value + excluded.value`)
        .bind(JSON.stringify(add)),
    );
  }
  if (states.e.length) {
    out.push(
      db
        .prepare(`INSERT INTO metric_values (name, labels, le, value) SELECT s.value ->> 0, s.value ->> 1, e.value ->> 2, MAX(e.value ->> 3) ${FROM_NEW_ROWS}
        ON CONFLICT (name, labels, le) DO UPDATE SET value = excluded.value`)
        .bind(JSON.stringify(states)),
    );
  }
  return out;
}
