import type { CacheSettings } from "../config/cache-settings";
import type { ResolvedConfig } from "../config/resolve";
import type { Env } from "../env";
import type { CallHooks, CallInfo, StreamEnd } from "../hooks/types";
import type { Principal } from "../http/auth";
import type { TranslatedResponse, Usage } from "../providers/types";
import { openaiUsage } from "../providers/usage";
import { resolveGroup } from "../router/groups";
import { cacheControls } from "./controls";
import type { CacheEntry, CacheStore } from "./entry";
import { assembleChat, replayChat } from "./chat-stream";
import { EdgeCacheStore } from "./edge";
import { cacheGeneration } from "./generation";
import { cacheKeyText, sha256Hex } from "./key";
import { KvStore } from "./kv";
import { LocalStore, localStore } from "./local";
import { assembleMessages, replayMessages } from "./messages-stream";
import { assembleResponses, replayResponses } from "./responses-stream";
import { DurableSemanticStore } from "./semantic/durable";
import { type Embed, semanticProbe } from "./semantic/probe";
import type { Near, SemanticHit, SemanticStore } from "./semantic/store";
import { type VectorIndexBinding, VectorizeSemanticStore } from "./semantic/vectorize";

/** The per-config part of caching: settings and backend, built once per resolved config. */
interface CacheRuntime {
  settings: CacheSettings;
  store: CacheStore;
  /** `type: semantic`: the store that also finds the nearest prompt (the same object as `store`). */
  semantic?: SemanticStore;
}

function semanticStore(env: Env, settings: CacheSettings): SemanticStore | undefined {
  const s = settings.semantic;
  if (!s) return undefined;
  if (!s.vectorIndex) return new DurableSemanticStore(env.SEMANTIC_CACHE!, s.maxEntries);
  const index = (env as unknown as Record<string, unknown>)[s.vectorIndex] as VectorIndexBinding;
  return new VectorizeSemanticStore(index, new KvStore(env.CACHE_KV!));
}

const runtimes = new WeakMap<ResolvedConfig, CacheRuntime>();

export function runtime(config: ResolvedConfig, env: Env, settings: CacheSettings): CacheRuntime {
  let rt = runtimes.get(config);
  if (!rt) {
    const semantic = semanticStore(env, settings);
    const store =
      semantic ?? (settings.type === "local" ? localStore(settings.maxEntries, settings.maxBytes) : settings.type === "cloudflare-cache" ? new EdgeCacheStore() : new KvStore(env.CACHE_KV!));
    runtimes.set(config, (rt = { settings, store, ...(semantic ? { semantic } : {}) }));
  }
  return rt;
}

function entryOf(json: string, usage: Usage | null, contentType: string | undefined, cost: number | null, ttlSec: number): CacheEntry {
  const now = Date.now();
  return { json, usage, ...(contentType ? { contentType } : {}), cost, storedAt: now, expiresAt: now + ttlSec * 1000 };
}

/** Whose entries a caller sees: everyone, its team (a key without a team: the key), or its own key. */
function scopeId(scope: CacheSettings["scope"], p: Principal): string {
  if (scope === "global") return "global";
  if (p.kind === "master") return "master";
  if (scope === "team" && p.key.teamId) return `team:${p.key.teamId}`;
  return `key:${p.key.token}`;
}

const status = (s: "HIT" | "MISS" | "BYPASS"): Record<string, string> => ({ "x-cache": s === "HIT" ? "HIT" : "MISS", "cf-aig-cache-status": s });

/** Routes whose streams the cache assembles (a miss) and replays (a hit); other streams bypass it. */
interface Streamed {
  assemble(chunks: Iterable<Uint8Array>): string | null;
  replay(json: string, body: unknown): ReadableStream<Uint8Array> | null;
  /** The answer carries OpenAI's usage (chat): a stream whose client did not ask for it gets the call's. */
  openaiUsage?: boolean;
}
const STREAMED: Record<string, Streamed> = {
  chat: { assemble: assembleChat, replay: (json, body) => replayChat(json, includeUsage(body)), openaiUsage: true },
  messages: { assemble: assembleMessages, replay: replayMessages },
  responses: { assemble: assembleResponses, replay: replayResponses },
};

/** The largest streamed answer the cache keeps a copy of (bigger ones are not stored). */
const MAX_STREAM_BYTES = 4 * 1024 * 1024;

const includeUsage = (body: unknown) => {
  const opts = body && typeof body === "object" ? (body as { stream_options?: { include_usage?: unknown } }).stream_options : undefined;
  return opts?.include_usage === true;
};

/**
 * The cache hooks of one request (undefined when caching is off: no cost at all). `lookup` reads
 * the request's controls (400 on a bad one), computes the key and answers a hit (replayed as a
 * stream when the call streams); `store` writes a complete answer off the response path, and
 * `storeStream` a streamed one once it has ended normally (assembled from a copy of the bytes).
 */
