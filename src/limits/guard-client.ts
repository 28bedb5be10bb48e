import { db } from "../db/client";
import { findKey } from "../db/keys";
import type { KeyRow } from "../db/schema";
import { findTeam } from "../db/teams";
import type { Env } from "../env";
import { forbidden, GatewayError, rateLimited, unauthorized } from "../http/errors";
import type { Admission, GuardState, Refusal, Settled } from "./guard-state";
import { limitHeaders } from "./rate-headers";
import { keyState, keySubject, teamState, teamSubject } from "./subjects";
import { findMember, findUser } from "../db/users";
import { customerState, customerSubject, memberState, memberSubject, noMembership, orgState, orgSubject, userState, userSubject } from "./subjects";
import { findOrg } from "../db/organizations";
import { findEndUser } from "../db/end-users";
import { fnv1a64 } from "../config/hash";

export const guardOf = (env: Env, subject: string) => env.KEY_GUARD.get(env.KEY_GUARD.idFromName(subject));
type Guard = ReturnType<typeof guardOf>;

/** A guard to ask, and how to tell it about its subject when it has never heard of it. */
export interface Subject {
  name: string;
  load: () => Promise<GuardState | null>;
}

export const keyGuardSubject = (env: Env, key: KeyRow): Subject => ({
  name: keySubject(key.token),
  load: async () => {
    const row = await findKey(db(env.DB), key.token);
    return row ? keyState(row) : null;
  },
});

export const teamGuardSubject = (env: Env, teamId: string): Subject => ({
  name: teamSubject(teamId),
  load: async () => {
    const row = await findTeam(db(env.DB), teamId);
    return row ? teamState(row) : null;
  },
});

/**
 * The guard of a caller the custom auth hook let in with models or limits of its own: named by
 * its identity and those limits (a change of limits is a new guard), configured from the answer.
 */
export function identityGuardSubject(key: KeyRow): Subject | undefined {
  if (!key.models.length && key.rpmLimit == null && key.tpmLimit == null && key.maxParallelRequests == null) return undefined;
  const name = `${keySubject(key.token)}#${fnv1a64(JSON.stringify([key.models, key.rpmLimit, key.tpmLimit, key.maxParallelRequests]))}`;
  return { name, load: async () => ({ ...keyState(key), subject: name }) };
}

// Identity subjects: a key's internal user, and that user's membership of the key's team.
export const userGuardSubject = (env: Env, userId: string): Subject => ({
  name: userSubject(userId),
  load: async () => {
    const row = await findUser(db(env.DB), userId);
    return row ? userState(row) : null;
  },
});

export const memberGuardSubject = (env: Env, teamId: string, userId: string): Subject => ({
  name: memberSubject(teamId, userId),
  load: async () => {
    const d = db(env.DB);
    const [row, team] = await Promise.all([findMember(d, teamId, userId), findTeam(d, teamId)]);
    // Not (or no longer) a member: nothing to bound here (member_delete deletes the member's team keys).
    return memberState(row ?? noMembership(teamId, userId), team ?? null);
  },
});

export const orgGuardSubject = (env: Env, orgId: string): Subject => ({
  name: orgSubject(orgId),
  load: async () => {
    const row = await findOrg(db(env.DB), orgId);
    return row ? orgState(row) : null;
  },
});

/** The end user a call names (OpenAI's `user` field); one never created is admitted without limits. */
export const customerGuardSubject = (env: Env, id: string): Subject => ({
  name: customerSubject(id),
  load: async () => customerState(id, (await findEndUser(db(env.DB), id)) ?? null),
});

/** How long a call waits for a guard's answer before it fails closed (a guard that hangs is a guard that is down). */
let guardTimeoutMs = 5_000;

/** Tests: a shorter wait. */
export function setGuardTimeout(ms: number): void {
  guardTimeoutMs = ms;
}

