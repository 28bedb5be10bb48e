import * as z from "zod/mini";
import { formatPath } from "./schema";

/** The routes a response cache can serve (the `route` of a ModelCall). */
export type CacheRoute = "chat" | "embeddings" | "completions" | "responses" | "messages";

/** litellm_settings.cache + cache_params, resolved. Absent from the settings when caching is off. */
export interface CacheSettings {
  type: "local" | "cloudflare-kv" | "cloudflare-cache";
  /** Seconds an answer is kept unless the request says otherwise. */
  ttlSec: number;
  namespace: string;
  routes: ReadonlySet<string>;
  /** default_off: only requests with `cache: {"use-cache": true}` are cached. */
  mode: "default_on" | "default_off";
  /** Who shares entries: everyone, a team (keys without a team: the key), or one key. */
  scope: "global" | "team" | "key";
  /** `local`: the most entries kept in the isolate's memory (LiteLLM's max_size_in_memory). */
  maxEntries: number;
  /** `local`: the most bytes kept in the isolate's memory. */
  maxBytes: number;
}

/** The KV namespace binding of `type: cloudflare-kv` (wrangler.toml [[kv_namespaces]]). */
export const CACHE_KV_BINDING = "CACHE_KV";

/** LiteLLM's call type names -> the gateway's routes. */
const CALL_TYPES: Record<string, CacheRoute> = {
  completion: "chat",
  acompletion: "chat",
  embedding: "embeddings",
  aembedding: "embeddings",
  text_completion: "completions",
  atext_completion: "completions",
  responses: "responses",
  aresponses: "responses",
  anthropic_messages: "messages",
};

/** LiteLLM's cache types that have no Cloudflare implementation here, and what to use instead. */
const UNSUPPORTED_TYPES: Record<string, string> = {
  redis: "use type: cloudflare-kv (global) or local",
  "redis-cluster": "use type: cloudflare-kv",
  "redis-semantic": "semantic caching is not built yet; use type: cloudflare-kv for exact matches",
  "qdrant-semantic": "semantic caching (a Durable Object or Vectorize index) is not built yet; use type: cloudflare-kv for exact matches",
  semantic: "semantic caching is not built yet; use type: cloudflare-kv for exact matches",
  s3: "use type: cloudflare-kv (R2 is not a cache backend here)",
  "azure-blob": "use type: cloudflare-kv",
  gcs: "use type: cloudflare-kv",
  disk: "use type: local (isolate memory) or cloudflare-kv",
};

const KNOWN_PARAMS = ["type", "ttl", "namespace", "supported_call_types", "mode", "scope", "max_size_in_memory"];

const positive = z.number().check(z.positive("must be a number of seconds > 0"));
const paramsSchema = z.looseObject({
  type: z.optional(z.string()),
  ttl: z.optional(positive),
  namespace: z.optional(z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9._-]+$/, "use letters, digits, '.', '_' or '-'"))),
  supported_call_types: z.optional(z.array(z.string())),
  mode: z.optional(z.enum(["default_on", "default_off"])),
  scope: z.optional(z.enum(["global", "team", "key"])),
  max_size_in_memory: z.optional(z.number().check(z.int(), z.positive())),
});

export const DEFAULT_CACHE_TTL_SEC = 600;
const DEFAULT_MAX_ENTRIES = 1000;
const DEFAULT_MAX_BYTES = 32 * 1024 * 1024;

/**
 * Reads litellm_settings.cache / cache_params. Returns the settings (undefined: caching off) or
 * throws a `path: problem` string; options it cannot honour are added to `unsupported`.
 */
export function parseCacheSettings(litellm: Record<string, unknown>, env: Record<string, unknown>, unsupported: string[]): CacheSettings | undefined {
  const on = litellm.cache;
  if (on === undefined || on === null || on === false) {
    if (litellm.cache_params !== undefined) unsupported.push("litellm_settings.cache_params: ignored because litellm_settings.cache is not true");
    return undefined;
  }
  if (on !== true) throw "litellm_settings.cache: must be true or false";
  const raw = litellm.cache_params ?? {};
  if (typeof raw !== "object" || Array.isArray(raw)) throw "litellm_settings.cache_params: must be a mapping";
  const parsed = paramsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw `litellm_settings.cache_params.${formatPath(issue.path)}: ${issue.message}`;
  }
  const p = parsed.data;
  for (const k of Object.keys(p)) {
    if (!KNOWN_PARAMS.includes(k)) unsupported.push(`litellm_settings.cache_params.${k}: not supported; ignored`);
  }
  const type = p.type ?? "cloudflare-kv";
  if (UNSUPPORTED_TYPES[type]) {
    unsupported.push(`litellm_settings.cache_params.type: '${type}' is not supported (${UNSUPPORTED_TYPES[type]}); caching is off`);
    return undefined;
  }
  if (type !== "local" && type !== "cloudflare-kv" && type !== "cloudflare-cache") {
    throw `litellm_settings.cache_params.type: '${type}' is not a cache type; use cloudflare-kv, cloudflare-cache or local`;
  }
  if (type === "cloudflare-cache") {
    unsupported.push(
      "litellm_settings.cache_params.type: cloudflare-cache (the Cache API) caches per location, and only for a Worker on a custom domain: on *.workers.dev, in previews and behind Cloudflare Access its writes have no effect",
    );
  }
  if (type === "cloudflare-kv" && !env[CACHE_KV_BINDING]) {
    unsupported.push(`litellm_settings.cache_params.type: cloudflare-kv needs the KV namespace binding ${CACHE_KV_BINDING} (wrangler.toml [[kv_namespaces]]); caching is off`);
    return undefined;
  }
  const routes = new Set<string>();
  if (p.supported_call_types === undefined) for (const r of Object.values(CALL_TYPES)) routes.add(r);
  else {
    for (const t of p.supported_call_types) {
      const route = CALL_TYPES[t];
      if (route) routes.add(route);
      else unsupported.push(`litellm_settings.cache_params.supported_call_types: '${t}' is not cached yet; ignored`);
    }
  }
  return {
    type,
    ttlSec: p.ttl ?? DEFAULT_CACHE_TTL_SEC,
    namespace: p.namespace ?? "switchyard",
    routes,
    mode: p.mode ?? "default_on",
    scope: p.scope ?? "key",
    maxEntries: p.max_size_in_memory ?? DEFAULT_MAX_ENTRIES,
    maxBytes: DEFAULT_MAX_BYTES,
  };
}
