import * as z from "zod/mini";
import { formatPath } from "../api/parse";
import { invalidRequest } from "../http/errors";

/** What one request asks of the cache: LiteLLM's body `cache` object and Cloudflare AI Gateway's headers. */
export interface CacheControls {
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

/** Reads the request's cache controls; a bad value is a 400 naming the field or header. */
export function cacheControls(body: unknown, headers: Headers): CacheControls {
  const out: CacheControls = { noCache: false, noStore: false };
  const raw = body && typeof body === "object" ? (body as Record<string, unknown>).cache : undefined;
  if (raw !== undefined && raw !== null) {
    const parsed = bodyCache.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      const param = issue.path.length ? `cache.${formatPath(issue.path)}` : "cache";
      throw invalidRequest(`Invalid value for '${param}': ${issue.message}`, param);
    }
    const c = parsed.data;
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
