import { DurableObject } from "cloudflare:workers";
import { loadConfig } from "../config/load";
import type { Env } from "../env";
import { type CheckResult, checkDeployments } from "./health-check";

/** The latest background run: when it ran, at which interval, and each deployment's result. */
export interface HealthSnapshot {
  checkedAt: number;
  intervalSeconds: number;
  results: CheckResult[];
}

const KEY = "snapshot";

/** The one checker of the gateway (a single object: one run at a time, whatever the number of isolates). */
export const healthCheckerOf = (env: Env) => env.HEALTH_CHECKER.get(env.HEALTH_CHECKER.idFromName("global"));

/**
 * One background run, when general_settings.background_health_checks is on: every deployment
 * checked, the snapshot stored. Returns when to run next (null: background checks are off, the
 * alarm is not set again).
 */
export async function runBackgroundChecks(env: Env, storage: DurableObjectStorage, waitUntil: (p: Promise<unknown>) => void): Promise<number | null> {
  const config = await loadConfig(env, waitUntil);
  const health = config.settings.health;
  if (config.error || !health.background) return null;
  const results = await checkDeployments(config, config.deployments);
  const snapshot: HealthSnapshot = { checkedAt: Date.now(), intervalSeconds: health.intervalSeconds, results };
  await storage.put(KEY, snapshot);
  return Date.now() + health.intervalSeconds * 1000;
}

/**
 * The background health checks (general_settings.background_health_checks). A Durable Object
 * alarm rather than a cron trigger: the interval is the config's health_check_interval in seconds
 * (a cron is fixed in wrangler.toml and a minute at the finest), one object means one run at a
 * time, and its storage holds the results that /health answers and that every isolate pulls to
 * feed its router's cooldowns (gateway/health-sync.ts). The first pull starts the alarm; it sets
 * itself again after each run for as long as the config keeps the checks on.
 */
export class HealthChecker extends DurableObject<Env> {
  /** The latest results (null before the first run); starts the schedule when none is set. */
  async snapshot(): Promise<HealthSnapshot | null> {
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
    return (await this.ctx.storage.get<HealthSnapshot>(KEY)) ?? null;
  }

  override async alarm(): Promise<void> {
    const next = await runBackgroundChecks(this.env, this.ctx.storage, (p) => this.ctx.waitUntil(p));
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }
}
