import type { ResolvedConfig } from "../../config/resolve";
import type { TeamRow } from "../../db/schema";
import type { Principal } from "../../http/auth";
import { forbidden } from "../../http/errors";
import { modelAllowed } from "../../limits/guard-state";
import { modelsOf } from "../../limits/subjects";
import { accessGroupsOf, resolveGroup } from "../../router/groups";

/** Whether the team's model list (its model_aliases and access groups included) lets it call `model`. */
function teamMayCall(team: TeamRow, model: string, config: ResolvedConfig): boolean {
  const target = team.modelAliases?.[model] ?? model;
  const groups = accessGroupsOf(resolveGroup(config, target)?.deployments ?? []);
  return modelAllowed(modelsOf(team.models), target, groups, target === model ? undefined : model);
}

/**
 * LiteLLM's team_ids_jwt_field fallback: of the token's teams (in its order), the first that may
 * call the requested model; without a model (GET /v1/models, admin routes), the first team. A
 * model none of them may call is a 403 naming the teams.
 */
export function chooseTeam(choices: Array<{ team: TeamRow; principal: Principal }>, model: string | undefined, config: ResolvedConfig): Principal {
  if (model === undefined) return choices[0]!.principal;
  const hit = choices.find((c) => teamMayCall(c.team, model, config));
  if (hit) return hit.principal;
  throw forbidden(`No team of this token may call the model '${model}' (checked: ${choices.map((c) => c.team.teamId).join(", ")}).`, "key_model_access_denied");
}
