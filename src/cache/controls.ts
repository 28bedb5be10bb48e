import * as z from "zod/mini";
import { formatPath } from "../api/parse";
import { forbidden, invalidRequest } from "../http/errors";

/** What one request asks of the cache: LiteLLM's body `cache` object and Cloudflare AI Gateway's headers. */
interface CacheControls {
  /** Do not answer from the cache (the answer may still be stored). */
  noCache: boolean;
  /** Do not store this answer. */
  noStore: boolean;
  /** Seconds to keep this answer. */
  ttlSec?: number;
  /** Only accept a cached answer at most this many seconds old. */
  maxAgeSec?: number;
  namespace?: string;
  /** true: opt in (default_off mode); false: opt out. */
  useCache?: boolean;
  /** The client's own key (cf-aig-cache-key), hashed in place of the request. */
  customKey?: string;
}

/** The fields of the body's `cache` object (what a key's allowed_cache_controls lists). */
export const CACHE_CONTROL_NAMES = ["no-cache", "no-store", "ttl", "s-maxage", "namespace", "use-cache"] as const;

/** What a virtual key says about caching: the controls it may send, and its defaults (`metadata.cache`). */
interface KeyCachePolicy {
  allowed?: readonly string[] | null;
  defaults?: unknown;
}

const seconds = z.number().check(z.int("must be a whole number of seconds"), z.gte(0, "must be >= 0"));
const bodyCache = z.strictObject({
  "no-cache": z.optional(z.boolean()),
  "no-store": z.optional(z.boolean()),
  ttl: z.optional(seconds),
  "s-maxage": z.optional(seconds),
  namespace: z.optional(z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[A-Za-z0-9._-]+$/, "use letters, digits, '.', '_' or '-'"))),
  "use-cache": z.optional(z.boolean()),
});

const MAX_TTL_SEC = 30 * 24 * 3600;

function headerFlag(headers: Headers, name: string): boolean {
  const v = headers.get(name);
  if (v === null) return false;
  const s = v.trim().toLowerCase();
  if (s === "true" || s === "1") return true;
  if (s === "false" || s === "0") return false;
  throw invalidRequest(`Invalid value for header '${name}': use true or false.`, name);
}

function parseCache(raw: unknown, where: string): z.infer<typeof bodyCache> {
  const parsed = bodyCache.safeParse(raw);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const param = issue.path.length ? `${where}.${formatPath(issue.path)}` : where;
  throw invalidRequest(`Invalid value for '${param}': ${issue.message}`, param);
}

/** A key's `metadata.cache` defaults, checked when the key is written (400 naming the field). */
export function checkCacheDefaults(value: unknown): void {
  if (value != null) parseCache(value, "metadata.cache");
}

/** LiteLLM's check: a key with allowed_cache_controls sends only those (403 naming the first other). */
function checkAllowed(allowed: readonly string[] | null | undefined, used: string[]): void {
  if (!allowed?.length) return;
  const denied = used.find((k) => !allowed.includes(k));
  if (denied) throw forbidden(`Not allowed to set ${denied} as a cache control. Contact admin to change permissions.`, "cache_control_not_allowed");
}

/**
 * Reads the request's cache controls over the key's defaults (`metadata.cache`, same fields); a
 * bad value is a 400 naming the field or header, a control the key may not send a 403.
 */
export function cacheControls(body: unknown, headers: Headers, policy?: KeyCachePolicy): CacheControls {
  const out: CacheControls = { noCache: false, noStore: false };
  const fromKey = policy?.defaults != null ? parseCache(policy.defaults, "metadata.cache") : {};
  const raw = body && typeof body === "object" ? (body as Record<string, unknown>).cache : undefined;
  const fromRequest = raw !== undefined && raw !== null ? parseCache(raw, "cache") : {};
  const used = Object.keys(fromRequest);
  if (headers.has("cf-aig-skip-cache")) used.push("no-cache", "no-store");
  if (headers.has("cf-aig-cache-ttl")) used.push("ttl");
  checkAllowed(policy?.allowed, used);
  {
    const c = { ...fromKey, ...fromRequest };
    out.noCache = c["no-cache"] === true;
    out.noStore = c["no-store"] === true;
    if (c.ttl !== undefined) out.ttlSec = Math.min(c.ttl, MAX_TTL_SEC);
    out.maxAgeSec = c["s-maxage"];
    out.namespace = c.namespace;
    out.useCache = c["use-cache"];
  }
  if (headerFlag(headers, "cf-aig-skip-cache")) {
    out.noCache = true;
    out.noStore = true;
  }
  const ttl = headers.get("cf-aig-cache-ttl");
  if (ttl !== null) {
    const n = Number(ttl.trim());
    if (!ttl.trim() || !Number.isInteger(n) || n < 0 || n > MAX_TTL_SEC) {
      throw invalidRequest(`Invalid value for header 'cf-aig-cache-ttl': a whole number of seconds from 0 to ${MAX_TTL_SEC}.`, "cf-aig-cache-ttl");
    }
    out.ttlSec = n;
  }
  const key = headers.get("cf-aig-cache-key");
  if (key !== null) {
    if (!key.trim() || key.length > 256) throw invalidRequest("Invalid value for header 'cf-aig-cache-key': 1 to 256 characters.", "cf-aig-cache-key");
    out.customKey = key;
  }
  return out;
}
