import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { modelAllowed } from "../limits/guard-state";

/** GET /v1/models: the configured model groups the caller may use, in OpenAI's list shape. */
export function listModels(c: Context<AppEnv>): Response {
  const config = c.get("config");
  const principal = c.get("principal");
  const created = 1_700_000_000;
  const data = [];
  for (const [name, deps] of config.groups) {
    if (principal.kind === "key" && !modelAllowed(principal.key.models, name)) continue;
    data.push({ id: name, object: "model", created, owned_by: deps[0]?.provider ?? "switchyard" });
  }
  return c.json({ object: "list", data });
}
