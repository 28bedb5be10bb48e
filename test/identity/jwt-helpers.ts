import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type JWK, type JWTPayload } from "jose";
import { stringify } from "yaml";
import { env, withEnv } from "../helpers/gateway";
import { chatAnswer, fakeUpstream, json } from "../helpers/upstream";

export const ISS = "https://idp.test/realms/acme";
export const AUD = "switchyard";
export const JWKS_URL = "https://idp.test/jwks";

export interface Signer {
  kid: string;
  jwk: JWK;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
}

export async function signer(kid: string, alg = "RS256"): Promise<Signer> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: "sig" } };
}

/** A signed token: iss/aud/iat/exp set unless overridden (null drops one). */
export async function token(
  s: Signer,
  claims: JWTPayload,
  opts: { alg?: string; kid?: string; iss?: string | null; aud?: string | null; exp?: number | string | null; nbf?: number } = {},
): Promise<string> {
  const t = new SignJWT(claims).setProtectedHeader({ alg: opts.alg ?? (s.jwk.alg as string), kid: opts.kid ?? s.kid }).setIssuedAt();
  if (opts.iss !== null) t.setIssuer(opts.iss ?? ISS);
  if (opts.aud !== null) t.setAudience(opts.aud ?? AUD);
  if (opts.exp !== null) t.setExpirationTime(opts.exp ?? "5m");
  if (opts.nbf !== undefined) t.setNotBefore(opts.nbf);
  return t.sign(s.privateKey);
}

export const spki = (s: Signer) => exportSPKI(s.publicKey);

/** The fake identity provider: serves `keys` as the JWKS and counts fetches. */
export function fakeIdp(keys: () => JWK[]): { fetches: number } {
  const counter = { fetches: 0 };
  fakeUpstream("https://idp.test/", () => {
    counter.fetches++;
    return json({ keys: keys() });
  });
  return counter;
}

export const jwtConfig = (jwtauth: Record<string, unknown>, general: Record<string, unknown> = {}) =>
  stringify({
    model_list: [
      { model_name: "gpt-4o-mini", litellm_params: { model: "openai/gpt-4o-mini", api_base: "https://api.openai.test/v1", api_key: "os.environ/OPENAI_API_KEY" } },
      { model_name: "gpt-4o", litellm_params: { model: "openai/gpt-4o", api_base: "https://api.openai.test/v1", api_key: "os.environ/OPENAI_API_KEY" } },
    ],
    general_settings: { enable_jwt_auth: true, litellm_jwtauth: jwtauth, ...general },
  });

export const jwtEnv = (config: string, extra: Record<string, unknown> = {}) => ({ GATEWAY_CONFIG: config, JWT_PUBLIC_KEY_URL: JWKS_URL, JWT_AUDIENCE: AUD, ...extra });

export const completion = () => chatAnswer({ prompt: 3, completion: 2 });

/** A chat call through the app run with `bindings`, authenticated with `key`. */
export const chatWith = (bindings: Record<string, unknown>, key: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  withEnv(bindings, "/v1/chat/completions", { method: "POST", key, headers, body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "x" }], ...body }) });

export { env };
