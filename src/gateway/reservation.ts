import type { ResolvedConfig } from "../config/resolve";
import type { Principal } from "../http/auth";
import { resolveGroup } from "../router/groups";
import { priceCall } from "../spend/pricing";
import type { Estimate } from "./types";

/**
 * The most a call can cost, held against budgets until it settles: the priciest deployment of the
 * group for the estimated prompt and the completion limit. Only computed when a budget can apply
 * (0 otherwise: an unpriced model cannot be budgeted).
 */
export function reservation(config: ResolvedConfig, principal: Principal, model: string, estimate: () => Estimate, endUser?: string): number {
  const key = principal.kind === "key" ? principal.key : undefined;
  // A team, a user, an organization or an end user may carry a budget the isolate does not know of.
  const budgeted = config.settings.modelBudgets.has(model) || !!endUser || (!!key && (key.maxBudget != null || key.modelMaxBudget != null || !!key.teamId || !!key.userId || !!key.teamOrganizationId));
  if (!budgeted) return 0;
  const { promptTokens, maxCompletionTokens } = estimate();
  const completion = maxCompletionTokens ?? config.settings.reservedCompletionTokens;
  let most = 0;
  for (const d of resolveGroup(config, model)?.deployments ?? []) {
    const cost = priceCall(d, { prompt_tokens: promptTokens, completion_tokens: completion, total_tokens: promptTokens + completion });
    if (cost !== null && cost > most) most = cost;
  }
  return most;
}
