import { db } from "../db/client";
import { models, type ModelRow } from "../db/schema";
import type { Env } from "../env";
import { openParams } from "./secrets";
import type { ModelEntry } from "./schema";

const REFRESH_MS = 5_000;

export interface DbModels {
  entries: ModelEntry[];
  /** Changes whenever the stored models do (cache key for the resolved config). */
  version: string;
  at: number;
  error?: string;
}

let current: DbModels | undefined;
let refreshing: Promise<void> | undefined;

async function fetchModels(env: Env): Promise<DbModels> {
  let rows: ModelRow[];
  try {
    rows = await db(env.DB).select().from(models).orderBy(models.createdAt, models.id).all();
  } catch (e) {
    return { entries: [], version: "error", at: Date.now(), error: `models added at run time could not be read: ${e instanceof Error ? e.message : String(e)}` };
  }
  const entries: ModelEntry[] = [];
  for (const r of rows) {
    const params = await openParams(r.litellmParams, env as unknown as Record<string, unknown>);
    entries.push({ model_name: r.modelName, litellm_params: params as ModelEntry["litellm_params"], model_info: { ...r.modelInfo, id: r.id, db_model: true } });
  }
  return { entries, version: rows.map((r) => `${r.id}@${r.updatedAt}`).join(",") || "none", at: Date.now() };
}

/**
 * The models added through the admin API. Read from D1 once per isolate, then refreshed in the
 * background every few seconds (never on the response path), so every isolate sees a change
 * within seconds; the isolate that made the change sees it at once.
 */
export async function dbModels(env: Env, waitUntil: (p: Promise<unknown>) => void): Promise<DbModels> {
  if (!current) {
    current = await fetchModels(env);
    return current;
  }
  if (Date.now() - current.at > REFRESH_MS && !refreshing) {
    refreshing = fetchModels(env).then((m) => {
      current = m;
      refreshing = undefined;
    });
    waitUntil(refreshing);
  }
  return current;
}

/** After an admin change in this isolate: the next request reads the models again. */
export function forgetDbModels(): void {
  current = undefined;
}
