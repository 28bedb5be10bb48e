/** How the router picks, retries, cools and falls back: router_settings (and litellm_settings) resolved. */
export interface RouterSettings {
  strategy: RoutingStrategy;
  /** Retries after the first attempt, per model group. */
  numRetries: number;
  /** Failures within a minute before a deployment cools down. */
  /** router_settings.allowed_fails: failures a deployment may have in a minute; unset, LiteLLM's failure-rate rule applies. */
  allowedFails?: number;
  cooldownMs: number;
  /** The longest backoff the router waits before retrying the same deployment. */
  maxBackoffMs: number;
  fallbacks: Map<string, string[]>;
  contextWindowFallbacks: Map<string, string[]>;
  contentPolicyFallbacks: Map<string, string[]>;
  defaultFallbacks: string[];
  maxFallbacks: number;
  /** model_group_alias: a name clients use -> the model group that serves it. */
  aliases: Map<string, string>;
}

const ROUTING_STRATEGIES = ["simple-shuffle", "least-busy", "latency-based-routing", "usage-based-routing"] as const;
export type RoutingStrategy = (typeof ROUTING_STRATEGIES)[number];

export function defaultRouterSettings(): RouterSettings {
  return {
    strategy: "simple-shuffle",
    numRetries: 2,
    cooldownMs: 5_000,
    maxBackoffMs: 10_000,
    fallbacks: new Map(),
    contextWindowFallbacks: new Map(),
    contentPolicyFallbacks: new Map(),
    defaultFallbacks: [],
    maxFallbacks: 5,
    aliases: new Map(),
  };
}

type Section = Record<string, unknown>;

function wholeNumber(v: unknown, path: string): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) throw `${path}: must be a whole number >= 0`;
  return v;
}

function seconds(v: unknown, path: string): number {
  if (typeof v !== "number" || !(v >= 0)) throw `${path}: must be a number of seconds >= 0`;
  return v * 1000;
}

/** LiteLLM's fallback lists: `[{"gpt-4o": ["gpt-4o-mini", "claude"]}, ...]`. */
function fallbackMap(v: unknown, path: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!Array.isArray(v)) throw `${path}: must be a list of {model_group: [fallback groups]}`;
  v.forEach((entry, i) => {
    if (!entry || typeof entry !== "object" || Array.isArray(entry)) throw `${path}[${i}]: must be {model_group: [fallback groups]}`;
    for (const [group, list] of Object.entries(entry)) {
      const targets = typeof list === "string" ? [list] : list;
      if (!Array.isArray(targets) || !targets.every((t) => typeof t === "string")) throw `${path}[${i}].${group}: must be a list of model groups`;
      out.set(group, [...(out.get(group) ?? []), ...targets]);
    }
  });
  return out;
}

/** Reads the routing settings; throws a `path: problem` string on a bad value. */
export function parseRouterSettings(router: Section, litellm: Section, unsupported: string[]): RouterSettings {
  const s = defaultRouterSettings();
  // litellm_settings first, router_settings wins where both set a key.
  const sources: Array<[string, Section]> = [
    ["litellm_settings", litellm],
    ["router_settings", router],
  ];
  for (const [name, sec] of sources) {
    const at = (k: string) => `${name}.${k}`;
    if (sec.num_retries !== undefined) s.numRetries = wholeNumber(sec.num_retries, at("num_retries"));
    if (sec.allowed_fails !== undefined) s.allowedFails = wholeNumber(sec.allowed_fails, at("allowed_fails"));
    if (sec.cooldown_time !== undefined) s.cooldownMs = seconds(sec.cooldown_time, at("cooldown_time"));
    if (sec.fallbacks !== undefined) s.fallbacks = fallbackMap(sec.fallbacks, at("fallbacks"));
    if (sec.context_window_fallbacks !== undefined) s.contextWindowFallbacks = fallbackMap(sec.context_window_fallbacks, at("context_window_fallbacks"));
    if (sec.content_policy_fallbacks !== undefined) s.contentPolicyFallbacks = fallbackMap(sec.content_policy_fallbacks, at("content_policy_fallbacks"));
    if (sec.default_fallbacks !== undefined) {
      const d = sec.default_fallbacks;
      if (!Array.isArray(d) || !d.every((x) => typeof x === "string")) throw `${at("default_fallbacks")}: must be a list of model groups`;
      s.defaultFallbacks = d;
    }
  }
  if (router.max_fallbacks !== undefined) s.maxFallbacks = wholeNumber(router.max_fallbacks, "router_settings.max_fallbacks");
  if (router.retry_after !== undefined) s.maxBackoffMs = Math.max(s.maxBackoffMs, seconds(router.retry_after, "router_settings.retry_after"));
  const strategy = router.routing_strategy;
  if (strategy !== undefined) {
    if (typeof strategy !== "string") throw "router_settings.routing_strategy: must be a string";
    const known = (ROUTING_STRATEGIES as readonly string[]).includes(strategy);
    // LiteLLM's older names for the same strategies.
    const alias: Record<string, RoutingStrategy> = { "usage-based-routing-v2": "usage-based-routing", "latency-based": "latency-based-routing" };
    if (known) s.strategy = strategy as RoutingStrategy;
    else if (alias[strategy]) s.strategy = alias[strategy];
    else unsupported.push(`router_settings.routing_strategy: '${strategy}' is not supported; simple-shuffle is used`);
  }
  const aliases = router.model_group_alias;
  if (aliases !== undefined) {
    if (!aliases || typeof aliases !== "object" || Array.isArray(aliases)) throw "router_settings.model_group_alias: must map alias names to model groups";
    for (const [name, target] of Object.entries(aliases)) {
      const group = typeof target === "string" ? target : (target as { model?: unknown })?.model;
      if (typeof group !== "string") throw `router_settings.model_group_alias.${name}: must name a model group`;
      s.aliases.set(name, group);
    }
  }
  return s;
}
