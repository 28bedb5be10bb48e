import { loadConfig } from "../config/load";
import type { Env } from "../env";
import type { SpendEvent } from "../spend/event";
import { sendAlert } from "./alert-send";
import { alertOnCooldowns, cooledDeployments } from "./cooldown-alerts";

/** An attempt that counts toward an outage: no answer, 408, 429 or 5xx (LiteLLM leaves out 400s too). */
const outageStatus = (s: number) => s === 0 || s === 408 || s === 429 || s >= 500;

/**
 * Raises `outage_alerts` (a deployment failed alerting_args.minor_outage_alert_threshold times within
 * outage_alert_ttl) and `llm_exceptions` (a call failed), each once per deployment or model group
 * and error per outage_alert_ttl, from the failures in a written spend batch, and `cooldown_deployment`
 * (see cooldown-alerts.ts). Counting windows
 * live in D1, so every isolate and consumer adds to the same count. Best effort: never fails the batch.
 */
export async function alertOnFailures(env: Env, events: SpendEvent[]): Promise<void> {
  const failedAttempts = new Map<string, { n: number; model_group: string; api_base: string; last: string }>();
  const failedCalls = new Map<string, { model_group: string; error: string; status: number }>();
  for (const e of events) {
    for (const a of e.trace?.attempts ?? []) {
      if (!outageStatus(a.status) && !(a.error && a.status === 0)) continue;
      const f = failedAttempts.get(a.deployment) ?? { n: 0, model_group: a.model_group, api_base: a.api_base, last: a.error ?? String(a.status) };
      f.n++;
      failedAttempts.set(a.deployment, f);
    }
    // A call refused before any upstream (key, limit, budget) is the caller's error: LiteLLM alerts on LLM API errors only.
    if (e.status === "failure" && e.trace?.error && e.metadata?.refused !== true)
      failedCalls.set(`${e.model_group}:${e.trace.error.type}`, { model_group: e.model_group, error: e.trace.error.type, status: e.trace.error.status });
  }
  if (!failedAttempts.size && !failedCalls.size && !cooledDeployments(events).size) return;
  try {
    const alerting = (await loadConfig(env, () => {})).settings.telemetry.alerting;
    if (!alerting.slack && !alerting.webhook) return;
    await alertOnCooldowns(env, alerting, events);
    const now = Date.now();
    const cutoff = now - alerting.outageAlertTtl * 1000;
    for (const [deployment, f] of failedAttempts) {
      const row = await env.DB.prepare(
        `INSERT INTO alert_state (key, window_start, count, sent_at) VALUES (?1, ?2, ?3, 0)
         ON CONFLICT (key) DO UPDATE SET
           count = CASE WHEN alert_state.window_start <= ?4 THEN excluded.count ELSE alert_state.count + excluded.count END,
           window_start = CASE WHEN alert_state.window_start <= ?4 THEN excluded.window_start ELSE alert_state.window_start END
         RETURNING count`,
      )
        .bind(`outage-window:${deployment}`, now, f.n, cutoff)
        .first<{ count: number }>();
      if ((row?.count ?? 0) < alerting.minorOutageThreshold) continue;
      await sendAlert(
        env,
        alerting,
        {
          type: "outage_alerts",
          subject: deployment,
          text: `Outage alert: deployment ${deployment} of ${f.model_group}${f.api_base ? ` (${f.api_base})` : ""} failed ${row!.count} times in ${alerting.outageAlertTtl}s (last: ${f.last}).`,
          body: { deployment, model_group: f.model_group, api_base: f.api_base, failures: row!.count, window_seconds: alerting.outageAlertTtl, last_error: f.last },
        },
        alerting.outageAlertTtl,
      );
    }
    for (const [subject, c] of failedCalls) {
      await sendAlert(
        env,
        alerting,
        {
          type: "llm_exceptions",
          subject,
          text: `LLM exception: calls to ${c.model_group} failed with ${c.error} (${c.status}).`,
          body: { model_group: c.model_group, error: c.error, status: c.status },
        },
        alerting.outageAlertTtl,
      );
    }
  } catch (e) {
    console.error(JSON.stringify({ msg: "failure alerts not sent", error: String(e) }));
  }
}
