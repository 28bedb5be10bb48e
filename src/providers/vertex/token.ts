import { configError, GatewayError } from "../../http/errors";
import type { ServiceAccount } from "./credentials";

export const SCOPE = "https://www.googleapis.com/auth/cloud-platform";
const GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const ASSERTION_LIFETIME_S = 3600;
const TOKEN_TIMEOUT_MS = 10_000;
/** A token is renewed this long before it expires (or at half its life, when that is shorter). */
const REFRESH_MARGIN_S = 300;
const MAX_CACHED = 64;

interface CachedToken {
  token: string;
  /** Unix ms after which a new token is fetched. */
  renewAt: number;
}

/** Per service account (token_uri + email + key): the access token, and an exchange under way (one at a time). */
const tokens = new Map<string, CachedToken>();
const pending = new Map<string, Promise<string>>();
const keys = new Map<string, Promise<CryptoKey>>();

const cacheKey = (sa: ServiceAccount) => `${sa.token_uri}\n${sa.client_email}\n${sa.private_key}`;

const base64url = (bytes: Uint8Array): string => {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};
const encodeJson = (v: unknown) => base64url(new TextEncoder().encode(JSON.stringify(v)));

/** The PEM private key as a WebCrypto RS256 signing key (imported once per key). */
function signingKey(sa: ServiceAccount): Promise<CryptoKey> {
  let key = keys.get(sa.private_key);
  if (!key) {
    const body = sa.private_key
      .replace(/-----(BEGIN|END) PRIVATE KEY-----/g, "")
      .replace(/\\n/g, "")
      .replace(/\s+/g, "");
    key = (async () => {
      try {
        const der = Uint8Array.from(atob(body), (c) => c.charCodeAt(0));
        return await crypto.subtle.importKey("pkcs8", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["sign"]);
      } catch {
        throw configError(`The private_key of service account '${sa.client_email}' is not a PKCS#8 RSA key in PEM form.`);
      }
    })();
    key.catch(() => keys.delete(sa.private_key));
    if (keys.size >= MAX_CACHED) keys.clear();
    keys.set(sa.private_key, key);
  }
  return key;
}

/** The signed JWT (RS256) a service account presents at its token_uri. */
async function signedAssertion(sa: ServiceAccount): Promise<string> {
  const nowS = Math.floor(Date.now() / 1000);
  const header: Record<string, string> = { alg: "RS256", typ: "JWT" };
  if (sa.private_key_id) header.kid = sa.private_key_id;
  const claims = { iss: sa.client_email, scope: SCOPE, aud: sa.token_uri, iat: nowS, exp: nowS + ASSERTION_LIFETIME_S };
  const input = `${encodeJson(header)}.${encodeJson(claims)}`;
  const signature = await crypto.subtle.sign("RSASSA-PKCS1-v1_5", await signingKey(sa), new TextEncoder().encode(input));
  return `${input}.${base64url(new Uint8Array(signature))}`;
}

const unavailable = (message: string) => new GatewayError(503, message, "service_unavailable", "upstream_auth_unavailable");

/** A short, quote-safe summary of the token endpoint's OAuth error (`error`, `error_description`): never the assertion or the key. */
function oauthReason(text: string): string {
  try {
    const o = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    const parts = [o.error, o.error_description].filter((p): p is string => typeof p === "string" && !!p);
    if (parts.length)
      return parts
        .join(": ")
        .replace(/[A-Za-z0-9_-]{40,}(?:\.[A-Za-z0-9_-]+)*/g, "[redacted]")
        .slice(0, 200);
  } catch {
    /* not JSON: say nothing of it */
  }
  return "no reason given";
}

async function exchange(sa: ServiceAccount): Promise<{ token: string; expiresIn: number }> {
  const assertion = await signedAssertion(sa);
  let res: Response;
  try {
    res = await fetch(sa.token_uri, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: GRANT_TYPE, assertion }).toString(),
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
  } catch {
    throw unavailable(`Vertex AI: the token endpoint of service account '${sa.client_email}' could not be reached.`);
  }
  const text = await res.text().catch(() => "");
  if (res.status === 400 || res.status === 401 || res.status === 403) {
    throw new GatewayError(
      401,
      `Vertex AI: the token endpoint refused service account '${sa.client_email}' (${oauthReason(text)}). Check vertex_credentials.`,
      "authentication_error",
      "upstream_auth_error",
    );
  }
  if (!res.ok) throw unavailable(`Vertex AI: the token endpoint of service account '${sa.client_email}' answered HTTP ${res.status}.`);
  let body: { access_token?: unknown; expires_in?: unknown };
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = {};
  }
  if (typeof body.access_token !== "string" || !body.access_token) {
    throw unavailable(`Vertex AI: the token endpoint of service account '${sa.client_email}' answered without an access_token.`);
  }
  const expiresIn = typeof body.expires_in === "number" && body.expires_in > 0 ? body.expires_in : ASSERTION_LIFETIME_S;
  return { token: body.access_token, expiresIn };
}

/**
 * An OAuth access token for the service account (scope cloud-platform): a JWT signed with its key
 * (WebCrypto RS256), exchanged at its token_uri, then kept in the isolate until shortly before it
 * expires. Concurrent calls share one exchange; a failed exchange is not cached.
 */
export async function accessToken(sa: ServiceAccount, now = Date.now()): Promise<string> {
  const key = cacheKey(sa);
  const cached = tokens.get(key);
  if (cached && now < cached.renewAt) return cached.token;
  let inflight = pending.get(key);
  if (!inflight) {
    inflight = exchange(sa)
      .then(({ token, expiresIn }) => {
        const margin = Math.min(REFRESH_MARGIN_S, expiresIn / 2);
        if (tokens.size >= MAX_CACHED) tokens.clear();
        tokens.set(key, { token, renewAt: Date.now() + (expiresIn - margin) * 1000 });
        return token;
      })
      .finally(() => pending.delete(key));
    pending.set(key, inflight);
  }
  return inflight;
}
