import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from "jose";
import type { JwtSettings } from "../../config/jwt-settings";
import { unauthorized } from "../../http/errors";
import { keySet, refetchForKid } from "./jwks";

/** Public-key algorithms only: never `none`, never HS* (a public key must not become an HMAC secret). */
export const JWT_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
/** Clock skew tolerated on exp / nbf / iat, in seconds. */
export const JWT_LEEWAY_S = 30;

/** Looks like a compact JWS (three base64url parts, a JSON header): such a token is never looked up as a virtual key. */
export const looksLikeJwt = (token: string): boolean => /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);

const refuse = (why: string) => unauthorized(`The JWT is not valid: ${why}.`);

function explain(e: unknown, settings: JwtSettings): Error {
  if (e instanceof errors.JWTExpired) return refuse("it has expired (exp)");
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === "aud") return refuse(`its audience (aud) is not '${settings.audience}'`);
    if (e.claim === "iss") return refuse(`its issuer (iss) is not '${settings.issuer}'`);
    if (e.claim === "nbf") return refuse("it is not valid yet (nbf)");
    if (e.claim === "exp") return refuse("it has no expiry (exp)");
    return refuse(`the claim '${e.claim}' failed validation (${e.reason})`);
  }
  if (e instanceof errors.JOSEAlgNotAllowed) return refuse(`its algorithm is not allowed (use one of ${JWT_ALGORITHMS.join(", ")})`);
  if (e instanceof errors.JWSSignatureVerificationFailed) return refuse("the signature does not verify");
  if (e instanceof errors.JWKSNoMatchingKey) return refuse("no key of the identity provider's JWKS matches its kid");
  if (e instanceof errors.JWKSMultipleMatchingKeys) return refuse("several keys of the JWKS match it and it names no kid");
  if (e instanceof errors.JOSEError) return refuse(`it is malformed (${e.code})`);
  return e instanceof Error ? e : new Error(String(e));
}

/**
 * Verifies a JWT with the identity provider's JWKS: signature (public-key algorithms only),
 * `aud`, `iss` (when configured), `exp` (required) and `nbf`, with JWT_LEEWAY_S of leeway.
 * A `kid` missing from the cached keys fetches the JWKS again once (rate limited). Throws 401.
 */
export async function verifyJwt(token: string, settings: JwtSettings, now = Date.now()): Promise<JWTPayload> {
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw refuse("its header cannot be read");
  }
  if (typeof header.alg !== "string" || !JWT_ALGORITHMS.includes(header.alg)) {
    throw refuse(`its algorithm '${String(header.alg)}' is not allowed (use one of ${JWT_ALGORITHMS.join(", ")})`);
  }
  const options = {
    algorithms: JWT_ALGORITHMS,
    audience: settings.audience,
    issuer: settings.issuer,
    requiredClaims: ["exp"],
    clockTolerance: JWT_LEEWAY_S,
    currentDate: new Date(now),
  };
  let set = await keySet(settings.publicKeyUrl, settings.publicKeyTtlMs, now);
  try {
    return (await jwtVerify(token, set.keys, options)).payload;
  } catch (e) {
    if (!(e instanceof errors.JWKSNoMatchingKey)) throw explain(e, settings);
    const again = await refetchForKid(settings.publicKeyUrl, header.kid, now);
    if (!again) throw explain(e, settings);
    set = again;
  }
  try {
    return (await jwtVerify(token, set.keys, options)).payload;
  } catch (e) {
    throw explain(e, settings);
  }
}
