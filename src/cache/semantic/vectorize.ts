import { sha256Hex } from "../../config/hash";
import type { CacheEntry, CacheStore } from "../entry";
import type { Near, SemanticHit, SemanticStore } from "./store";

/**
 * The part of a Vectorize binding this backend uses (Cloudflare's `Vectorize`; the index made with
 * `metric: cosine`). Vectorize is not emulated locally: tests pass an in-memory stand-in.
 */
export interface VectorIndexBinding {
  query(vector: number[], options: { topK: number; namespace: string; returnMetadata: "all" }): Promise<{ matches: Array<{ id: string; score: number; metadata?: Record<string, unknown> }> }>;
  upsert(vectors: Array<{ id: string; values: number[]; namespace: string; metadata: Record<string, string | number> }>): Promise<unknown>;
  deleteByIds(ids: string[]): Promise<unknown>;
}

/** How many neighbours are read, so that expired or deleted answers do not hide a live one. */
const TOP_K = 5;

/**
 * `type: semantic` with `vector_index`: the prompts' vectors in a Vectorize index (one Vectorize
 * namespace per partition, the vector's id a hash of the cache key, the key in its metadata), the
 * answers in the exact store (KV) under their cache keys. Vectorize bounds its own size; entries
 * expire with their KV answers.
 */
export class VectorizeSemanticStore implements SemanticStore {
  constructor(
    private readonly index: VectorIndexBinding,
    private readonly answers: CacheStore,
  ) {}

  async find(key: string, near: Near, threshold: number): Promise<SemanticHit | null> {
    const exact = await this.answers.get(key);
    if (exact) return { key, entry: exact, similarity: 1 };
    if (!near.vector || !near.partition) return null;
    const { matches } = await this.index.query(Array.from(near.vector), { topK: TOP_K, namespace: near.partition, returnMetadata: "all" });
    const now = Date.now();
    for (const m of [...matches].sort((a, b) => b.score - a.score)) {
      if (m.score < threshold) break;
      const k = m.metadata?.key;
      const expires = m.metadata?.expires_at;
      if (typeof k !== "string" || (typeof expires === "number" && expires <= now)) continue;
      const entry = await this.answers.get(k);
      if (entry) return { key: k, entry, similarity: m.score };
    }
    return null;
  }

  async putNear(key: string, entry: CacheEntry, near: Near): Promise<void> {
    await this.answers.put(key, entry);
    if (!near.vector || !near.partition) return;
    await this.index.upsert([{ id: await sha256Hex(key), values: Array.from(near.vector), namespace: near.partition, metadata: { key, expires_at: entry.expiresAt } }]);
  }

  get(key: string): Promise<CacheEntry | null> {
    return this.answers.get(key);
  }

  put(key: string, entry: CacheEntry): Promise<void> {
    return this.answers.put(key, entry);
  }

  async delete(key: string): Promise<void> {
    await Promise.all([this.answers.delete(key), this.index.deleteByIds([await sha256Hex(key)])]);
  }
}
