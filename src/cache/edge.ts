import type { CacheEntry, CacheStore } from "./entry";

/** Cache API keys must be http(s) GET URLs; this host is never fetched. */
const BASE = "https://switchyard-cache.invalid/";

/**
 * `type: cloudflare-cache`: the Cache API (a named cache), per Cloudflare location: an entry is
 * seen only in the location that stored it. Per Cloudflare's docs its writes have no effect on
 * `*.workers.dev` hostnames, in previews and the dashboard editor, and it is unavailable behind
 * Cloudflare Access: only a Worker on a custom domain caches. The entry's own `expiresAt` is
 * checked on read.
 */
export class EdgeCacheStore implements CacheStore {
  private cache: Promise<Cache> | undefined;

  private open(): Promise<Cache> {
    return (this.cache ??= caches.open("switchyard"));
  }

  async get(key: string): Promise<CacheEntry | null> {
    const res = await (await this.open()).match(BASE + encodeURIComponent(key));
    if (!res) return null;
    const e = (await res.json()) as CacheEntry;
    if (!e || typeof e.json !== "string" || !(e.expiresAt > Date.now())) return null;
    return e;
  }

  async put(key: string, entry: CacheEntry): Promise<void> {
    const ttl = Math.max(1, Math.ceil((entry.expiresAt - Date.now()) / 1000));
    const res = new Response(JSON.stringify(entry), { headers: { "content-type": "application/json", "cache-control": `public, max-age=${ttl}` } });
    await (await this.open()).put(BASE + encodeURIComponent(key), res);
  }

  async delete(key: string): Promise<void> {
    await (await this.open()).delete(BASE + encodeURIComponent(key));
  }
}
