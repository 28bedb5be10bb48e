import type { CacheEntry, CacheStore } from "./entry";

/** Workers KV keeps a key for at least 60 seconds; shorter ttls are enforced on read. */
const KV_MIN_TTL_SEC = 60;

/**
 * `type: cloudflare-kv`: Workers KV, global and eventually consistent (a write may take up to a
 * minute to be seen in other locations). The entry's own `expiresAt` is checked on read.
 */
export class KvStore implements CacheStore {
  constructor(private readonly kv: KVNamespace) {}

  async get(key: string): Promise<CacheEntry | null> {
    const e = await this.kv.get<CacheEntry>(key, "json");
    if (!e || typeof e.json !== "string" || !(e.expiresAt > Date.now())) return null;
    return e;
  }

  async put(key: string, entry: CacheEntry): Promise<void> {
    const ttl = Math.max(KV_MIN_TTL_SEC, Math.ceil((entry.expiresAt - Date.now()) / 1000));
    await this.kv.put(key, JSON.stringify(entry), { expirationTtl: ttl });
  }

  async delete(key: string): Promise<void> {
    await this.kv.delete(key);
  }
}
