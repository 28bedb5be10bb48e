import bundledConfig from "../../config.yaml";
import type { Env } from "../env";
import { resolveConfig, type ResolvedConfig } from "./resolve";

let cached: { source: unknown; env: Env; config: ResolvedConfig } | undefined;

/**
 * The gateway's config: the GATEWAY_CONFIG binding when set, else the config.yaml bundled at build
 * time. Parsed and resolved once per isolate (again only if the source or the bindings change).
 */
export function loadConfig(env: Env): ResolvedConfig {
  const source = env.GATEWAY_CONFIG ?? bundledConfig;
  if (cached && cached.source === source && cached.env === env) return cached.config;
  const config = resolveConfig(source, env as unknown as Record<string, unknown>);
  cached = { source, env, config };
  return config;
}
