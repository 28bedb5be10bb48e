import { db } from "../db/client";
import { budgetAlerts } from "../db/schema";
import type { Env } from "../env";

/**
 * Records that a subject's spend crossed its soft budget, and posts it to the webhook when
 * `general_settings.alerting` includes "webhook" and the WEBHOOK_URL binding is set.
 */
export async function recordAlert(env: Env, webhook: boolean, subject: string, kind: string, spend: number, budget: number): Promise<void> {
  const alert = { id: crypto.randomUUID(), subject, kind, spend, budget, createdAt: Date.now() };
  try {
    await db(env.DB).insert(budgetAlerts).values(alert);
  } catch (e) {
    console.error(JSON.stringify({ msg: "budget alert not recorded", subject, error: String(e) }));
  }
  const url = (env as unknown as Record<string, unknown>).WEBHOOK_URL;
  if (!webhook || typeof url !== "string" || !url) return;
  try {
    await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ event: kind, subject, spend, budget, at: new Date(alert.createdAt).toISOString() }),
      signal: AbortSignal.timeout(5000),
    });
  } catch (e) {
    console.error(JSON.stringify({ msg: "budget alert webhook failed", subject, error: String(e) }));
  }
}
