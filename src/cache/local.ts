import { type CacheEntry, type CacheStore, entryBytes } from "./entry";

/**
 * `type: local`: the isolate's memory, a least-recently-used map bounded by entries and bytes.
 * Each isolate (each Cloudflare location, and more than one per location) has its own.
 */
export class LocalStore implements CacheStore {
  private readonly map = new Map<string, CacheEntry>();
  private bytes = 0;
  /**
   * This store is keyed by the key's text itself (`<prefix><canonical request>`), exact and with no
   * hash to compute per call; the hashed form every other backend uses (x-litellm-cache-key,
   * /cache/delete) is derived once per entry, on its first hit.
   */
  private readonly publicOf = new WeakMap<CacheEntry, string>();
  private readonly byPublic = new Map<string, string>();

  /** The entry's key as clients see it (`derive` hashes the key's text), remembered with the entry. */
  async publicKey(key: string, entry: CacheEntry, derive: () => Promise<string>): Promise<string> {
    let shown = this.publicOf.get(entry);
    if (shown === undefined) {
      shown = await derive();
      this.publicOf.set(entry, shown);
      if (this.map.get(key) === entry) this.byPublic.set(shown, key);
    }
    return shown;
  }

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  async get(key: string): Promise<CacheEntry | null> {
    const e = this.map.get(key);
    if (!e) return null;
    if (e.expiresAt <= Date.now()) {
      this.remove(key, e);
      return null;
    }
    // Most recently used last.
    this.map.delete(key);
    this.map.set(key, e);
    return e;
  }

  async put(key: string, entry: CacheEntry): Promise<void> {
    const size = entryBytes(key, entry);
    if (size > this.maxBytes) return;
    const old = this.map.get(key);
    if (old) this.remove(key, old);
    this.map.set(key, entry);
    this.bytes += size;
    for (const [k, e] of this.map) {
      if (this.map.size <= this.maxEntries && this.bytes <= this.maxBytes) break;
      this.remove(k, e);
    }
  }

  /** Removes an entry by its text key or by its public (hashed) key. */
  async delete(key: string): Promise<void> {
    const own = this.map.has(key) ? key : this.byPublic.get(key);
    const e = own === undefined ? undefined : this.map.get(own);
    if (e) this.remove(own!, e);
  }

  /** Empties this isolate's store (/cache/flushall). */
  clear(): void {
    this.map.clear();
    this.byPublic.clear();
    this.bytes = 0;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.map.size, bytes: this.bytes };
  }

  private remove(key: string, e: CacheEntry): void {
    this.map.delete(key);
    const shown = this.publicOf.get(e);
    if (shown !== undefined) this.byPublic.delete(shown);
    this.bytes -= entryBytes(key, e);
  }
}

const stores = new Map<string, LocalStore>();

/** The isolate's local store for these bounds (shared by every config that asks for the same). */
export function localStore(maxEntries: number, maxBytes: number): LocalStore {
  const id = `${maxEntries}:${maxBytes}`;
  let s = stores.get(id);
  if (!s) stores.set(id, (s = new LocalStore(maxEntries, maxBytes)));
  return s;
}
