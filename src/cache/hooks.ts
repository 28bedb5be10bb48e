import type { CacheSettings } from "../config/cache-settings";
import type { ResolvedConfig } from "../config/resolve";
import type { Env } from "../env";
import type { CallHooks, CallInfo } from "../hooks/types";
import type { Principal } from "../http/auth";
import type { TranslatedResponse } from "../providers/types";
import { resolveGroup } from "../router/groups";
import { cacheControls } from "./controls";
import type { CacheStore } from "./entry";
import { EdgeCacheStore } from "./edge";
import { cacheKey } from "./key";
import { KvStore } from "./kv";
import { localStore } from "./local";

/** The per-config part of caching: settings and backend, built once per resolved config. */
interface CacheRuntime {
  settings: CacheSettings;
  store: CacheStore;
}

const runtimes = new WeakMap<ResolvedConfig, CacheRuntime>();

function runtime(config: ResolvedConfig, env: Env, settings: CacheSettings): CacheRuntime {
  let rt = runtimes.get(config);
  if (!rt) {
    const store = settings.type === "local" ? localStore(settings.maxEntries, settings.maxBytes) : settings.type === "cloudflare-cache" ? new EdgeCacheStore() : new KvStore(env.CACHE_KV!);
    runtimes.set(config, (rt = { settings, store }));
  }
  return rt;
}

/** Whose entries a caller sees: everyone, its team (a key without a team: the key), or its own key. */
function scopeId(scope: CacheSettings["scope"], p: Principal): string {
  if (scope === "global") return "global";
  if (p.kind === "master") return "master";
  if (scope === "team" && p.key.teamId) return `team:${p.key.teamId}`;
  return `key:${p.key.token}`;
}

const status = (s: "HIT" | "MISS" | "BYPASS"): Record<string, string> => ({ "x-cache": s === "HIT" ? "HIT" : "MISS", "cf-aig-cache-status": s });

/**
 * The cache hooks of one request (undefined when caching is off: no cost at all). `lookup` reads
 * the request's controls (400 on a bad one), computes the key and answers a hit; `store` writes a
 * complete non-streamed answer off the response path. Streamed calls are neither read nor stored.
 */
export function cacheHooks(config: ResolvedConfig, env: Env, headers: Headers, waitUntil: (p: Promise<unknown>) => void): CallHooks | undefined {
  const settings = config.settings.cache;
  if (!settings) return undefined;
  const rt = runtime(config, env, settings);
  let pending: { key: string; ttlSec: number } | undefined;
  return {
    async lookup(call: CallInfo) {
      const controls = settings.routes.has(call.route) ? cacheControls(call.body, headers) : undefined;
      // The `cache` object is the gateway's: whatever adapter serves the call never forwards it.
      if (call.body && typeof call.body === "object") delete (call.body as Record<string, unknown>).cache;
      if (!controls) return null;
      const wanted = settings.mode === "default_on" ? controls.useCache !== false : controls.useCache === true;
      if (!wanted || call.stream) return { answer: null, headers: status("BYPASS") };
      const prefix = `${controls.namespace ?? settings.namespace}:${scopeId(settings.scope, call.principal)}:`;
      // A wildcard group (`openai/*`) serves many models: the requested one is the group then.
      const resolved = resolveGroup(config, call.model)?.name;
      const group = resolved && !resolved.endsWith("*") ? resolved : call.model;
      const key = await cacheKey(prefix, call.route, group, call.body, controls.customKey);
      const ttlSec = controls.ttlSec ?? settings.ttlSec;
      if (!controls.noStore && ttlSec > 0) pending = { key, ttlSec };
      if (controls.noCache) return { answer: null, headers: status("BYPASS") };
      const entry = await rt.store.get(key).catch(() => null);
      const fresh = entry && (controls.maxAgeSec === undefined || Date.now() - entry.storedAt <= controls.maxAgeSec * 1000);
      if (!entry || !fresh) return { answer: null, headers: status("MISS") };
      pending = undefined;
      const answer: TranslatedResponse = { json: entry.json, usage: entry.usage, ...(entry.contentType ? { contentType: entry.contentType } : {}) };
      return { answer, headers: { ...status("HIT"), "x-litellm-cache-key": key } };
    },
    store(call: CallInfo, answer: TranslatedResponse) {
      const p = pending;
      pending = undefined;
      if (!p || call.stream) return;
      const now = Date.now();
      const entry = { json: answer.json, usage: answer.usage, ...(answer.contentType ? { contentType: answer.contentType } : {}), storedAt: now, expiresAt: now + p.ttlSec * 1000 };
      waitUntil(rt.store.put(p.key, entry).catch(() => {}));
    },
  };
}
