import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { db } from "../db/client";
import { findTeam } from "../db/teams";
import { modelAllowed } from "../limits/guard-state";

/** GET /v1/models: the configured model groups the caller may use (its key's and its team's lists), in OpenAI's list shape. */
export async function listModels(c: Context<AppEnv>): Promise<Response> {
  const config = c.get("config");
  const principal = c.get("principal");
  const team = principal.kind === "key" && principal.key.teamId ? await findTeam(db(c.env.DB), principal.key.teamId) : undefined;
  const created = 1_700_000_000;
  const data = [];
  for (const [name, deps] of config.groups) {
    if (principal.kind === "key" && !modelAllowed(principal.key.models, name)) continue;
    if (team && !modelAllowed(team.models, name)) continue;
    data.push({ id: name, object: "model", created, owned_by: deps[0]?.provider ?? "switchyard" });
  }
  for (const alias of config.router.aliases.keys()) {
    if (principal.kind === "key" && !modelAllowed(principal.key.models, alias)) continue;
    if (team && !modelAllowed(team.models, alias)) continue;
    data.push({ id: alias, object: "model", created, owned_by: "switchyard" });
  }
  return c.json({ object: "list", data });
}
