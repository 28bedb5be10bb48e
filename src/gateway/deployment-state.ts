import type { Deployment } from "../config/deployment";
import type { Env } from "../env";
import { type HealthStore, isolateHealth } from "../router/health";

/** One deployment's state as `GET /health/deployments` shows it. */
export interface DeploymentState {
  model_name: string;
  model_id: string;
  provider: string;
  /** `cooling_down` while the router rests it, `unusable` when it cannot be called as configured (a missing secret). */
  state: "healthy" | "cooling_down" | "unusable";
  /** ISO time until which the router rests it; null when it does not. */
  cooldown_until: string | null;
  /** Failed attempts in the last minute that have not rested it (a cooldown starts the count again). */
  failures_last_minute: number;
  in_flight: number;
  /** Recent latency (moving average, ms); null when never measured here. */
  latency_ms: number | null;
  /** Set for an unusable deployment: why. */
  error?: string;
}

/**
 * Where the router's health lives: this isolate's memory today, so a cooldown another isolate
 * started is not seen here (nor honoured by this isolate's router). The one place that reads it
 * for the admin API, so that a shared store can replace it.
 */
export const stateSource = {
  scope: "isolate" as const,
  store: (_env: Env): HealthStore => isolateHealth,
};

/** Each deployment's router state (healthy, cooling down until when, recent failures) now. */
export async function deploymentStates(env: Env, deployments: readonly Deployment[], now = Date.now()): Promise<DeploymentState[]> {
  const store = stateSource.store(env);
  return deployments.map((d) => {
    const until = store.coolingUntil(d.id, now);
    const latency = store.latency(d.id);
    return {
      model_name: d.modelName,
      model_id: d.id,
      provider: d.provider,
      state: d.error ? "unusable" : until > now ? "cooling_down" : "healthy",
      cooldown_until: until > now ? new Date(until).toISOString() : null,
      failures_last_minute: store.recentFailures(d.id, now),
      in_flight: store.inFlight(d.id),
      latency_ms: latency === undefined ? null : Math.round(latency),
      ...(d.error ? { error: d.error } : {}),
    };
  });
}
