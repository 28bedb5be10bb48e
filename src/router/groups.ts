import type { Deployment } from "../config/deployment";
import type { ResolvedConfig } from "../config/resolve";
import { inferProvider, providerFor } from "../providers/registry";

export interface ModelGroup {
  /** The group's own name (the alias target, or the wildcard pattern). */
  name: string;
  deployments: Deployment[];
}

/**
 * What a client may ask a wildcard group for: `/`-separated segments of letters, digits and
 * `. _ : @ + -`, none empty or starting with a dot (so never `.` or `..`), at most 256 characters.
 * It covers every provider's model ids (`@cf/meta/...`, `us.anthropic...-v1:0`, ARNs, `org/model`)
 * and keeps a name from steering the upstream URL (`gemini/../../v1beta/cachedContents/x`).
 */
const SANE_SEGMENT = /^[A-Za-z0-9@][A-Za-z0-9._:@+-]*$/;
const saneModelName = (name: string): boolean => name.length <= 256 && name.split("/").every((s) => SANE_SEGMENT.test(s));

/** litellm_params that carry a credential: a catch-all deployment never sends them to a provider the client picked. */
const CREDENTIAL = /key|token|secret|credential|password/i;

/** `openai/*` matches `openai/gpt-4.1`; `*` matches anything. */
const matches = (pattern: string, name: string) => pattern.endsWith("*") && name.startsWith(pattern.slice(0, -1));

/** The access groups (model_info.access_groups) of a model group's deployments, each once. */
export function accessGroupsOf(deployments: readonly Deployment[]): string[] {
  const out: string[] = [];
  for (const d of deployments) for (const g of d.accessGroups ?? []) if (!out.includes(g)) out.push(g);
  return out;
}

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
  const deployments = config.groups.get(best)!;
  if (!saneModelName(requested)) {
    const error = `The model name '${requested.slice(0, 300)}' is not one a wildcard group serves: use letters, digits and . _ : @ + - in /-separated segments (no empty, '.' or '..' segments), at most 256 characters.`;
    return { name: best, deployments: deployments.map((d) => ({ ...d, error, errorStatus: 400 as const })) };
  }
  return { name: best, deployments: deployments.map((d) => forRequest(d, best!, requested)) };
}

/**
 * The name a call to `requested` is admitted and limited as: its group's own name when it names
 * a group or a model_group_alias, else the requested name itself (a wildcard group's model).
 */
export function canonicalModel(config: ResolvedConfig, requested: string): string {
  if (config.groups.has(requested)) return requested;
  const alias = config.router.aliases.get(requested);
  return alias && config.groups.has(alias) ? alias : requested;
}

/** A wildcard deployment made concrete for the requested model name. */
function forRequest(dep: Deployment, pattern: string, requested: string): Deployment {
  if (!dep.model.includes("*") && dep.provider !== "*") return dep;
  const suffix = requested.slice(pattern.length - 1);
  if (dep.provider !== "*") return { ...dep, model: dep.model.replace("*", suffix) };
  const slash = requested.indexOf("/");
  const prefix = slash > 0 ? requested.slice(0, slash) : "";
  if (prefix && providerFor(prefix)) return withoutCredentials({ ...dep, provider: prefix, model: requested.slice(slash + 1) });
  const inferred = inferProvider(requested);
  if (!inferred) {
    return { ...dep, error: `Cannot tell the provider of '${requested}'; ask for it as <provider>/<model>.`, errorStatus: 400 };
  }
  return withoutCredentials({ ...dep, provider: inferred, model: requested });
}

/**
 * A catch-all (`model: "*"`) deployment made concrete for a provider the client named: its
 * credentials stay behind, since nothing says which provider they were meant for (name it with
 * `custom_llm_provider`, or give the provider its own `<provider>/*` deployment). A provider that
 * needs a key then answers 503 config_error saying so, before anything is sent.
 */
function withoutCredentials(dep: Deployment): Deployment {
  const params = Object.fromEntries(Object.entries(dep.params).filter(([k]) => !CREDENTIAL.test(k)));
  const out: Deployment = { ...dep, apiKey: undefined, params };
  if (dep.apiKey !== undefined && providerFor(dep.provider)?.requiresApiKey) {
    out.error = `Deployment '${dep.id}' (model: "*") does not send its api_key to '${dep.provider}', a provider the request picked: set custom_llm_provider on it to say which provider the key belongs to, or add a '${dep.provider}/*' deployment with its own key.`;
  }
  return out;
}

/** Every model name a group list, alias or fallback may refer to exists. */
export function groupExists(config: ResolvedConfig, name: string): boolean {
  return resolveGroup(config, name) !== undefined;
}
