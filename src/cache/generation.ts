import { db } from "../db/client";
import { bumpGeneration, readGeneration } from "../db/cache";
import type { Env } from "../env";

/** How often an isolate reads the generation again (in the background, never on the response path). */
const REFRESH_MS = 5_000;

const known = new Map<string, { generation: number; at: number; refreshing?: Promise<void> }>();

/**
 * The namespace's cache generation, part of every cache key: read from D1 once per isolate, then
 * refreshed in the background every few seconds, so a /cache/flushall reaches every isolate within
 * seconds (the isolate that flushed at once).
 */
export async function cacheGeneration(env: Env, namespace: string, waitUntil: (p: Promise<unknown>) => void): Promise<number> {
  const cur = known.get(namespace);
  if (!cur) {
    const generation = await readGeneration(db(env.DB), namespace);
    known.set(namespace, { generation, at: Date.now() });
    return generation;
  }
  if (Date.now() - cur.at > REFRESH_MS && !cur.refreshing) {
    cur.refreshing = readGeneration(db(env.DB), namespace)
      .then((generation) => {
        known.set(namespace, { generation: Math.max(generation, cur.generation), at: Date.now() });
      })
      .catch(() => {
        cur.refreshing = undefined;
      });
    waitUntil(cur.refreshing);
  }
  return cur.generation;
}

/** /cache/flushall: the next generation, at once in this isolate. */
export async function flushNamespace(env: Env, namespace: string): Promise<number> {
  const generation = await bumpGeneration(db(env.DB), namespace);
  known.set(namespace, { generation, at: Date.now() });
  return generation;
}
