import type { Deployment } from "../config/deployment";
import type { ResolvedConfig } from "../config/resolve";
import { inferProvider, providerFor } from "../providers/registry";

export interface ModelGroup {
  /** The group's own name (the alias target, or the wildcard pattern). */
  name: string;
  deployments: Deployment[];
}

/** `openai/*` matches `openai/gpt-4.1`; `*` matches anything. */
const matches = (pattern: string, name: string) => pattern.endsWith("*") && name.startsWith(pattern.slice(0, -1));

/**
 * The deployments that serve a requested model: its group, else the group an alias names, else
 * the most specific wildcard group (its deployments take the requested model's name).
 */
export function resolveGroup(config: ResolvedConfig, requested: string): ModelGroup | undefined {
  const exact = config.groups.get(requested);
  if (exact) return { name: requested, deployments: exact };
  const alias = config.router.aliases.get(requested);
  if (alias && config.groups.has(alias)) return { name: alias, deployments: config.groups.get(alias)! };
  let best: string | undefined;
  for (const pattern of config.groups.keys()) {
    if (matches(pattern, requested) && (!best || pattern.length > best.length)) best = pattern;
  }
  if (!best) return undefined;
  return { name: best, deployments: config.groups.get(best)!.map((d) => forRequest(d, best!, requested)) };
}

/** A wildcard deployment made concrete for the requested model name. */
function forRequest(dep: Deployment, pattern: string, requested: string): Deployment {
  if (!dep.model.includes("*") && dep.provider !== "*") return dep;
  const suffix = requested.slice(pattern.length - 1);
  if (dep.provider !== "*") return { ...dep, model: dep.model.replace("*", suffix) };
  const slash = requested.indexOf("/");
  const prefix = slash > 0 ? requested.slice(0, slash) : "";
  if (prefix && providerFor(prefix)) return { ...dep, provider: prefix, model: requested.slice(slash + 1) };
  const inferred = inferProvider(requested);
  if (!inferred) {
    return { ...dep, error: `Cannot tell the provider of '${requested}'; ask for it as <provider>/<model>.`, errorStatus: 400 };
  }
  return { ...dep, provider: inferred, model: requested };
}

/** Every model name a group list, alias or fallback may refer to exists. */
export function groupExists(config: ResolvedConfig, name: string): boolean {
  return resolveGroup(config, name) !== undefined;
}

