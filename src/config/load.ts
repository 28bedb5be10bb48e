import bundledConfig from "../../config.yaml";
import type { Env } from "../env";
import { dbModels } from "./db-models";
import { resolveConfig, type ResolvedConfig } from "./resolve";

let cached: { source: unknown; env: Env; version: string; config: ResolvedConfig } | undefined;

/**
 * The gateway's config: the GATEWAY_CONFIG binding when set, else the config.yaml bundled at build
 * time, plus the models added through the admin API. Resolved once per isolate, and again only
 * when the source, the bindings or the stored models change.
 */
export async function loadConfig(env: Env, waitUntil: (p: Promise<unknown>) => void): Promise<ResolvedConfig> {
  const source = env.GATEWAY_CONFIG ?? bundledConfig;
  const stored = await dbModels(env, waitUntil);
  if (cached && cached.source === source && cached.env === env && cached.version === stored.version) return cached.config;
  const config = resolveConfig(source, env as unknown as Record<string, unknown>, stored.entries);
  if (stored.error) config.modelErrors.push(stored.error);
  cached = { source, env, version: stored.version, config };
  return config;
}
