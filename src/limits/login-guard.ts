import type { Env } from "../env";
import { ask, type Subject } from "./guard-client";
import { type Admission, emptyLimits } from "./guard-state";
import { GatewayError } from "../http/errors";

/** Failed admin-UI sign-ins a client address may make per minute, counted exactly across isolates. */
const LOGIN_FAILURES_PER_MINUTE = 10;

const subject = (ip: string): Subject => ({
  name: `login:${ip}`,
  load: async () => ({ ...emptyLimits(), subject: `login:${ip}`, models: [], expires: null, blocked: false, revoked: false, rpmLimit: LOGIN_FAILURES_PER_MINUTE }),
});

/** Seconds until the address may try again, or 0 when it may now. */
export async function loginWait(env: Env, ip: string): Promise<number> {
  let r: Admission;
  try {
    r = await ask(env, subject(ip), (g) => g.peek());
  } catch (e) {
    // No guard, no sign-in (fail closed).
    console.error(JSON.stringify({ msg: "login guard unavailable", error: String(e) }));
    throw new GatewayError(503, "Sign-in is unavailable for a moment; retry shortly.", "service_unavailable", "guard_unavailable", null, { "retry-after": "1" });
  }
  return r.ok || r.reason !== "rate" ? 0 : Math.max(1, Math.ceil(r.info.resetMs / 1000));
}

/** Counts one failed sign-in of the address. */
export async function loginFailed(env: Env, ip: string): Promise<void> {
  await ask(env, subject(ip), (g) => g.admit({ id: crypto.randomUUID(), model: "", now: Date.now(), reserve: 0 })).catch((e) => {
    console.error(JSON.stringify({ msg: "login failure not counted", error: String(e) }));
  });
}
