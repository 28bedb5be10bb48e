import type { ResolvedConfig } from "../config/resolve";
import type { Env } from "../env";
import type { Principal } from "../http/auth";
import { GatewayError } from "../http/errors";
import { recordAlert } from "./alerts";
import { ask, bounded, firstRefusal, guardOf, keyGuardSubject, refusalError, teamGuardSubject, type Subject } from "./guard-client";
import { customerGuardSubject, identityGuardSubject, memberGuardSubject, orgGuardSubject, userGuardSubject } from "./guard-client";
import type { Admission, Granted, SettleRequest, SoftAlert } from "./guard-state";
import { limitHeaders } from "./rate-headers";
import { modelBudgetState, modelSubject } from "./subjects";

interface Admitted {
  /** x-ratelimit-* headers of the key's own limits (else its team's). */
  headers: Record<string, string>;
  /**
   * Ends the call in every guard that holds something for it (lease, reservation, tokens): the
   * settle is carried by the next admission to that guard, or sent after a short wait.
   */
  settle(cost: number, tokens: number, model?: string): Promise<void> | undefined;
  /**
   * The call moves on to another model group (a fallback): every guard checks that group's model
   * list, per-model limits and model budgets as for the requested one. A refusal comes back as the
   * error (nothing of it is kept); admitted, the group's settle happens with the call's.
   */
  extend(model: string, alias?: string, groups?: readonly string[]): Promise<GatewayError | undefined>;
}

/** A guard that could not be asked (its Durable Object threw): the call fails closed. */
const GUARD_DOWN: Admission = { ok: false, reason: "unknown" };

const guardUnavailable = () =>
  new GatewayError(503, "The gateway's limits service is unavailable; the call was not made. Retry shortly.", "service_unavailable", "guard_unavailable", null, { "retry-after": "1" });

const configured = new WeakMap<ResolvedConfig, Set<string>>();

/** How long an ended call's settle waits in the isolate for an admission to the same guard to carry it. */
const FLUSH_MS = 100;
/** Settles waiting per guard subject in this isolate. */
const pendingSettles = new Map<string, SettleRequest[]>();

function takeSettles(subject: string): SettleRequest[] | undefined {
  const list = pendingSettles.get(subject);
  if (list) pendingSettles.delete(subject);
  return list;
}

function putBack(subject: string, settles: SettleRequest[]): void {
  const list = pendingSettles.get(subject);
  if (list) list.push(...settles);
  else pendingSettles.set(subject, [...settles]);
}

async function alertAll(env: Env, config: ResolvedConfig, alerts: SoftAlert[]): Promise<void> {
  for (const a of alerts) await recordAlert(env, config.settings.webhookAlerts, a.subject, "soft_budget_crossed", a.spend, a.budget);
}

/** Sends the settles still waiting for these guards, one hop per guard. */
async function flushSettles(env: Env, config: ResolvedConfig, subjects: string[]): Promise<void> {
  await Promise.all(
    subjects.map(async (subject) => {
      const settles = takeSettles(subject);
      if (!settles) return;
      try {
        await alertAll(env, config, await bounded(guardOf(env, subject).settleAll(settles)));
      } catch (e) {
        console.error(JSON.stringify({ msg: "settle failed; kept for the next admission", subject, settles: settles.length, error: String(e) }));
        putBack(subject, settles);
      }
    }),
  );
}

/** Delivers this isolate's waiting settles for one guard now (before an admin reads or moves its ledger). */
export function flushSettlesFor(env: Env, config: ResolvedConfig, subject: string): Promise<void> {
  return flushSettles(env, config, [subject]);
}

/** Model budgets come from the config: their guards are told once per isolate and config. */
async function configureModelGuards(env: Env, config: ResolvedConfig, subjects: Subject[], now: number): Promise<void> {
  let done = configured.get(config);
  if (!done) configured.set(config, (done = new Set()));
  await Promise.all(
    subjects
      .filter((s) => isModelSubject(s.name) && !done.has(s.name))
      .map(async (s) => {
        await bounded(guardOf(env, s.name).configure((await s.load())!, now));
        done.add(s.name);
      }),
  ).catch((e) => {
    console.error(JSON.stringify({ msg: "guard unavailable", error: String(e) }));
    throw guardUnavailable();
  });
}

/** A reservation outlives the longest call the config allows (at least 10 minutes). */
function reservationTtl(config: ResolvedConfig): number {
  const longest = Math.max(config.settings.requestTimeoutMs ?? 0, ...config.deployments.map((d) => Math.max(d.timeoutMs ?? 0, d.streamTimeoutMs ?? 0)));
  return Math.max(10 * 60_000, 2 * longest * (config.router.numRetries + 1));
}
const ttls = new WeakMap<ResolvedConfig, number>();

