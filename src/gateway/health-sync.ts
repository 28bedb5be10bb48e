import type { ResolvedConfig } from "../config/resolve";
import type { Env } from "../env";
import { type HealthStore, isolateHealth } from "../router/health";
import { type HealthSnapshot, healthCheckerOf, type SharedHealth } from "./health-checker";

/** How often an isolate pulls what the others learned (at most; never on the response path). */
const PULL_MS = 5_000;
/** An unhealthy deployment rests until the next run is due, and this much longer (the run takes time). */
const GRACE_MS = 60_000;

let pulledAt = 0;
let appliedAt = 0;
let pulling = false;
/** Shared cooldowns rested before this (unix ms) are not applied here (tests start from a clean slate). */
let ignoreBefore = 0;

/** Feeds a background run's results to a router's health: a failing deployment rests until the next run, an answering one is cleared. */
function applySnapshot(snapshot: HealthSnapshot, store: HealthStore): void {
  const until = snapshot.checkedAt + snapshot.intervalSeconds * 1000 + GRACE_MS;
  for (const r of snapshot.results) {
    if (!r.probed) continue;
    if (r.healthy) store.markHealthy(r.id);
    else store.markUnhealthy(r.id, until);
  }
}

/** Applies what the shared record holds: the latest run's results (newer than the last applied), then every deployment resting now. */
function applyShared(shared: SharedHealth, store: HealthStore): void {
  const { snapshot } = shared;
  if (snapshot && snapshot.checkedAt > appliedAt) {
    applySnapshot(snapshot, store);
    appliedAt = snapshot.checkedAt;
  }
  for (const c of shared.cooldowns) if (c.at >= ignoreBefore) store.restUntil(c.id, c.until);
}

async function pull(env: Env, background: boolean): Promise<void> {
  try {
    applyShared(await healthCheckerOf(env).shared(background), isolateHealth);
  } catch (e) {
    console.warn(JSON.stringify({ msg: "shared health could not be read", error: e instanceof Error ? e.message : String(e) }));
  } finally {
    pulling = false;
  }
}

/**
 * Keeps this isolate's router in step with the others and with the background checks: at most
 * every 5 s a call pulls the deployments resting now (and, with background health checks on, the
 * latest results) off its response path (waitUntil). Costs one clock read otherwise.
 */
export function syncHealth(env: Env, config: ResolvedConfig, waitUntil: (p: Promise<unknown>) => void): void {
  if (pulling) return;
  const now = Date.now();
  if (now - pulledAt < PULL_MS) return;
  pulledAt = now;
  pulling = true;
  waitUntil(pull(env, config.settings.health.background));
}

/** A router of this isolate rested a deployment: the shared record learns it off the response path. */
export function shareCooldown(env: Env, id: string, until: number, waitUntil: (p: Promise<unknown>) => void): void {
  waitUntil(
    healthCheckerOf(env)
      .cool([{ id, until, at: Date.now() }])
      .catch((e) => console.warn(JSON.stringify({ msg: "cooldown could not be shared", deployment: id, error: e instanceof Error ? e.message : String(e) }))),
  );
}

/** Tests: the next call pulls again (even while an earlier pull is still on its way). */
export function forgetHealthSync(): void {
  pulledAt = 0;
  appliedAt = 0;
  pulling = false;
}

/** Tests: cooldowns shared before now are not applied here (each test starts with every deployment healthy). */
export function ignoreSharedCooldowns(): void {
  ignoreBefore = Date.now();
}
