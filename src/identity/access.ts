import type { AccessSettings } from "../config/access-settings";
import type { JwtProvider } from "../config/jwt-settings";
import { db } from "../db/client";
import type { UserRow } from "../db/schema";
import { findUser, findUserByEmail } from "../db/users";
import type { Env } from "../env";
import type { AuthRequest, Principal } from "../http/auth";
import { unauthorized } from "../http/errors";
import { verifyJwt } from "./jwt/verify";
import { identityKey } from "./synthetic-key";

const providers = new WeakMap<AccessSettings, JwtProvider>();
const CERTS_TTL_MS = 600_000;

/** Access's certs as a JWKS: RS256 keys rotated by Cloudflare, fetched as the IdP's are (cached, refetched on an unknown kid). */
function accessProvider(s: AccessSettings): JwtProvider {
  let v = providers.get(s);
  if (!v) providers.set(s, (v = { jwksUrls: [s.certsUrl], audience: s.aud, issuer: s.issuer, fields: {} }));
  return v;
}

/** The user a verified Access assertion names by its `email` (401 when there is none, or no user has it). */
export async function accessUser(assertion: string, env: Env, s: AccessSettings): Promise<{ user: UserRow; exp: number }> {
  const payload = await verifyJwt(assertion, accessProvider(s), CERTS_TTL_MS);
  const email = typeof payload.email === "string" ? payload.email : undefined;
  if (!email) throw unauthorized("The Cloudflare Access assertion carries no email (a service token cannot sign in to the admin API).");
  const user = await findUserByEmail(db(env.DB), email);
  if (!user) throw unauthorized(`No user of this gateway has the email '${email}' (Cloudflare Access sign-in): create one with /user/new.`);
  return { user, exp: (payload.exp ?? 0) * 1000 };
}

/** The admin principal of an Access-signed-in user (its role applies on each admin route). */
const accessUserPrincipal = (user: Pick<UserRow, "userId" | "userEmail">): Principal => ({
  kind: "key",
  key: identityKey({ label: `access:${user.userEmail ?? user.userId}`, userId: user.userId }),
  via: "cloudflare_access",
});

/**
 * A Cloudflare Access assertion as an admin caller: verified (signature against the team's certs,
 * `aud` = the application's AUD tag, `iss` = the team domain, `exp`), then its `email` must be a
 * user's `user_email`; that user's role decides what it may do on each admin route.
 */
export async function accessPrincipal(assertion: string, req: AuthRequest, s: AccessSettings): Promise<Principal> {
  return accessUserPrincipal((await accessUser(assertion, req.env, s)).user);
}

/**
 * The user of a UI session opened with Cloudflare Access, read again on every admin call (a
 * deleted user, or Access sign-in switched off, ends the session at once; a role change applies).
 */
export async function sessionUserPrincipal(userId: string, req: AuthRequest): Promise<Principal> {
  if (!req.config.settings.access) throw unauthorized("Cloudflare Access sign-in is not configured any more (general_settings.cloudflare_access): sign in again.");
  const user = await findUser(db(req.env.DB), userId);
  if (!user) throw unauthorized("The user of this UI session no longer exists: sign in again.");
  return accessUserPrincipal(user);
}
