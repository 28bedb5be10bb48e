import type { TelemetrySettings } from "../config/callbacks";
import type { Env } from "../env";

interface Alert {
  /** LiteLLM's alert_types name. */
  type: string;
  /** What the alert is about: one alert per type and subject per window. */
  subject: string;
  /** One line for Slack. */
  text: string;
  /** The webhook's JSON body. */
  body: Record<string, unknown>;
}

/**
 * Claims the right to send an alert: true for the first caller in `ttlSeconds` for this type and
 * subject, across isolates (one D1 upsert that only moves `sent_at` forward when the window has passed).
 */
async function claim(env: Env, key: string, ttlSeconds: number): Promise<boolean> {
  const now = Date.now();
  const row = await env.DB.prepare(
    `INSERT INTO alert_state (key, window_start, count, sent_at) VALUES (?1, ?2, 0, ?2)
     ON CONFLICT (key) DO UPDATE SET sent_at = ?2 WHERE alert_state.sent_at <= ?3
     RETURNING sent_at`,
  )
    .bind(key, now, now - ttlSeconds * 1000)
    .first<{ sent_at: number }>();
  return row?.sent_at === now;
}

const post = (url: string, body: unknown) => fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(5000) });

/**
 * Sends an alert to general_settings.alerting's targets (slack: SLACK_WEBHOOK_URL, webhook:
 * WEBHOOK_URL) when its type is in alert_types and it was not sent for this subject within `ttlSeconds`.
 */
export async function sendAlert(env: Env, settings: TelemetrySettings["alerting"], alert: Alert, ttlSeconds: number): Promise<boolean> {
  if (!settings.types.has(alert.type)) return false;
  const bindings = env as unknown as Record<string, unknown>;
  const slack = settings.slack && typeof bindings.SLACK_WEBHOOK_URL === "string" ? bindings.SLACK_WEBHOOK_URL : undefined;
  const webhook = settings.webhook && typeof bindings.WEBHOOK_URL === "string" ? bindings.WEBHOOK_URL : undefined;
  if (!slack && !webhook) return false;
  if (!(await claim(env, `${alert.type}:${alert.subject}`, ttlSeconds))) return false;
  const sends: Promise<unknown>[] = [];
  if (slack) sends.push(post(slack, { text: alert.text }));
  if (webhook) sends.push(post(webhook, { alert_type: alert.type, ...alert.body }));
  for (const r of await Promise.allSettled(sends)) {
    if (r.status === "rejected") console.error(JSON.stringify({ msg: "alert not delivered", type: alert.type, error: String(r.reason) }));
  }
  return true;
}
