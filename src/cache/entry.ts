import type { Usage } from "../providers/types";

/** One cached answer, as every backend stores it. */
export interface CacheEntry {
  /** The answer's body, exactly as the client first received it. */
  json: string;
  usage: Usage | null;
  contentType?: string;
  /** What the answer cost when it was made (a hit's `saved_cost`); null when unpriced. */
  cost?: number | null;
  /** Epoch ms when it was stored (s-maxage) and when it expires (backends may keep it longer). */
  storedAt: number;
  expiresAt: number;
}

/** A cache backend. Both calls may fail (the caller treats that as a miss / a skipped store). */
export interface CacheStore {
  get(key: string): Promise<CacheEntry | null>;
  put(key: string, entry: CacheEntry): Promise<void>;
  /** Removes an entry (`local`: from this isolate; `cloudflare-cache`: from this location). */
  delete(key: string): Promise<void>;
}

/** The answer's stored size, as the local backend counts it. */
export const entryBytes = (key: string, e: CacheEntry) => (key.length + e.json.length) * 2 + 200;
