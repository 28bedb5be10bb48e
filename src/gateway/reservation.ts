import type { ResolvedConfig } from "../config/resolve";
import type { Principal } from "../http/auth";
import { canonicalModel, resolveGroup } from "../router/groups";
import { priceCall } from "../spend/pricing";
import type { ModelCall } from "./types";

/**
 * The most a call can cost, held against budgets until it settles: the priciest deployment of the
 * group, or of a fallback group it may reach, for the estimated prompt and the completion limit.
 * Only computed when a budget can apply (0 otherwise: an unpriced model cannot be budgeted);
 * `reachable` (the fallback groups) is asked only then, so an unbudgeted call never builds it.
 */
export function reservation(
  config: ResolvedConfig,
  principal: Principal,
  model: string,
  call: Pick<ModelCall, "estimate" | "mostCost">,
  endUser: string | undefined,
  reachable: () => string[],
): number {
  const key = principal.kind === "key" ? principal.key : undefined;
  const budgets = config.settings.modelBudgets;
  // A team, a user, an organization or an end user may carry a budget the isolate does not know of.
  const byCaller = !!endUser || (!!key && (key.maxBudget != null || key.modelMaxBudget != null || !!key.teamId || !!key.userId || !!key.teamOrganizationId));
  if (!byCaller && budgets.size === 0) return 0;
  const fallbacks = reachable();
  if (!byCaller && !budgets.has(model) && !fallbacks.some((f) => budgets.has(canonicalModel(config, f)))) return 0;
  const { promptTokens, maxCompletionTokens, choices } = call.estimate();
  const completion = (maxCompletionTokens ?? config.settings.reservedCompletionTokens) * Math.max(1, choices ?? 1);
  let most = 0;
  const usage = { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion };
  for (const name of [model, ...fallbacks]) {
    for (const d of resolveGroup(config, name)?.deployments ?? []) {
      const cost = call.mostCost?.(d) ?? priceCall(d, usage);
      if (cost !== null && cost > most) most = cost;
    }
  }
  return most;
}
