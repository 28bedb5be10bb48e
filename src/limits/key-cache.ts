import type { KeyRow } from "../db/schema";

const TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;

/**
 * Token -> key record, per isolate, for a short time (a miss is remembered too: tokens are hashes
 * of random keys, so a key can never appear after a miss was cached). Not trusted for revocation:
 * the key's KeyGuard has the last word on every call.
 */
const cache = new Map<string, { row: KeyRow | null; at: number }>();

export function cachedKey(token: string, now = Date.now()): KeyRow | null | undefined {
  const hit = cache.get(token);
  if (!hit) return undefined;
  if (now - hit.at > TTL_MS) {
    cache.delete(token);
    return undefined;
  }
  return hit.row;
}

export function cacheKey(token: string, row: KeyRow | null, now = Date.now()): void {
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(token, { row, at: now });
}

export function forgetKey(token: string): void {
  cache.delete(token);
}