export function cacheHooks(config: ResolvedConfig, env: Env, headers: Headers, waitUntil: (p: Promise<unknown>) => void, embed?: Embed): CallHooks | undefined {
  const settings = config.settings.cache;
  if (!settings) return undefined;
  const rt = runtime(config, env, settings);
  let pending: { key: string; ttlSec: number; near?: Near } | undefined;
  /** Stores an entry (with its prompt's vector in a semantic cache). */
  const save = (p: { key: string; near?: Near }, entry: CacheEntry) => (rt.semantic && p.near ? rt.semantic.putNear(p.key, entry, p.near) : rt.store.put(p.key, entry));
  return {
    async lookup(call: CallInfo) {
      const vkey = call.principal.kind === "key" ? call.principal.key : undefined;
      const policy = vkey ? { allowed: vkey.allowedCacheControls, defaults: (vkey.metadata as { cache?: unknown } | null)?.cache } : undefined;
      const controls = settings.routes.has(call.route) ? cacheControls(call.body, headers, policy) : undefined;
      // The `cache` object is the gateway's: whatever adapter serves the call never forwards it.
      if (call.body && typeof call.body === "object") delete (call.body as Record<string, unknown>).cache;
      if (!controls) return null;
      const wanted = settings.mode === "default_on" ? controls.useCache !== false : controls.useCache === true;
      const streamed = call.stream ? STREAMED[call.route] : undefined;
      if (!wanted || (call.stream && !streamed)) return { answer: null, headers: status("BYPASS") };
      const namespace = controls.namespace ?? settings.namespace;
      // The namespace's generation: /cache/flushall moves it on, and every earlier entry is out of reach.
      const generation = await cacheGeneration(env, namespace, waitUntil).catch(() => undefined);
      // Unknown (D1 unreachable): a flushed entry must not answer, so the cache sits this call out.
      if (generation === undefined) return { answer: null, headers: status("BYPASS") };
      const prefix = `${namespace}:${generation ? `g${generation}:` : ""}${scopeId(settings.scope, call.principal)}:`;
      // A wildcard group (`openai/*`) serves many models: the requested one is the group then.
      const resolved = resolveGroup(config, call.model)?.name;
      const group = resolved && !resolved.endsWith("*") ? resolved : call.model;
      const text = cacheKeyText(call.route, group, call.body, controls.customKey);
      const local = rt.store instanceof LocalStore ? rt.store : undefined;
      const hashed = () => sha256Hex(text).then((h) => `${prefix}${h}`);
      const key = local ? `${prefix}${text}` : await hashed();
      const ttlSec = controls.ttlSec ?? settings.ttlSec;
      const storing = !controls.noStore && ttlSec > 0;
      if (controls.noCache && !storing) return { answer: null, headers: status("BYPASS") };
      // Semantic: the prompt is embedded once, for the search and for the store.
      const near = rt.semantic && embed ? await semanticProbe(settings.semantic!, embed, prefix, call.route, group, call.body, controls.customKey) : undefined;
      if (storing) pending = { key, ttlSec, ...(near ? { near } : {}) };
      if (controls.noCache) return { answer: null, headers: status("BYPASS") };
      const found: SemanticHit | null =
        rt.semantic && near
          ? await rt.semantic.find(key, near, settings.semantic!.threshold).catch(() => null)
          : await rt.store.get(key).then(
              (entry) => (entry ? { key, entry, similarity: 1 } : null),
              () => null,
            );
      const entry = found?.entry;
      const fresh = entry && (controls.maxAgeSec === undefined || Date.now() - entry.storedAt <= controls.maxAgeSec * 1000);
      const stream = entry && fresh && streamed ? streamed.replay(entry.json, call.body) : undefined;
      if (!found || !entry || !fresh || stream === null) return { answer: null, headers: status("MISS") };
      pending = undefined;
      const answer: TranslatedResponse = { json: entry.json, usage: entry.usage, ...(entry.contentType ? { contentType: entry.contentType } : {}) };
      const semanticHit = found.key !== key ? { semantic_similarity: Math.round(found.similarity * 1e4) / 1e4 } : {};
      const shown = local ? await local.publicKey(key, entry, hashed) : found.key;
      const extra = { cache_key: shown, ...semanticHit, ...(typeof entry.cost === "number" ? { saved_cost: entry.cost } : {}) };
      return { answer, ...(stream ? { stream } : {}), headers: { ...status("HIT"), "x-litellm-cache-key": shown }, extra };
    },
    store(call: CallInfo, answer: TranslatedResponse, cost: number | null) {
      const p = pending;
      pending = undefined;
      if (!p || call.stream) return;
      const saved = save(p, entryOf(answer.json, answer.usage, answer.contentType, cost, p.ttlSec)).catch(() => {});
      // The isolate's own memory is written at once: no background task to register.
      if (!(rt.store instanceof LocalStore)) waitUntil(saved);
    },
    storeStream(call: CallInfo, body: ReadableStream<Uint8Array>, ended: Promise<StreamEnd>) {
      const p = pending;
      pending = undefined;
      const streamed = STREAMED[call.route];
      if (!p || !streamed) return body;
      // The client's bytes go on untouched; a copy is kept (up to MAX_STREAM_BYTES) and, once the
      // stream has ended normally and the call was a success, assembled and stored off the
      // response path. A client that leaves cancels the upstream as always: nothing is stored.
      const chunks: Uint8Array[] = [];
      let size = 0;
      const store = async () => {
        let json = streamed.assemble(chunks);
        const spent = await ended;
        if (json === null || !spent.ok) return;
        let usage = spent.usage;
        if (streamed.openaiUsage) {
          // The client may not have asked for usage on its stream; the call's own usage completes the answer.
          const answer = JSON.parse(json) as { usage?: unknown };
          usage = openaiUsage(answer.usage);
          if (!usage && spent.usage) {
            usage = spent.usage;
            json = JSON.stringify({ ...answer, usage });
          }
        }
        await save(p, entryOf(json, usage, undefined, spent.cost, p.ttlSec));
      };
      return body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            controller.enqueue(chunk);
            if (size <= MAX_STREAM_BYTES) {
              size += chunk.byteLength;
              chunks.push(chunk);
            }
          },
          flush() {
            if (size <= MAX_STREAM_BYTES) waitUntil(store().catch(() => {}));
          },
        }),
      );
    },
  };
}
