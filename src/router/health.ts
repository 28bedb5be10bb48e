/**
 * What the router knows about each deployment's health and load, kept per isolate
 * (`memoryHealth`); cooldowns are shared between isolates by the gateway (gateway/health-sync.ts
 * publishes each one and feeds the others' through `restUntil`), never looked up per call.
 */
export interface HealthStore {
  /** Unix ms until which the deployment rests, or 0. */
  coolingUntil(id: string, now: number): number;
  /** Records a failed attempt; cools the deployment when the rules say so: answers until when (unix ms) it now rests, or 0 when this failure did not rest it. */
  failure(id: string, f: Failure, now: number): number;
  success(id: string, latencyMs: number, now?: number): void;
  /** Failed attempts in the last minute that have not (yet) rested the deployment. */
  recentFailures(id: string, now: number): number;
  /** Calls in flight (for least-busy). */
  begin(id: string): void;
  end(id: string): void;
  inFlight(id: string): number;
  /** Recent latency (EWMA, ms) or undefined when never measured (for latency-based routing). */
  latency(id: string): number | undefined;
  /** Forgets everything (all deployments healthy again). */
  clear(): void;
  /** A health check found the deployment failing: it rests until `until` (unix ms), whatever it rested before. */
  markUnhealthy(id: string, until: number): void;
  /** A health check found the deployment answering: its cooldown and recent failures are forgotten. */
  markHealthy(id: string): void;
  /** Another isolate rested the deployment: it rests at least until `until` (unix ms) here too. */
  restUntil(id: string, until: number): void;
}

interface Failure {
  status: number;
  /** The upstream's own retry hint. */
  retryAfterMs?: number;
  /** router_settings.allowed_fails, when set. */
  allowedFails?: number;
  cooldownMs: number;
  /** How many deployments the failing one's group has (a lone deployment is never rested for transient errors). */
  groupSize: number;
}

/** Below this many calls in a minute, the failure rate alone never rests a deployment (LiteLLM's rule). */
const MIN_CALLS_FOR_RATE = 5;
const FAILURE_RATE = 0.5;

/**
 * LiteLLM's cooldown rule (router_utils/cooldown_handlers): a group's only deployment rests only
 * for errors retrying cannot fix (401, 404): a flaky lone deployment keeps being retried. In a
 * group of several, 401/404/408/429 rest it at once; otherwise it rests when its failures this
 * minute pass `allowed_fails` (when set), or when more than half of at least 5 calls failed.
 */
export function shouldCool(f: Failure, failsThisMinute: number, successesThisMinute: number): boolean {
  if (f.status === 401 || f.status === 404) return true;
  if (f.groupSize <= 1) return false;
  if (f.status === 408 || f.status === 429) return true;
  if (f.allowedFails !== undefined && failsThisMinute > f.allowedFails) return true;
  const total = failsThisMinute + successesThisMinute;
  return total >= MIN_CALLS_FOR_RATE && failsThisMinute / total > FAILURE_RATE;
}

const MAX_COOLDOWN_MS = 60 * 60_000;

/**
 * Events of the last minute, counted per second in 60 buckets: adding is O(1) and reading O(60)
 * whatever the traffic (a list of timestamps cost a filter over a thousand entries per call at a
 * busy deployment). The minute is whole seconds, so an event leaves the count up to 1 s early.
 */
export class MinuteCount {
  private readonly counts = new Array<number>(60).fill(0);
  private readonly seconds = new Array<number>(60).fill(-Infinity);

  add(now: number): void {
    const sec = Math.floor(now / 1000);
    const i = sec % 60;
    if (this.seconds[i] !== sec) {
      this.seconds[i] = sec;
      this.counts[i] = 0;
    }
    this.counts[i]!++;
  }

  total(now: number): number {
    const oldest = Math.floor(now / 1000) - 60;
    let n = 0;
    for (let i = 0; i < 60; i++) if (this.seconds[i]! > oldest) n += this.counts[i]!;
    return n;
  }

  reset(): void {
    this.seconds.fill(-Infinity);
  }
}

interface State {
  fails: MinuteCount;
  /** Calls that succeeded in the last minute. */
  oks: MinuteCount;
  coolUntil: number;
  inFlight: number;
  latency?: number;
}

export function memoryHealth(): HealthStore {
  const states = new Map<string, State>();
  const get = (id: string): State => {
    let s = states.get(id);
    if (!s) states.set(id, (s = { fails: new MinuteCount(), oks: new MinuteCount(), coolUntil: 0, inFlight: 0 }));
    return s;
  };
  return {
    coolingUntil(id, now) {
      const s = states.get(id);
      return s && s.coolUntil > now ? s.coolUntil : 0;
    },
    failure(id, f, now) {
      const s = get(id);
      s.fails.add(now);
      if (shouldCool(f, s.fails.total(now), s.oks.total(now))) {
        const rest = Math.min(MAX_COOLDOWN_MS, Math.max(f.cooldownMs, f.status === 429 ? (f.retryAfterMs ?? 0) : 0));
        s.coolUntil = Math.max(s.coolUntil, now + rest);
        s.fails.reset();
        s.oks.reset();
        return s.coolUntil;
      }
      return 0;
    },
    success(id, latencyMs, now = Date.now()) {
      const s = get(id);
      s.latency = s.latency === undefined ? latencyMs : s.latency * 0.7 + latencyMs * 0.3;
      s.oks.add(now);
    },
    recentFailures(id, now) {
      return states.get(id)?.fails.total(now) ?? 0;
    },
    begin(id) {
      get(id).inFlight++;
    },
    end(id) {
      const s = get(id);
      s.inFlight = Math.max(0, s.inFlight - 1);
    },
    inFlight: (id) => states.get(id)?.inFlight ?? 0,
    latency: (id) => states.get(id)?.latency,
    clear: () => states.clear(),
    markUnhealthy(id, until) {
      const s = get(id);
      s.coolUntil = Math.min(until, Date.now() + MAX_COOLDOWN_MS);
      s.fails.reset();
    },
    markHealthy(id) {
      const s = states.get(id);
      if (!s) return;
      s.coolUntil = 0;
      s.fails.reset();
    },
    restUntil(id, until) {
      const s = get(id);
      s.coolUntil = Math.max(s.coolUntil, Math.min(until, Date.now() + MAX_COOLDOWN_MS));
    },
  };
}

/** The isolate's store. */
export const isolateHealth: HealthStore = memoryHealth();
