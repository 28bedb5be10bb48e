/**
 * What the router knows about each deployment's health and load. One small interface, kept per
 * isolate today (`memoryHealth`), so that it can move to a shared store without touching callers.
 */
export interface HealthStore {
  /** Unix ms until which the deployment rests, or 0. */
  coolingUntil(id: string, now: number): number;
  /** Records a failed attempt; cools the deployment when the rules say so. */
  failure(id: string, f: Failure, now: number): void;
  success(id: string, latencyMs: number, now: number): void;
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
}

export interface Failure {
  status: number;
  /** The upstream's own retry hint. */
  retryAfterMs?: number;
  allowedFails: number;
  cooldownMs: number;
}

const WINDOW_MS = 60_000;
const MAX_COOLDOWN_MS = 60 * 60_000;

interface State {
  fails: number[];
  coolUntil: number;
  inFlight: number;
  latency?: number;
}

export function memoryHealth(): HealthStore {
  const states = new Map<string, State>();
  const get = (id: string): State => {
    let s = states.get(id);
    if (!s) states.set(id, (s = { fails: [], coolUntil: 0, inFlight: 0 }));
    return s;
  };
  return {
    coolingUntil(id, now) {
      const s = states.get(id);
      return s && s.coolUntil > now ? s.coolUntil : 0;
    },
    failure(id, f, now) {
      const s = get(id);
      s.fails = s.fails.filter((t) => t > now - WINDOW_MS);
      s.fails.push(now);
      // A rate limit, or an upstream that does not know our key or the model, rests at once.
      const immediate = f.status === 429 || f.status === 401 || f.status === 404;
      if (immediate || s.fails.length > f.allowedFails) {
        const rest = Math.min(MAX_COOLDOWN_MS, Math.max(f.cooldownMs, f.status === 429 ? (f.retryAfterMs ?? 0) : 0));
        s.coolUntil = Math.max(s.coolUntil, now + rest);
        s.fails = [];
      }
    },
    success(id, latencyMs) {
      const s = get(id);
      s.latency = s.latency === undefined ? latencyMs : s.latency * 0.7 + latencyMs * 0.3;
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
      s.fails = [];
    },
    markHealthy(id) {
      const s = states.get(id);
      if (!s) return;
      s.coolUntil = 0;
      s.fails = [];
    },
  };
}

/** The isolate's store. */
export const isolateHealth: HealthStore = memoryHealth();
