import type { ResolvedConfig } from "../config/resolve";
import type { Env } from "../env";
import type { Principal } from "../http/auth";
import { recordAlert } from "./alerts";
import { ask, firstRefusal, guardOf, keyGuardSubject, refusalError, teamGuardSubject, type Subject } from "./guard-client";
import { customerGuardSubject, memberGuardSubject, orgGuardSubject, userGuardSubject } from "./guard-client";
import type { Admission, Granted } from "./guard-state";
import { limitHeaders } from "./rate-headers";
import { modelBudgetState, modelSubject } from "./subjects";

export interface Admitted {
  /** x-ratelimit-* headers of the key's own limits (else its team's). */
  headers: Record<string, string>;
  /** Ends the call in every guard that holds something for it (lease, reservation, tokens). */
  settle(cost: number, tokens: number): Promise<void> | undefined;
}

const configured = new WeakMap<ResolvedConfig, Set<string>>();

/** The guards a call must pass: the key's, its team's, and its model group's gateway-wide budget. */
function subjectsFor(env: Env, config: ResolvedConfig, principal: Principal, model: string, user?: string): Subject[] {
  const out: Subject[] = [];
  if (principal.kind === "key") {
    out.push(keyGuardSubject(env, principal.key));
    if (principal.key.teamId) out.push(teamGuardSubject(env, principal.key.teamId));
    // Identity: the key's internal user, and its budget within the key's team.
    if (principal.key.userId) out.push(userGuardSubject(env, principal.key.userId));
    if (principal.key.userId && principal.key.teamId) out.push(memberGuardSubject(env, principal.key.teamId, principal.key.userId));
    if (principal.key.teamOrganizationId) out.push(orgGuardSubject(env, principal.key.teamOrganizationId));
  }
  // Identity: the end user the call names (OpenAI's `user` field).
  if (user) out.push(customerGuardSubject(env, user));
  const budget = config.settings.modelBudgets.get(model);
  if (budget) out.push({ name: modelSubject(model), load: async () => modelBudgetState(model, budget.limit, budget.periodMs) });
  return out;
}

/**
 * Admits one call with every guard that applies, asked in parallel. When one refuses, what the
 * others granted is released (off the response path) and the most telling refusal is thrown.
 * A key with no limits but rpm, no team and no model budget costs exactly one guard hop and no settle.
 */
export async function admit(
  env: Env,
  config: ResolvedConfig,
  principal: Principal,
  call: { id: string; model: string; reserve: number; /** OpenAI's `user` field: the end user's guard applies. */ user?: string },
  waitUntil: (p: Promise<unknown>) => void,
): Promise<Admitted> {
  const subjects = subjectsFor(env, config, principal, call.model, call.user);
  if (!subjects.length) return { headers: {}, settle: () => undefined };
  const now = Date.now();
  let done = configured.get(config);
  if (!done) configured.set(config, (done = new Set()));
  // Model budgets come from the config: tell their guard once per isolate and config.
  await Promise.all(
    subjects
      .filter((s) => s.name.startsWith("model:") && !done!.has(s.name))
      .map(async (s) => {
        await guardOf(env, s.name).configure((await s.load())!, now);
        done!.add(s.name);
      }),
  );
  const results: Admission[] = await Promise.all(subjects.map((s) => ask(env, s, (g) => g.admit({ ...call, now }))));
  const granted = subjects.map((s, i) => ({ s, r: results[i]! })).filter((x): x is { s: Subject; r: Granted } => x.r.ok && x.r.settle);
  const settleAll = (cost: number, tokens: number) => {
    if (!granted.length) return undefined;
    const at = Date.now();
    return Promise.all(
      granted.map(async ({ s }) => {
        const settled = await guardOf(env, s.name).settle({ id: call.id, model: call.model, cost, tokens, now: at });
        if (settled.softCrossed) await recordAlert(env, config.settings.webhookAlerts, s.name, "soft_budget_crossed", settled.softCrossed.spend, settled.softCrossed.budget);
      }),
    ).then(
      () => undefined,
      (e) => console.error(JSON.stringify({ msg: "settle failed", id: call.id, error: String(e) })),
    );
  };
  const refused = firstRefusal(results);
  if (refused) {
    const released = settleAll(0, 0);
    if (released) waitUntil(released);
    throw refusalError(refused, call.model);
  }
  const own = results[0]!.ok ? (results[0] as Granted) : undefined;
  const headers: Record<string, string> = {};
  for (const r of own?.requests || own?.tokens ? [own] : results) {
    if (!r.ok) continue;
    if (r.requests) Object.assign(headers, limitHeaders("requests", r.requests));
    if (r.tokens) Object.assign(headers, limitHeaders("tokens", r.tokens));
    if (r.requests || r.tokens) break;
  }
  return { headers, settle: settleAll };
}