/** A guard's answer, or a rejection once `guardTimeoutMs` passed without one. */
export function bounded<T>(answer: Promise<T>): Promise<T> {
  // One timer and one promise (Promise.race and finally would add several per guard call).
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the guard did not answer within ${guardTimeoutMs} ms`)), guardTimeoutMs);
    answer.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

/** Asks a guard; one that has never seen its subject is told about it once (from D1 or config). */
export async function ask(env: Env, s: Subject, call: (g: Guard) => Promise<Admission>): Promise<Admission> {
  const guard = guardOf(env, s.name);
  const first = await bounded(call(guard));
  if (first.ok || first.reason !== "unknown") return first;
  const state = await s.load();
  if (!state) return { ok: false, reason: "revoked", subject: s.name };
  await bounded(guard.configure(state, Date.now()));
  return bounded(call(guard));
}

const who = (subject: string) =>
  subject.startsWith("team:")
    ? `team '${subject.slice(5)}'`
    : subject.startsWith("model:")
      ? `model '${subject.slice(6)}'`
      : subject.startsWith("user:")
        ? `user '${subject.slice(5)}'`
        : subject.startsWith("org:")
          ? `organization '${subject.slice(4)}'`
          : subject.startsWith("customer:")
            ? `end user '${subject.slice(9)}'`
            : subject.startsWith("member:")
              ? `the user's membership of team '${(JSON.parse(subject.slice(7)) as string[])[0]}'`
              : "this key";

/** A number as Python prints a float (LiteLLM's messages are Python's): 0.0002, 1e-05, 5.0. */
function pyFloat(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const [mantissa, e] = n.toExponential().split("e");
  const exp = Number(e);
  if (exp < -4 || exp >= 16) return `${mantissa}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  const s = String(n);
  return s.includes(".") ? s : `${s}.0`;
}

/** Who a budget belongs to, as LiteLLM's "Budget has been exceeded!" names it. */
function budgetOwner(subject: string, key?: KeyNames): string {
  if (subject.startsWith("team:")) return `Team=${subject.slice(5)}`;
  if (subject.startsWith("model:")) return `Model=${subject.slice(6)}`;
  if (subject.startsWith("user:")) return `User=${subject.slice(5)}`;
  if (subject.startsWith("org:")) return `Organization=${subject.slice(4)}`;
  if (subject.startsWith("customer:")) return `End User=${subject.slice(9)}`;
  if (subject.startsWith("member:")) {
    const [team, user] = JSON.parse(subject.slice(7)) as string[];
    return `User=${user} in Team=${team}`;
  }
  if (!key) return "Key";
  return `Key=${key.keyAlias ? `${key.keyAlias} (${key.keyName})` : key.keyName}`;
}

/** What a key's refusal names it by: its alias and its display name (`sk-...abcd`), never the key. */
interface KeyNames {
  keyAlias: string | null;
  keyName: string;
}

/**
 * The isolate's cached key row is older than its guard's: the pipeline reloads the key and admits
 * the call once more (retryable if it ever reaches a client).
 */
export class StaleKey extends GatewayError {
  constructor() {
    super(503, "The key changed while this call was admitted; retry.", "service_unavailable", "key_changed", null, { "retry-after": "0" });
  }
}

/** The error a refusal answers with. */
export function refusalError(r: Refusal, model?: string, key?: KeyNames): GatewayError {
  switch (r.reason) {
    case "model":
      return forbidden(`${who(r.subject) === "this key" ? "This key" : who(r.subject)} is not allowed to call the model '${model}'.`, "key_model_access_denied");
    case "rate": {
      const headers = { ...(r.requests ? limitHeaders("requests", r.requests) : {}), ...(r.tokens ? limitHeaders("tokens", r.tokens) : {}) };
      if (r.which !== "parallel") Object.assign(headers, limitHeaders(r.which, r.info));
      const what = r.which === "parallel" ? `${r.info.limit} parallel requests` : `${r.info.limit} ${r.which} per minute`;
      const scope = r.model ? ` for model '${r.model}'` : "";
      return rateLimited(`Rate limit reached for ${who(r.subject)}${scope}: ${what}. Retry after ${Math.ceil(r.info.resetMs / 1000)}s.`, r.info.resetMs / 1000, headers);
    }
    case "budget": {
      // LiteLLM's text, word for word, so that scripts parsing it keep working; a per-model budget of a key names its model.
      const scope = r.model ? ` Model=${r.model}` : "";
      const headers: Record<string, string> = r.resetAt ? { "x-gateway-budget-reset-at": new Date(r.resetAt).toISOString() } : {};
      return new GatewayError(
        400,
        `Budget has been exceeded! ${budgetOwner(r.subject, key)}${scope} Current cost: ${pyFloat(r.spend)}, Max budget: ${pyFloat(r.budget)}`,
        "budget_exceeded",
        "budget_exceeded",
        null,
        headers,
      );
    }
    case "expired":
      return unauthorized(r.subject.startsWith("key:") ? "This key has expired." : `${who(r.subject)} has expired.`);
    case "blocked":
      return unauthorized(r.subject.startsWith("key:") ? "This key is blocked." : `The key's ${who(r.subject)} is blocked.`);
    case "revoked":
      return unauthorized(r.subject.startsWith("key:") ? "This key is not valid (it was deleted or regenerated)." : `The key's ${who(r.subject)} no longer exists.`);
    case "stale":
      return new StaleKey();
    default:
      return unauthorized("This key is not valid.");
  }
}

const PRIORITY: Record<string, number> = { stale: -1, revoked: 0, expired: 1, blocked: 2, unknown: 3, model: 4, budget: 5, rate: 6 };

/** The refusal to report when several guards refuse. */
export function firstRefusal(results: Admission[]): Refusal | undefined {
  const refusals = results.filter((r): r is Refusal => !r.ok);
  refusals.sort((a, b) => PRIORITY[a.reason]! - PRIORITY[b.reason]!);
  return refusals[0];
}

/** Checks that a key (and its team) is still usable, without counting a call. */
export async function checkKey(env: Env, key: KeyRow): Promise<void> {
  const subjects = [keyGuardSubject(env, key), ...(key.teamId ? [teamGuardSubject(env, key.teamId)] : [])];
  const results = await Promise.all(subjects.map((s) => ask(env, s, (g) => g.check())));
  const refused = firstRefusal(results);
  if (refused) throw refusalError(refused, undefined, key);
}

export type { Settled };
