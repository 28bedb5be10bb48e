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

/** A deployment some isolate's router rested: until when, and when (unix ms). */
interface SharedCooldown {
  id: string;
  until: number;
  at: number;
}

/** What an isolate pulls: the latest background run (when those checks are on) and every deployment resting now. */
export interface SharedHealth {
  snapshot: HealthSnapshot | null;
  cooldowns: SharedCooldown[];
}

const KEY = "snapshot";
const COOLDOWNS = "cooldowns";
/** At most this many deployments rest at once in the shared record (the soonest to end are dropped first). */
const MAX_COOLDOWNS = 2000;

type Cooldowns = Record<string, { until: number; at: number }>;

/** The record without what has ended, bounded. */
function current(all: Cooldowns | undefined, now: number): Cooldowns {
  const live = Object.entries(all ?? {}).filter(([, c]) => c.until > now);
  if (live.length > MAX_COOLDOWNS) live.sort((a, b) => b[1].until - a[1].until).length = MAX_COOLDOWNS;
  return Object.fromEntries(live);
}

/** The one checker of the gateway (a single object: one run at a time, whatever the number of isolates); it also holds the shared cooldowns. */
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
  const started = Date.now();
  const results = await checkDeployments(config, config.deployments);
  const snapshot: HealthSnapshot = { checkedAt: Date.now(), intervalSeconds: health.intervalSeconds, results };
  // A deployment the run found answering no longer rests, unless a router rested it after the run began.
  const cooldowns = current(await storage.get<Cooldowns>(COOLDOWNS), snapshot.checkedAt);
  for (const r of results) if (r.probed && r.healthy && (cooldowns[r.id]?.at ?? Infinity) < started) delete cooldowns[r.id];
  await storage.put({ [KEY]: snapshot, [COOLDOWNS]: cooldowns });
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

  /**
   * What isolates pull in the background (gateway/health-sync.ts): every deployment resting now,
   * and with `background` the latest run's results (and the schedule started).
   */
  async shared(background: boolean): Promise<SharedHealth> {
    const cooldowns = Object.entries(current(await this.ctx.storage.get<Cooldowns>(COOLDOWNS), Date.now())).map(([id, c]) => ({ id, ...c }));
    return { snapshot: background ? await this.snapshot() : null, cooldowns };
  }

  /** A router rested these deployments: every isolate's router learns it at its next pull. */
  async cool(list: SharedCooldown[]): Promise<void> {
    const all = current(await this.ctx.storage.get<Cooldowns>(COOLDOWNS), Date.now());
    for (const c of list) {
      const had = all[c.id];
      if (!had || had.until < c.until) all[c.id] = { until: c.until, at: c.at };
    }
    await this.ctx.storage.put(COOLDOWNS, current(all, Date.now()));
  }

  override async alarm(): Promise<void> {
    const next = await runBackgroundChecks(this.env, this.ctx.storage, (p) => this.ctx.waitUntil(p));
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }
}
