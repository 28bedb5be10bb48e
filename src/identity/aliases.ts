import type { Principal } from "../http/auth";

/**
 * The model a call asks for once the caller's aliases are applied, before routing and admission
 * (so the key's, team's and user's model lists apply to the model actually called): the key's own
 * `aliases` first, then its team's `model_aliases`. One level only: an alias never chains. Pure
 * and cheap (the aliases come with the cached key); the master key has none.
 */
export function applyAliases(principal: Principal, model: string): string {
  if (principal.kind !== "key") return model;
  return lookup(principal.key.aliases, model) ?? lookup(principal.key.teamModelAliases, model) ?? model;
}

/** Own properties only: a model named `__proto__` or `constructor` is not an alias. */
function lookup(map: Record<string, string> | null | undefined, model: string): string | undefined {
  if (!map || !Object.hasOwn(map, model)) return undefined;
  const target = map[model];
  return typeof target === "string" && target ? target : undefined;
}
