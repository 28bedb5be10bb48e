import { createLocalJWKSet, type JSONWebKeySet } from "jose";
import { GatewayError } from "../../http/errors";

/**
 * The identity provider's public keys (JWKS), fetched once per isolate and reused for
 * `public_key_ttl`. Only resolved data is kept, never a promise (workerd cancels the
 * continuations of a promise awaited by another request than the one that made it).
 * A token whose `kid` is not in the set may be signed with a rotated-in key: the set is fetched
 * again, at most once per REFETCH_COOLDOWN_MS, so a flood of made-up kids costs one fetch.
 */
export const REFETCH_COOLDOWN_MS = 10_000;
const FETCH_TIMEOUT_MS = 5_000;
const MAX_JWKS_BYTES = 256 * 1024;

export type KeySet = ReturnType<typeof createLocalJWKSet>;

interface Cached {
  url: string;
  keys: KeySet;
  kids: ReadonlySet<string>;
  fetchedAt: number;
}

/** Per JWKS URL (the identity provider's, Cloudflare Access's certs). */
const cache = new Map<string, Cached>();
/** When a fetch for a URL last started (successful or not): the refetch rate limit. */
const lastFetch = new Map<string, number>();

/** Forgets the cached keys (tests). */
export function resetJwksCache(): void {
  cache.clear();
  lastFetch.clear();
}

const unavailable = (why: string) =>
  new GatewayError(503, `The identity provider's public keys could not be read: ${why}. The token was not accepted.`, "service_unavailable", "jwks_unavailable", null, {
    "retry-after": "5",
  });

async function fetchJwks(url: string, now: number): Promise<Cached> {
  lastFetch.set(url, now);
  let res: Response;
  try {
    res = await fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  } catch (e) {
    throw unavailable(e instanceof Error && e.name === "TimeoutError" ? "timed out" : "the request failed");
  }
  if (!res.ok) throw unavailable(`HTTP ${res.status}`);
  const text = await res.text();
  if (text.length > MAX_JWKS_BYTES) throw unavailable("the answer is too large");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw unavailable("the answer is not JSON");
  }
  const keys = (body as { keys?: unknown })?.keys;
  if (!Array.isArray(keys)) throw unavailable("the answer has no `keys` list");
  let keySet: KeySet;
  try {
    keySet = createLocalJWKSet(body as JSONWebKeySet);
  } catch {
    throw unavailable("the key set is malformed");
  }
  const kids = new Set(keys.map((k) => (k as { kid?: unknown })?.kid).filter((k): k is string => typeof k === "string"));
  const entry = { url, keys: keySet, kids, fetchedAt: now };
  cache.set(url, entry);
  return entry;
}

/** The key set for `url`, fetched when there is none or it is older than `ttlMs`. */
export async function keySet(url: string, ttlMs: number, now = Date.now()): Promise<Cached> {
  const cached = cache.get(url);
  if (cached && now - cached.fetchedAt < ttlMs) return cached;
  return fetchJwks(url, now);
}

/**
 * The key set again, when a token names a `kid` the cached set lacks and no fetch ran within
 * the cooldown; undefined when the cooldown holds (the token is then refused).
 */
export async function refetchForKid(url: string, kid: string | undefined, now = Date.now()): Promise<Cached | undefined> {
  if (kid !== undefined && cache.get(url)?.kids.has(kid)) return undefined;
  const last = lastFetch.get(url);
  if (last !== undefined && now - last < REFETCH_COOLDOWN_MS) return undefined;
  return fetchJwks(url, now);
}
