import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { db } from "../db/client";
import { findTeam } from "../db/teams";
import { findUser } from "../db/users";
import { modelAllowed } from "../limits/guard-state";
import { modelsOf } from "../limits/subjects";
import { accessGroupsOf } from "../router/groups";

/** The model lists that bind the caller: its key's, its team's and its user's (`["*"]` = every model). */
export async function callerModelLists(c: Context<AppEnv>): Promise<string[][]> {
  const principal = c.get("principal");
  if (principal.kind !== "key") return [];
  const d = db(c.env.DB);
  const [team, user] = await Promise.all([principal.key.teamId ? findTeam(d, principal.key.teamId) : undefined, principal.key.userId ? findUser(d, principal.key.userId) : undefined]);
  return [principal.key.models, team?.models, user?.models].filter((m): m is string[] => !!m).map(modelsOf);
}

/**
 * GET /v1/models: the configured model groups the caller may use (its key's, team's and user's
 * lists, access groups included), in OpenAI's list shape. `only_model_access_groups=true` lists
 * the access groups (model_info.access_groups) the caller may use instead, as LiteLLM does.
 */
export async function listModels(c: Context<AppEnv>): Promise<Response> {
  const config = c.get("config");
  const allowed = await callerModelLists(c);
  const created = 1_700_000_000;
  const data = [];
  if (c.req.query("only_model_access_groups") === "true") {
    for (const g of accessGroupsOf(config.deployments)) {
      if (allowed.every((list) => modelAllowed(list, g))) data.push({ id: g, object: "model", created, owned_by: "switchyard" });
    }
    return c.json({ object: "list", data });
  }
  for (const [name, deps] of config.groups) {
    if (!allowed.every((list) => modelAllowed(list, name, accessGroupsOf(deps)))) continue;
    data.push({ id: name, object: "model", created, owned_by: deps[0]?.provider ?? "switchyard" });
  }
  for (const [alias, target] of config.router.aliases) {
    const groups = accessGroupsOf(config.groups.get(target) ?? []);
    if (!allowed.every((list) => modelAllowed(list, alias, groups))) continue;
    data.push({ id: alias, object: "model", created, owned_by: "switchyard" });
  }
  return c.json({ object: "list", data });
}
