import * as z from "zod/mini";
import { formatPath } from "./schema";

/** The routes a response cache can serve (the `route` of a ModelCall). */
type CacheRoute = "chat" | "embeddings" | "completions" | "responses" | "messages";

/** litellm_settings.cache + cache_params, resolved. Absent from the settings when caching is off. */
export interface CacheSettings {
  type: "local" | "cloudflare-kv" | "cloudflare-cache" | "semantic";
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
  /** `semantic` only: how prompts are embedded and matched. */
  semantic?: SemanticSettings;
}

/** `type: semantic`: the nearest earlier prompt (cosine similarity of embeddings) may answer. */
export interface SemanticSettings {
  /** The model group (model_list) that embeds prompts. */
  embeddingModel: string;
  /** The least cosine similarity that answers (0..1]. */
  threshold: number;
  /** The most entries one namespace's Durable Object index keeps (oldest evicted). */
  maxEntries: number;
  /** A Vectorize binding to search instead of the Durable Object (answers then in CACHE_KV). */
  vectorIndex?: string;
  /** Prompts with tools or images are matched semantically too (by default only exactly). */
  includeToolsAndImages: boolean;
}

/** The Durable Object binding of `type: semantic` (wrangler.toml [[durable_objects.bindings]]). */
const SEMANTIC_CACHE_BINDING = "SEMANTIC_CACHE";

/** The KV namespace binding of `type: cloudflare-kv` (wrangler.toml [[kv_namespaces]]). */
const CACHE_KV_BINDING = "CACHE_KV";

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
  "redis-semantic": "use type: semantic (a Durable Object index; or Vectorize with vector_index)",
  "qdrant-semantic": "use type: semantic with vector_index: <a Vectorize binding> (or the Durable Object index without it)",
  s3: "use type: cloudflare-kv (R2 is not a cache backend here)",
  "azure-blob": "use type: cloudflare-kv",
  gcs: "use type: cloudflare-kv",
  disk: "use type: local (isolate memory) or cloudflare-kv",
};

const KNOWN_PARAMS = ["type", "ttl", "namespace", "supported_call_types", "mode", "scope", "max_size_in_memory"];
/** Parameters only `type: semantic` reads. */
const SEMANTIC_PARAMS = ["embedding_model", "similarity_threshold", "max_entries", "vector_index", "semantic_include_tools_and_images"];

/** The Durable Object index keeps its vectors in memory: this bounds it (10,000 x 1,536 floats ~ 60 MB). */
const MAX_SEMANTIC_ENTRIES = 10_000;
/** LiteLLM requires similarity_threshold; its documented examples use 0.8. */
const DEFAULT_SIMILARITY_THRESHOLD = 0.8;
const DEFAULT_SEMANTIC_ENTRIES = 1000;

const positive = z.number().check(z.positive("must be a number of seconds > 0"));
const paramsSchema = z.looseObject({
  type: z.optional(z.string()),
  ttl: z.optional(positive),
  namespace: z.optional(z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9._-]+$/, "use letters, digits, '.', '_' or '-'"))),
  supported_call_types: z.optional(z.array(z.string())),
  mode: z.optional(z.enum(["default_on", "default_off"])),
  scope: z.optional(z.enum(["global", "team", "key"])),
  max_size_in_memory: z.optional(z.number().check(z.int(), z.positive())),
  embedding_model: z.optional(z.string().check(z.minLength(1))),
  similarity_threshold: z.optional(z.number().check(z.gt(0, "must be > 0"), z.lte(1, "must be <= 1"))),
  max_entries: z.optional(
    z.number().check(z.int("must be a whole number"), z.positive("must be > 0"), z.lte(MAX_SEMANTIC_ENTRIES, `must be <= ${MAX_SEMANTIC_ENTRIES} (use vector_index for larger indexes)`)),
  ),
  vector_index: z.optional(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be a binding name"))),
  semantic_include_tools_and_images: z.optional(z.boolean()),
});

const DEFAULT_CACHE_TTL_SEC = 600;
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
  const type = p.type ?? "cloudflare-kv";
  for (const k of Object.keys(p)) {
    if (SEMANTIC_PARAMS.includes(k)) {
      if (type !== "semantic") unsupported.push(`litellm_settings.cache_params.${k}: only read with type: semantic; ignored`);
    } else if (!KNOWN_PARAMS.includes(k)) unsupported.push(`litellm_settings.cache_params.${k}: not supported; ignored`);
  }
  if (UNSUPPORTED_TYPES[type]) {
    unsupported.push(`litellm_settings.cache_params.type: '${type}' is not supported (${UNSUPPORTED_TYPES[type]}); caching is off`);
    return undefined;
  }
  if (type !== "local" && type !== "cloudflare-kv" && type !== "cloudflare-cache" && type !== "semantic") {
    throw `litellm_settings.cache_params.type: '${type}' is not a cache type; use cloudflare-kv, cloudflare-cache, local or semantic`;
  }
  let semantic: SemanticSettings | undefined;
  if (type === "semantic") {
    if (!p.embedding_model) throw "litellm_settings.cache_params.embedding_model: type semantic needs an embedding model (a model_name in model_list)";
    if (p.vector_index) {
      const missing = [p.vector_index, CACHE_KV_BINDING].filter((b) => !env[b]);
      if (missing.length) {
        unsupported.push(`litellm_settings.cache_params.vector_index: needs the binding(s) ${missing.join(", ")} (a Vectorize index; answers are kept in KV); caching is off`);
        return undefined;
      }
    } else if (!env[SEMANTIC_CACHE_BINDING]) {
      unsupported.push(`litellm_settings.cache_params.type: semantic needs the Durable Object binding ${SEMANTIC_CACHE_BINDING} (wrangler.toml); caching is off`);
      return undefined;
    }
    semantic = {
      embeddingModel: p.embedding_model,
      threshold: p.similarity_threshold ?? DEFAULT_SIMILARITY_THRESHOLD,
      maxEntries: p.max_entries ?? DEFAULT_SEMANTIC_ENTRIES,
      ...(p.vector_index ? { vectorIndex: p.vector_index } : {}),
      includeToolsAndImages: p.semantic_include_tools_and_images ?? false,
    };
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
    ...(semantic ? { semantic } : {}),
  };
}
