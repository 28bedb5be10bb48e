import type { KeyRow } from "../db/schema";

const TTL_MS = 30_000;
const MAX_ENTRIES = 10_000;
/** How long an unknown token is remembered: short, since a miss is cheap to repeat and keys are created at any time. */
export const MISS_TTL_MS = 10_000;
const MAX_MISSES = 10_000;

/**
 * Token -> key record, per isolate, for a short time. Not trusted for revocation: the key's
 * KeyGuard has the last word on every call.
 */
const cache = new Map<string, { row: KeyRow; at: number }>();

/**
 * Tokens D1 does not know, in their own map so that a client spraying random keys can never
 * evict a known key (each evicted known key would cost a D1 lookup on its next call). Bounded:
 * past MAX_MISSES the oldest miss goes, so a repeated random key costs at most one lookup per
 * MISS_TTL_MS while it is among the most recent misses.
 */
const misses = new Map<string, number>();

export function cachedKey(token: string, now = Date.now()): KeyRow | null | undefined {
  const hit = cache.get(token);
  if (hit) {
    if (now - hit.at <= TTL_MS) return hit.row;
    cache.delete(token);
  }
  const missed = misses.get(token);
  if (missed !== undefined) {
    if (now - missed <= MISS_TTL_MS) return null;
    misses.delete(token);
  }
  return undefined;
}

export function cacheKey(token: string, row: KeyRow | null, now = Date.now()): void {
  if (row === null) {
    misses.delete(token);
    if (misses.size >= MAX_MISSES) misses.delete(misses.keys().next().value!);
    misses.set(token, now);
    return;
  }
  misses.delete(token);
  cache.delete(token);
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(token, { row, at: now });
}

export function forgetKey(token: string): void {
  cache.delete(token);
  misses.delete(token);
}
