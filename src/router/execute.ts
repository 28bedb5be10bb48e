import type { Deployment } from "../config/deployment";
import type { ResolvedConfig } from "../config/resolve";
import { clientGone, configError, GatewayError, invalidRequest, rateLimited } from "../http/errors";
import { resolveGroup, type ModelGroup } from "./groups";
import type { HealthStore } from "./health";
import { backoffMs, classify, retryAfterMs, type FailureKind } from "./retry";
import { pick } from "./select";

/** One try of one deployment, as recorded in the spend log's metadata. */
export interface AttemptRecord {
  deployment: string;
  model_group: string;
  status: number;
  error?: string;
  ms: number;
  /** This failure rested the deployment until then (unix ms): the cooldown observers (shared state, alerts, metrics) see it. */
  cooldown_until?: number;
}

interface RouteOptions {
  config: ResolvedConfig;
  requested: string;
  /** The request's own `fallbacks`, which replace the configured ones. */
  requestFallbacks?: string[];
  /** The request's own `num_retries`. */
  numRetries?: number;
  health: HealthStore;
  /** Chooses among a group's untried healthy deployments instead of the strategy (usage-based routing). */
  choose?: (candidates: Deployment[]) => Promise<Deployment | GatewayError>;
  /** Stops retrying and falling back when the client went away. */
  signal?: AbortSignal;
  /**
   * Admits the call to a fallback group before it is tried (the caller's model lists, per-model
   * limits and budgets); an error skips that group.
   */
  enter?: (name: string) => Promise<GatewayError | undefined>;
  /**
   * A test hook's failure for the requested group (LiteLLM's mock_testing_*): its attempts end in
   * this error without running, so no upstream is called, no deployment cools, nothing is recorded.
   */
  mockFailure?: { error: GatewayError; kind: FailureKind };
  /** Attempts answer without an upstream (mock_response): they tell the health store nothing. */
  mocked?: boolean;
  /** Observes each attempt as it ends (telemetry). */
  onAttempt?: (record: AttemptRecord) => void;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

interface Routed<T> {
  value: T;
  dep: Deployment;
  group: string;
  /** The name the answering group was asked for (the requested one, or a fallback's). */
  requested: string;
  attempts: AttemptRecord[];
  fallbacks: number;
}

/** The last error of a call that nothing could serve, with every attempt made. */
export class RouteFailure extends Error {
  constructor(
    readonly error: GatewayError,
    readonly attempts: AttemptRecord[],
    readonly fallbacks: number,
  ) {
    super(error.message);
  }
}

type GroupResult<T> = { ok: true; value: T; dep: Deployment } | { ok: false; error: GatewayError; kind: FailureKind };

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Serves a call from the requested model group, retrying and falling back by the config:
 * another healthy deployment is tried at once, the same one after a backoff; failing
 * deployments cool down; fallback groups follow in order, at most max_fallbacks, never twice.
 */
export async function execute<T>(opts: RouteOptions, run: (dep: Deployment, group: string) => Promise<T>): Promise<Routed<T>> {
  const { config, health } = opts;
  const router = config.router;
  const now = opts.now ?? Date.now;
  const sleep = opts.sleep ?? defaultSleep;
  const numRetries = opts.numRetries ?? router.numRetries;
  const attempts: AttemptRecord[] = [];
  const record = (r: AttemptRecord) => {
    attempts.push(r);
    opts.onAttempt?.(r);
  };

  async function tryGroup(group: ModelGroup, first: boolean): Promise<GroupResult<T>> {
    if (first && opts.mockFailure) return { ok: false, ...opts.mockFailure };
    let retries = numRetries;
    let retryCount = 0;
    const tried = new Set<string>();
    let last: GatewayError | undefined;
    for (;;) {
      const usable = group.deployments.filter((d) => !d.error);
      if (!usable.length) {
        const first = group.deployments[0];
        if (first?.errorStatus === 400) return { ok: false, error: invalidRequest(first.error!, "model"), kind: "final" };
        return { ok: false, error: configError(first?.error ?? `No deployment serves '${group.name}'.`), kind: "fallback" };
      }
      const t = now();
      const healthy = usable.filter((d) => !health.coolingUntil(d.id, t));
      if (!healthy.length) {
        const until = Math.min(...usable.map((d) => health.coolingUntil(d.id, t)));
        const error = rateLimited(`Every deployment of '${group.name}' is cooling down after failures; retry after ${Math.ceil((until - t) / 1000)}s.`, (until - t) / 1000);
        return { ok: false, error: last ?? error, kind: "retry" };
      }
      const fresh = healthy.filter((d) => !tried.has(d.id));
      let dep: Deployment;
      if (fresh.length) {
        if (opts.choose) {
          const chosen = await opts.choose(fresh);
          if (chosen instanceof GatewayError) return { ok: false, error: last ?? chosen, kind: "retry" };
          dep = chosen;
        } else dep = pick(fresh, router.strategy, health);
      } else if (opts.choose) {
        // usage-based routing does not hammer a deployment again: every candidate was tried.
        return { ok: false, error: last!, kind: "retry" };
      } else {
        dep = pick(healthy, router.strategy, health);
        const wait = backoffMs(retryCount, last ? retryAfterMs(last) : undefined);
        if (wait > router.maxBackoffMs) return { ok: false, error: last!, kind: "retry" };
        await sleep(wait);
      }
      if (opts.signal?.aborted) return { ok: false, error: last ?? clientGone(), kind: "final" };
      tried.add(dep.id);
      const started = now();
      if (opts.mocked) {
        const value = await run(dep, group.name);
        record({ deployment: dep.id, model_group: group.name, status: 200, ms: now() - started });
        return { ok: true, value, dep };
      }
      health.begin(dep.id);
      try {
        const value = await run(dep, group.name);
        health.success(dep.id, now() - started, now());
        record({ deployment: dep.id, model_group: group.name, status: 200, ms: now() - started });
        return { ok: true, value, dep };
      } catch (e) {
        if (!(e instanceof GatewayError)) throw e;
        const kind = classify(e);
        const cooled =
          kind !== "final" || e.status === 404
            ? health.failure(dep.id, { status: e.status, retryAfterMs: retryAfterMs(e), allowedFails: router.allowedFails, cooldownMs: router.cooldownMs, groupSize: usable.length }, now())
            : 0;
        const rec: AttemptRecord = { deployment: dep.id, model_group: group.name, status: e.status, error: e.code ?? e.type, ms: now() - started };
        if (cooled) rec.cooldown_until = cooled;
        record(rec);
        if (kind !== "retry" || retries <= 0) return { ok: false, error: e, kind };
        retries--;
        retryCount++;
        last = e;
      } finally {
        health.end(dep.id);
      }
    }
  }

  const chain = [opts.requested];
  const visited = new Set(chain);
  let lastError: GatewayError | undefined;
  for (let i = 0; i < chain.length; i++) {
    const group = resolveGroup(config, chain[i]!);
    if (!group) continue;
    if (i > 0 && opts.enter) {
      const refused = await opts.enter(chain[i]!);
      if (refused) {
        lastError ??= refused;
        continue;
      }
    }
    const result = await tryGroup(group, i === 0);
    if (result.ok) return { value: result.value, dep: result.dep, group: group.name, requested: chain[i]!, attempts, fallbacks: i };
    lastError = result.error;
    if (result.kind === "final" || opts.signal?.aborted) break;
    if (i === 0) {
      for (const next of fallbacksFor(config, opts, result.kind)) {
        if (chain.length > router.maxFallbacks) break;
        if (!visited.has(next)) {
          visited.add(next);
          chain.push(next);
        }
      }
    }
  }
  throw new RouteFailure(lastError ?? configError(`No deployment serves '${opts.requested}'.`), attempts, Math.max(0, chain.length - 1));
}

/** Every fallback group a call to `requested` may reach, whatever its first group's failure. */
export function reachableFallbacks(config: ResolvedConfig, requested: string, requestFallbacks?: string[]): string[] {
  const opts = { requested, requestFallbacks } as RouteOptions;
  const all = new Set([...fallbacksFor(config, opts, "context"), ...fallbacksFor(config, opts, "content"), ...fallbacksFor(config, opts, "retry")]);
  all.delete(requested);
  return [...all].slice(0, config.router.maxFallbacks);
}

function fallbacksFor(config: ResolvedConfig, opts: RouteOptions, kind: FailureKind): string[] {
  const r = config.router;
  const name = opts.requested;
  if (kind === "context") return r.contextWindowFallbacks.get(name) ?? [];
  if (kind === "content") return r.contentPolicyFallbacks.get(name) ?? [];
  if (opts.requestFallbacks) return opts.requestFallbacks;
  return r.fallbacks.get(name) ?? r.fallbacks.get("*") ?? r.defaultFallbacks;
}
