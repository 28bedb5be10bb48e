import { db } from "../db/client";
import { findKey } from "../db/keys";
import type { KeyRow } from "../db/schema";
import type { Env } from "../env";
import { forbidden, rateLimited, unauthorized, type GatewayError } from "../http/errors";
import type { Admission, GuardState, RateInfo } from "./guard-state";
import { requestLimitHeaders } from "./rate-headers";

export function guardState(row: KeyRow, revoked = false): GuardState {
  return {
    token: row.token,
    models: row.models,
    expires: row.expires,
    blocked: row.blocked,
    revoked,
    rpmLimit: row.rpmLimit,
  };
}

export const guardOf = (env: Env, token: string) => env.KEY_GUARD.get(env.KEY_GUARD.idFromName(token));

function refusal(a: Exclude<Admission, { ok: true }>, model?: string): GatewayError {
  switch (a.reason) {
    case "model":
      return forbidden(`This key is not allowed to call the model '${model}'.`, "key_model_access_denied");
    case "rate":
      return rateLimited(
        `Rate limit reached for this key: ${a.rpm.limit} requests per minute. Retry after ${Math.ceil(a.rpm.resetMs / 1000)}s.`,
        a.rpm.resetMs / 1000,
        requestLimitHeaders(a.rpm),
      );
    case "expired":
      return unauthorized("This key has expired.");
    case "blocked":
      return unauthorized("This key is blocked.");
    default:
      return unauthorized("This key is not valid (it was deleted or regenerated).");
  }
}

/** Asks the key's guard; a guard that has never seen the key is told about it from D1 once. */
async function ask(env: Env, key: KeyRow, call: (g: ReturnType<typeof guardOf>) => Promise<Admission>): Promise<Admission> {
  const guard = guardOf(env, key.token);
  const first = await call(guard);
  if (first.ok || first.reason !== "unknown") return first;
  const fresh = await findKey(db(env.DB), key.token);
  if (!fresh) return { ok: false, reason: "revoked" };
  await guard.configure(guardState(fresh));
  return call(guard);
}

/** Admits one model call for the key; throws the refusal (401/403/429). */
export async function admitCall(env: Env, key: KeyRow, model: string): Promise<RateInfo | undefined> {
  const a = await ask(env, key, (g) => g.admit(model));
  if (!a.ok) throw refusal(a, model);
  return a.rpm;
}

/** Checks that the key is still valid (not revoked, blocked or expired) without counting a call. */
export async function checkKey(env: Env, key: KeyRow): Promise<void> {
  const a = await ask(env, key, (g) => g.check());
  if (!a.ok) throw refusal(a);
}
