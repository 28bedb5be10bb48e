import type { AccessSettings } from "../config/access-settings";
import type { JwtSettings } from "../config/jwt-settings";
import { db } from "../db/client";
import { findUserByEmail } from "../db/users";
import type { AuthRequest, Principal } from "../http/auth";
import { unauthorized } from "../http/errors";
import { verifyJwt } from "./jwt/verify";
import { identityKey } from "./synthetic-key";

const verifiers = new WeakMap<AccessSettings, JwtSettings>();

/** Access's certs as a JWKS: RS256 keys rotated by Cloudflare, fetched as the IdP's are (cached, refetched on an unknown kid). */
function asJwtSettings(s: AccessSettings): JwtSettings {
  let v = verifiers.get(s);
  if (!v) verifiers.set(s, (v = { publicKeyUrl: s.certsUrl, audience: s.aud, issuer: s.issuer, adminScope: "", userIdUpsert: false, publicKeyTtlMs: 600_000 }));
  return v;
}

/**
 * A Cloudflare Access assertion as an admin caller: verified (signature against the team's certs,
 * `aud` = the application's AUD tag, `iss` = the team domain, `exp`), then its `email` must be a
 * user's `user_email`; that user's role decides what it may do on each admin route.
 */
export async function accessPrincipal(assertion: string, req: AuthRequest, s: AccessSettings): Promise<Principal> {
  const payload = await verifyJwt(assertion, asJwtSettings(s));
  const email = typeof payload.email === "string" ? payload.email : undefined;
  if (!email) throw unauthorized("The Cloudflare Access assertion carries no email (a service token cannot sign in to the admin API).");
  const user = await findUserByEmail(db(req.env.DB), email);
  if (!user) throw unauthorized(`No user of this gateway has the email '${email}' (Cloudflare Access sign-in): create one with /user/new.`);
  return { kind: "key", key: identityKey({ label: `access:${email}`, userId: user.userId }), via: "cloudflare_access" };
}
