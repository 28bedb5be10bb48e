import type { TelemetrySettings } from "../config/callbacks";
import type { Env } from "../env";
import type { SpendEvent } from "../spend/event";
import { sendAlert } from "./alert-send";

interface Cooled {
  model_group: string;
  model: string;
  provider: string;
  api_base: string;
  status: number;
  error: string;
  until: number;
}

/** The deployments a batch of calls cooled down: per deployment, its latest cooldown. */
export function cooledDeployments(events: SpendEvent[]): Map<string, Cooled> {
  const out = new Map<string, Cooled>();
  for (const e of events) {
    for (const a of e.trace?.attempts ?? []) {
      if (!a.cooldown_until) continue;
      const prev = out.get(a.deployment);
      if (prev && prev.until >= a.cooldown_until) continue;
      out.set(a.deployment, { model_group: a.model_group, model: a.model, provider: a.provider, api_base: a.api_base, status: a.status, error: a.error ?? String(a.status), until: a.cooldown_until });
    }
  }
  return out;
}

/**
 * LiteLLM's `cooldown_deployment` alert: a deployment the router rested, once per deployment per
 * outage_alert_ttl across isolates (the same D1 claim as the other alerts).
 */
export async function alertOnCooldowns(env: Env, alerting: TelemetrySettings["alerting"], events: SpendEvent[]): Promise<void> {
  if (!alerting.types.has("cooldown_deployment")) return;
  const cooled = cooledDeployments(events);
  for (const [deployment, c] of cooled) {
    const until = new Date(c.until).toISOString();
    await sendAlert(
      env,
      alerting,
      {
        type: "cooldown_deployment",
        subject: deployment,
        text: `Deployment cooled down: ${deployment} of ${c.model_group} (${c.provider}/${c.model}${c.api_base ? ` at ${c.api_base}` : ""}) rests until ${until} after ${c.error} (${c.status || "no answer"}).`,
        body: {
          deployment,
          model_group: c.model_group,
          litellm_model_name: c.model,
          api_provider: c.provider,
          api_base: c.api_base,
          exception_status: c.status,
          error: c.error,
          cooldown_until: until,
        },
      },
      alerting.outageAlertTtl,
    );
  }
}
