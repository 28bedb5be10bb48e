import { Hono } from "hono";
import * as z from "zod/mini";
import { parseBody } from "../api/parse";
import type { AppEnv } from "../app-env";
import { flushNamespace } from "../cache/generation";
import { runtime } from "../cache/hooks";
import { LocalStore } from "../cache/local";
import { GatewayError } from "../http/errors";
import { readJson } from "../http/json";
import { requireAuth } from "../http/middleware";

/** LiteLLM's cache admin routes (proxy admins): /cache/ping, /cache/delete, /cache/flushall. */
export const cacheRoutes = new Hono<AppEnv>();

const notOn = () => new GatewayError(503, "Caching is off: set litellm_settings.cache: true.", "service_unavailable", "cache_not_initialized");

function cacheOf(c: { get(k: "config"): AppEnv["Variables"]["config"]; env: AppEnv["Bindings"] }) {
  const config = c.get("config");
  const settings = config.settings.cache;
  if (!settings) throw notOn();
  return { settings, rt: runtime(config, c.env, settings) };
}

/** The cache answers: a write, a read and a delete of a probe entry. */
cacheRoutes.get("/cache/ping", requireAuth("admin"), async (c) => {
  const { settings, rt } = cacheOf(c);
  const key = `${settings.namespace}:ping:${crypto.randomUUID()}`;
  const now = Date.now();
  try {
    await rt.store.put(key, { json: "{}", usage: null, storedAt: now, expiresAt: now + 60_000 });
    await rt.store.get(key);
    await rt.store.delete(key);
  } catch (e) {
    throw new GatewayError(503, `The cache (${settings.type}) did not answer: ${e instanceof Error ? e.message : String(e)}`, "service_unavailable", "cache_unhealthy");
  }
  const sem = settings.semantic;
  const semantic = sem ? { embedding_model: sem.embeddingModel, similarity_threshold: sem.threshold, max_entries: sem.maxEntries, ...(sem.vectorIndex ? { vector_index: sem.vectorIndex } : {}) } : {};
  const params = { type: settings.type, namespace: settings.namespace, ttl: settings.ttlSec, mode: settings.mode, scope: settings.scope, supported_call_types: [...settings.routes], ...semantic };
  return c.json({ status: "healthy", cache_type: settings.type, ping_response: true, set_cache_response: "success", litellm_cache_params: params });
});

const deleteSchema = z.strictObject({ keys: z.array(z.string().check(z.minLength(1), z.maxLength(512))).check(z.minLength(1), z.maxLength(1000)) });

/** Deletes entries by the keys answers carried in `x-litellm-cache-key`. */
cacheRoutes.post("/cache/delete", requireAuth("admin"), async (c) => {
  const { rt } = cacheOf(c);
  const { keys } = parseBody(deleteSchema, await readJson(c));
  await Promise.all(keys.map((k) => rt.store.delete(k)));
  return c.json({ status: "success" });
});

const flushSchema = z.strictObject({ namespace: z.optional(z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9._-]+$/, "use letters, digits, '.', '_' or '-'"))) });

/**
 * Makes every entry of a namespace (the configured one unless named) unreachable: KV and the
 * Cache API cannot be listed cheaply, so the namespace moves to its next generation, which every
 * cache key includes (every isolate within 5 s; this one at once, its `local` store emptied).
 */
cacheRoutes.post("/cache/flushall", requireAuth("admin"), async (c) => {
  const { settings, rt } = cacheOf(c);
  const raw = c.req.header("content-length") === "0" || !c.req.header("content-type") ? {} : await readJson(c);
  const { namespace = settings.namespace } = parseBody(flushSchema, raw ?? {});
  const generation = await flushNamespace(c.env, namespace);
  if (rt.store instanceof LocalStore && namespace === settings.namespace) rt.store.clear();
  return c.json({ status: "success", namespace, generation });
});
