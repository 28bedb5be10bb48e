import { loadConfig } from "../config/load";
import { db } from "../db/client";
import { budgetAlerts } from "../db/schema";
import type { Env } from "../env";
import { sendAlert } from "../telemetry/alert-send";

/**
 * Records that a subject's spend crossed its soft budget, and sends a `budget_alerts` alert to
 * general_settings.alerting's targets (Slack, the webhook), once per subject and kind per
 * alerting_args.budget_alert_ttl. `webhook` is general_settings.alerting including "webhook".
 */
export async function recordAlert(env: Env, webhook: boolean, subject: string, kind: string, spend: number, budget: number): Promise<void> {
  const alert = { id: crypto.randomUUID(), subject, kind, spend, budget, createdAt: Date.now() };
  try {
    await db(env.DB).insert(budgetAlerts).values(alert);
  } catch (e) {
    console.error(JSON.stringify({ msg: "budget alert not recorded", subject, error: String(e) }));
  }
  try {
    const settings = (await loadConfig(env, () => {})).settings.telemetry.alerting;
    await sendAlert(
      env,
      { ...settings, webhook: settings.webhook && webhook },
      {
        type: "budget_alerts",
        subject: `${kind}:${subject}`,
        text: `Budget alert: ${subject} crossed its ${kind === "soft_budget_crossed" ? "soft budget" : "budget"} (spend $${spend.toFixed(6)} of $${budget}).`,
        body: { event: kind, subject, spend, budget, at: new Date(alert.createdAt).toISOString() },
      },
      settings.budgetAlertTtl,
    );
  } catch (e) {
    console.error(JSON.stringify({ msg: "budget alert not sent", subject, error: String(e) }));
  }
}
