import type { CacheEntry, CacheStore } from "../entry";

/** What a semantic lookup or store knows of the prompt besides its exact key. */
export interface Near {
  /**
   * Which entries may answer each other: the scope, route, model group and every answer-changing
   * field other than the prompt itself (hashed), so only the prompt's wording may differ.
   */
  partition: string;
  /** The prompt's embedding, unit length; null: the prompt is matched exactly only (tools, images, a custom key). */
  vector: Float32Array | null;
}

export interface SemanticHit {
  /** The key of the entry that answered (the request's own on an exact match). */
  key: string;
  entry: CacheEntry;
  /** The cosine similarity of the two prompts (1 on an exact match). */
  similarity: number;
}

/** A backend of `type: semantic`: an exact store by key that can also find the nearest prompt. */
export interface SemanticStore extends CacheStore {
  /** The entry under `key`; else, with a vector, the nearest live entry of the partition at or above `threshold`. */
  find(key: string, near: Near, threshold: number): Promise<SemanticHit | null>;
  /** Stores the entry under `key` with the prompt's vector (when it has one). */
  putNear(key: string, entry: CacheEntry, near: Near): Promise<void>;
}

/** The namespace a cache key belongs to (its first segment): one index per namespace. */
export const namespaceOf = (key: string): string => key.slice(0, Math.max(0, key.indexOf(":"))) || key;
