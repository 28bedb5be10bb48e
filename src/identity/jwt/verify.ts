import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from "jose";
import type { JwtProvider, JwtSettings } from "../../config/jwt-settings";
import { unauthorized } from "../../http/errors";
import { keySet, type KeySet, refetchForKid } from "./jwks";

/** Public-key algorithms only: never `none`, never HS* (a public key must not become an HMAC secret). */
const JWT_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"];
/** Clock skew tolerated on exp / nbf / iat, in seconds. */
const JWT_LEEWAY_S = 30;

/** Looks like a compact JWS (three base64url parts, a JSON header): such a token is never looked up as a virtual key. */
export const looksLikeJwt = (token: string): boolean => /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);

const refuse = (why: string) => unauthorized(`The JWT is not valid: ${why}.`);

function explain(e: unknown, provider: JwtProvider): Error {
  if (e instanceof errors.JWTExpired) return refuse("it has expired (exp)");
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === "aud") return refuse(`its audience (aud) is not '${provider.audience}'`);
    if (e.claim === "iss") return refuse(`its issuer (iss) is not '${provider.issuer}'`);
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
 * The identity provider that must have signed the token: the litellm_jwtauth.issuers entry whose
 * `issuer` is the token's (unverified) `iss`, else the JWT_PUBLIC_KEY_URL provider; a token of
 * an issuer neither knows is refused (401) without fetching anything.
 */
export function providerFor(token: string, s: JwtSettings): JwtProvider {
  let iss: unknown;
  try {
    iss = decodeJwt(token).iss;
  } catch {
    throw refuse("its payload cannot be read");
  }
  const listed = typeof iss === "string" ? s.issuers.find((p) => p.issuer === iss) : undefined;
  if (listed) return listed;
  if (s.global) return s.global;
  throw refuse(`its issuer (iss) ${typeof iss === "string" ? `'${iss}' ` : ""}is not one of the identity providers this gateway trusts (litellm_jwtauth.issuers)`);
}

/**
 * Verifies a JWT with its identity provider's JWKS (one URL or several, each cached on its own):
 * signature (public-key algorithms only), `aud`, `iss` (when configured), `exp` (required) and
 * `nbf`, with JWT_LEEWAY_S of leeway. A `kid` that none of the cached sets holds fetches them
 * again once (rate limited per URL). Throws 401.
 */
export async function verifyJwt(token: string, provider: JwtProvider, ttlMs: number, now = Date.now()): Promise<JWTPayload> {
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
    audience: provider.audience,
    issuer: provider.issuer,
    requiredClaims: ["exp"],
    clockTolerance: JWT_LEEWAY_S,
    currentDate: new Date(now),
  };
  /** The payload, or undefined when the set has no key for the token (the next set may). */
  const attempt = async (keys: KeySet): Promise<JWTPayload | undefined> => {
    try {
      return (await jwtVerify(token, keys, options)).payload;
    } catch (e) {
      if (e instanceof errors.JWKSNoMatchingKey) return undefined;
      throw explain(e, provider);
    }
  };
  for (const url of provider.jwksUrls) {
    const payload = await attempt((await keySet(url, ttlMs, now)).keys);
    if (payload) return payload;
  }
  for (const url of provider.jwksUrls) {
    const again = await refetchForKid(url, header.kid, now);
    const payload = again && (await attempt(again.keys));
    if (payload) return payload;
  }
  throw explain(new errors.JWKSNoMatchingKey(), provider);
}
