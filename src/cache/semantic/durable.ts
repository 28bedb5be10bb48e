import { DurableObject } from "cloudflare:workers";
import type { Env } from "../../env";
import type { CacheEntry } from "../entry";
import { namespaceOf, type Near, type SemanticHit, type SemanticStore } from "./store";
import { similarity } from "./vector";

interface Row {
  vec: Float32Array;
  expiresAt: number;
}

/**
 * The semantic cache's index of one namespace (`type: semantic` without vector_index): every
 * entry in SQLite (the answer, its prompt's unit vector as a Float32 BLOB, its partition), the
 * vectors mirrored in memory by partition for the search. At most `maxEntries` rows: a write
 * beyond it evicts the expired rows, then the oldest.
 */
export class SemanticCacheIndex extends DurableObject<Env> {
  private mirror: Map<string, Map<string, Row>> | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, part TEXT NOT NULL, vec BLOB, entry TEXT NOT NULL, stored_at INTEGER NOT NULL, expires_at INTEGER NOT NULL)");
    ctx.storage.sql.exec("CREATE INDEX IF NOT EXISTS entries_stored_at ON entries (stored_at)");
  }

  private vectors(): Map<string, Map<string, Row>> {
    if (this.mirror) return this.mirror;
    const mirror = new Map<string, Map<string, Row>>();
    for (const r of this.ctx.storage.sql.exec<{ key: string; part: string; vec: ArrayBuffer; expires_at: number }>("SELECT key, part, vec, expires_at FROM entries WHERE vec IS NOT NULL")) {
      let part = mirror.get(r.part);
      if (!part) mirror.set(r.part, (part = new Map()));
      part.set(r.key, { vec: new Float32Array(r.vec), expiresAt: r.expires_at });
    }
    this.mirror = mirror;
    return mirror;
  }

  private entry(key: string, now: number): string | null {
    const row = this.ctx.storage.sql.exec<{ entry: string }>("SELECT entry FROM entries WHERE key = ? AND expires_at > ?", key, now).toArray()[0];
    return row?.entry ?? null;
  }

  /** The entry under `key`; else the nearest live one of `part` whose similarity is at least `threshold`. */
  find(key: string, part: string | null, vec: Float32Array | null, threshold: number, now = Date.now()): { key: string; entry: string; similarity: number } | null {
    const exact = this.entry(key, now);
    if (exact !== null) return { key, entry: exact, similarity: 1 };
    if (part === null || !vec) return null;
    let best: { key: string; score: number } | null = null;
    for (const [k, row] of this.vectors().get(part) ?? []) {
      if (row.expiresAt <= now) continue;
      const score = similarity(vec, row.vec);
      if (score >= threshold && (!best || score > best.score)) best = { key: k, score };
    }
    if (!best) return null;
    const entry = this.entry(best.key, now);
    return entry === null ? null : { key: best.key, entry, similarity: best.score };
  }

  /** Stores an entry (replacing one under the same key), then evicts down to `maxEntries`. */
  put(key: string, part: string, vec: Float32Array | null, entry: string, storedAt: number, expiresAt: number, maxEntries: number): void {
    const sql = this.ctx.storage.sql;
    const blob = vec ? vec.buffer.slice(vec.byteOffset, vec.byteOffset + vec.byteLength) : null;
    sql.exec(
      "INSERT INTO entries (key, part, vec, entry, stored_at, expires_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET part = excluded.part, vec = excluded.vec, entry = excluded.entry, stored_at = excluded.stored_at, expires_at = excluded.expires_at",
      key,
      part,
      blob,
      entry,
      storedAt,
      expiresAt,
    );
    this.forget(key);
    if (vec && this.mirror) {
      let rows = this.mirror.get(part);
      if (!rows) this.mirror.set(part, (rows = new Map()));
      rows.set(key, { vec: new Float32Array(vec), expiresAt });
    }
    const count = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM entries").one().n;
    if (count <= maxEntries) return;
    const evicted = sql
      .exec<{ key: string }>("SELECT key FROM entries ORDER BY (expires_at <= ?) DESC, stored_at ASC LIMIT ?", Date.now(), count - maxEntries)
      .toArray()
      .map((r) => r.key);
    for (const k of evicted) {
      sql.exec("DELETE FROM entries WHERE key = ?", k);
      this.forget(k);
    }
  }

  remove(key: string): void {
    this.ctx.storage.sql.exec("DELETE FROM entries WHERE key = ?", key);
    this.forget(key);
  }

  /** How many entries the index holds (for tests and /cache/ping). */
  size(): number {
    return this.ctx.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM entries").one().n;
  }

  private forget(key: string): void {
    if (!this.mirror) return;
    for (const rows of this.mirror.values()) rows.delete(key);
  }
}

const parseEntry = (text: string): CacheEntry | null => {
  try {
    const e = JSON.parse(text) as CacheEntry;
    return typeof e.json === "string" ? e : null;
  } catch {
    return null;
  }
};

/** `type: semantic`'s default backend: one SemanticCacheIndex per namespace. */
export class DurableSemanticStore implements SemanticStore {
  constructor(
    private readonly ns: DurableObjectNamespace<SemanticCacheIndex>,
    private readonly maxEntries: number,
  ) {}

  private index(key: string) {
    return this.ns.get(this.ns.idFromName(namespaceOf(key)));
  }

  async find(key: string, near: Near, threshold: number): Promise<SemanticHit | null> {
    const found = await this.index(key).find(key, near.partition, near.vector, threshold);
    const entry = found ? parseEntry(found.entry) : null;
    return found && entry ? { key: found.key, entry, similarity: found.similarity } : null;
  }

  async putNear(key: string, entry: CacheEntry, near: Near): Promise<void> {
    await this.index(key).put(key, near.partition, near.vector, JSON.stringify(entry), entry.storedAt, entry.expiresAt, this.maxEntries);
  }

  async get(key: string): Promise<CacheEntry | null> {
    const found = await this.index(key).find(key, null, null, 1);
    return found ? parseEntry(found.entry) : null;
  }

  put(key: string, entry: CacheEntry): Promise<void> {
    return this.putNear(key, entry, { partition: "", vector: null });
  }

  async delete(key: string): Promise<void> {
    await this.index(key).remove(key);
  }
}
