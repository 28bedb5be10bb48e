import type { Deployment } from "../config/deployment";
import type { Env } from "../env";
import { type HealthStore, isolateHealth } from "../router/health";
import { healthCheckerOf } from "./health-checker";

/** One deployment's state as `GET /health/deployments` shows it. */
interface DeploymentState {
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
 * Where the router's health lives: cooldowns are shared by every isolate (the health checker
 * object holds them; each isolate's router pulls them within 5 s), read here from the shared
 * record at once; failures, calls in flight and latency are this isolate's own.
 */
export const stateSource = {
  scope: "shared_cooldowns" as const,
  store: (_env: Env): HealthStore => isolateHealth,
};

/** Each deployment's router state (healthy, cooling down until when, recent failures) now. */
export async function deploymentStates(env: Env, deployments: readonly Deployment[]): Promise<DeploymentState[]> {
  const now = Date.now();
  const store = stateSource.store(env);
  const shared = new Map((await healthCheckerOf(env).shared(false)).cooldowns.map((c) => [c.id, c.until]));
  return deployments.map((d) => {
    const until = Math.max(store.coolingUntil(d.id, now), shared.get(d.id) ?? 0);
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
