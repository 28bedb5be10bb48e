import type { ResolvedConfig } from "../config/resolve";
import type { Env } from "../env";
import { type HealthStore, isolateHealth } from "../router/health";
import { type HealthSnapshot, healthCheckerOf } from "./health-checker";

/** How often an isolate asks for the latest background results (at most; never on the response path). */
const PULL_MS = 10_000;
/** An unhealthy deployment rests until the next run is due, and this much longer (the run takes time). */
const GRACE_MS = 60_000;

let pulledAt = 0;
let appliedAt = 0;
let pulling = false;

/** Feeds a background run's results to a router's health: a failing deployment rests until the next run, an answering one is cleared. */
export function applySnapshot(snapshot: HealthSnapshot, store: HealthStore): void {
  const until = snapshot.checkedAt + snapshot.intervalSeconds * 1000 + GRACE_MS;
  for (const r of snapshot.results) {
    if (!r.probed) continue;
    if (r.healthy) store.markHealthy(r.id);
    else store.markUnhealthy(r.id, until);
  }
}

async function pull(env: Env): Promise<void> {
  try {
    const snapshot = await healthCheckerOf(env).snapshot();
    if (snapshot && snapshot.checkedAt > appliedAt) {
      applySnapshot(snapshot, isolateHealth);
      appliedAt = snapshot.checkedAt;
    }
  } catch (e) {
    console.warn(JSON.stringify({ msg: "background health results could not be read", error: e instanceof Error ? e.message : String(e) }));
  } finally {
    pulling = false;
  }
}

/**
 * With background health checks on, keeps this isolate's router in step with the checker: at most
 * every 10 s a call pulls the latest results off its response path (waitUntil). Costs one clock
 * read otherwise.
 */
export function syncHealth(env: Env, config: ResolvedConfig, waitUntil: (p: Promise<unknown>) => void): void {
  if (!config.settings.health.background || pulling) return;
  const now = Date.now();
  if (now - pulledAt < PULL_MS) return;
  pulledAt = now;
  pulling = true;
  waitUntil(pull(env));
}

/** Tests: the next call pulls again. */
export function forgetHealthSync(): void {
  pulledAt = 0;
  appliedAt = 0;
}