/** The guards a call must pass: the key's, its team's, and its model group's gateway-wide budget. */
function subjectsFor(env: Env, config: ResolvedConfig, principal: Principal, model: string, user?: string): Subject[] {
  const out: Subject[] = [];
  if (principal.kind === "key") {
    // A JWT's identity record is no stored key: no key guard (its team, user and org guards apply).
    if (!principal.via) out.push(keyGuardSubject(env, principal.key));
    else {
      // A custom auth hook's answer may carry models and limits of its own.
      const own = identityGuardSubject(principal.key);
      if (own) out.push(own);
    }
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
  call: {
    id: string;
    /** The model group (an alias resolved to the group it names). */
    model: string;
    /** The name the client used when it is an alias of `model`. */
    alias?: string;
    reserve: number;
    /** OpenAI's `user` field: the end user's guard applies. */
    user?: string;
    /** The model group's access groups (model_info.access_groups). */
    groups?: readonly string[];
  },
  waitUntil: (p: Promise<unknown>) => void,
): Promise<Admitted> {
  const subjects = subjectsFor(env, config, principal, call.model, call.user);
  const version = principal.kind === "key" ? principal.key.updatedAt : undefined;
  if (!subjects.length) {
    // Nothing guards this call's group; a fallback group may still have a gateway-wide budget.
    return { headers: {}, settle: () => undefined, extend: (model, alias, groups) => extendTo(env, config, principal, call, [], { model, alias, groups }, waitUntil) };
  }
  const now = Date.now();
  let ttlMs = ttls.get(config);
  if (ttlMs === undefined) ttls.set(config, (ttlMs = reservationTtl(config)));
  await configureModelGuards(env, config, subjects, now);
  const results: Admission[] = await Promise.all(
    subjects.map(async (s) => {
      // Settles of this isolate's earlier calls to the same guard ride along (no hop of their own).
      const settles = takeSettles(s.name);
      try {
        const r = await ask(env, s, (g) => g.admit({ id: call.id, model: call.model, alias: call.alias, groups: call.groups, reserve: call.reserve, now, ttlMs, settles, version }));
        if (r.alerts) waitUntil(alertAll(env, config, r.alerts));
        return r;
      } catch (e) {
        if (settles) putBack(s.name, settles);
        console.error(JSON.stringify({ msg: "guard unavailable", subject: s.name, error: String(e) }));
        return GUARD_DOWN;
      }
    }),
  );
  if (results.includes(GUARD_DOWN)) {
    // Fail closed: no guard, no call. What the others granted goes back.
    const granted = subjects.filter((_, i) => results[i]!.ok && (results[i] as Granted).settle);
    if (granted.length) {
      const release: SettleRequest = { id: call.id, model: call.model, cost: 0, tokens: 0, now: Date.now() };
      for (const s of granted) putBack(s.name, [release]);
      waitUntil(
        new Promise<void>((r) => setTimeout(r, FLUSH_MS)).then(() =>
          flushSettles(
            env,
            config,
            granted.map((s) => s.name),
          ),
        ),
      );
    }
    throw guardUnavailable();
  }
  const granted = subjects.filter((_, i) => results[i]!.ok && (results[i] as Granted).settle);
  const settleAll = (cost: number, tokens: number, model = call.model) => {
    if (!granted.length) return undefined;
    const now = Date.now();
    const settle: SettleRequest = { id: call.id, model, cost, tokens, now };
    // A model group's own budget is charged only for the group that answered; the others are released.
    for (const s of granted) putBack(s.name, [isModelSubject(s.name) && s.name !== modelSubject(model) ? { ...settle, cost: 0, tokens: 0 } : settle]);
    // Delivered by the next admission to the same guard from this isolate, or by this flush
    // after FLUSH_MS when none came; whichever is first takes them.
    return new Promise<void>((r) => setTimeout(r, FLUSH_MS)).then(() =>
      flushSettles(
        env,
        config,
        granted.map((s) => s.name),
      ),
    );
  };
  const refused = firstRefusal(results);
  if (refused) {
    const released = settleAll(0, 0);
    if (released) waitUntil(released);
    throw refusalError(refused, call.model, principal.kind === "key" ? principal.key : undefined);
  }
  const own = results[0]!.ok ? (results[0] as Granted) : undefined;
  const headers: Record<string, string> = {};
  for (const r of own?.requests || own?.tokens ? [own] : results) {
    if (!r.ok) continue;
    if (r.requests) Object.assign(headers, limitHeaders("requests", r.requests));
    if (r.tokens) Object.assign(headers, limitHeaders("tokens", r.tokens));
    if (r.requests || r.tokens) break;
  }
  // LiteLLM's x-litellm-key-remaining-{requests,tokens}-{model} for the key's own per-model limits.
  // A model name may hold characters a header name cannot (`openai/gpt-4o`): those become `-`.
  const named = call.model.replace(/[^A-Za-z0-9!#$%&'*+.^_`|~-]/g, "-");
  if (own?.modelRequests) headers[`x-litellm-key-remaining-requests-${named}`] = String(Math.max(0, own.modelRequests.remaining));
  if (own?.modelTokens) headers[`x-litellm-key-remaining-tokens-${named}`] = String(Math.max(0, own.modelTokens.remaining));
  return { headers, settle: settleAll, extend: (model, alias, groups) => extendTo(env, config, principal, call, granted, { model, alias, groups }, waitUntil) };
}

const isModelSubject = (name: string) => name.startsWith("model:");

/**
 * Admits an admitted call to another model group: `extend` on every guard of the call (model
 * lists and per-model limits), a full admission on the group's gateway-wide budget guard. Guards
 * that now hold something for the call join `granted`, so the call's settle reaches them.
 */
async function extendTo(
  env: Env,
  config: ResolvedConfig,
  principal: Principal,
  call: { id: string; reserve: number; user?: string },
  granted: Subject[],
  to: { model: string; alias?: string; groups?: readonly string[] },
  waitUntil: (p: Promise<unknown>) => void,
): Promise<GatewayError | undefined> {
  const { model, alias, groups } = to;
  const subjects = subjectsFor(env, config, principal, model, call.user);
  if (!subjects.length) return undefined;
  const now = Date.now();
  const ttlMs = ttls.get(config) ?? reservationTtl(config);
  const request = { id: call.id, model, alias, groups, now, reserve: call.reserve, ttlMs };
  const results: Admission[] = await Promise.all(
    subjects.map(async (s) => {
      try {
        if (!isModelSubject(s.name)) return await ask(env, s, (g) => g.extend(request));
        await configureModelGuards(env, config, [s], now);
        return await ask(env, s, (g) => g.admit({ ...request, settles: takeSettles(s.name) }));
      } catch (e) {
        console.error(JSON.stringify({ msg: "guard unavailable", subject: s.name, error: String(e) }));
        return GUARD_DOWN;
      }
    }),
  );
  const held = subjects.filter((_, i) => results[i]!.ok && (results[i] as Granted).settle);
  const refused = results.includes(GUARD_DOWN) ? guardUnavailable() : firstRefusal(results);
  if (!refused) {
    for (const s of held) if (!granted.some((g) => g.name === s.name)) granted.push(s);
    return undefined;
  }
  // Refused: what this extension reserved goes back; the call's own admission stays.
  for (const s of held) {
    if (isModelSubject(s.name)) putBack(s.name, [{ id: call.id, model, cost: 0, tokens: 0, now }]);
    else
      waitUntil(
        guardOf(env, s.name)
          .retract(call.id, model)
          .catch(() => {}),
      );
  }
  return refused instanceof GatewayError ? refused : refusalError(refused, alias ?? model);
}

/**
 * Charges spend no admission reserved (a native batch's answers, known only when its upstream
 * finishes): every guard a call to `model` passes settles it as an ended call, so the key's, team's
 * and model group's budgets count it. A guard not yet told its subject is told first. Each guard
 * keeps `charge.id` in storage and applies it once, so calling this again (after a crash, a
 * guard that failed) completes what is missing and charges nothing twice.
 */
export async function chargeSpend(env: Env, config: ResolvedConfig, principal: Principal, charge: { id: string; model: string; cost: number; tokens: number }): Promise<void> {
  const subjects = subjectsFor(env, config, principal, charge.model);
  if (!subjects.length) return;
  await configureModelGuards(env, config, subjects, Date.now());
  const settle: SettleRequest = { id: charge.id, model: charge.model, cost: charge.cost, tokens: charge.tokens, now: Date.now() };
  await Promise.all(
    subjects.map(async (s) => {
      if (!isModelSubject(s.name)) await ask(env, s, (g) => g.check());
      await alertAll(env, config, await guardOf(env, s.name).chargeOnce(settle));
    }),
  );
}
