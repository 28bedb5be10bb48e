import type { ResolvedConfig } from "../config/resolve";
import { db } from "../db/client";
import { findAuthKey, type AuthKeyRow } from "../db/keys";
import type { Env } from "../env";
import { cacheKey, cachedKey, forgetKey } from "../limits/key-cache";
import { configError, GatewayError, unauthorized } from "./errors";
import { hashKey, keyFromHeaders } from "./key-header";
import type { Role } from "./roles";

let cachedMaster: { key: string; hash: Promise<string> } | undefined;

function masterHash(key: string): Promise<string> {
  if (cachedMaster?.key !== key) cachedMaster = { key, hash: hashKey(key) };
  return cachedMaster.hash;
}

/** Compares two equal-length hex digests without an early exit. */
function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** How a caller without a stored key was recognised. */
type Via = "jwt" | "custom_auth" | "cloudflare_access";

/**
 * The key carries its team's model_aliases (see identity/aliases.ts), loaded with it.
 * With `via`, the caller presented no stored key: `key` is an identity record (identity/synthetic-key.ts)
 * whose team, user and organization guards bound the call, and `endUser` (from the token) names
 * the end user whose guard applies whatever the request's `user` says. A master principal `via`
 * a JWT is a proxy admin for admin routes only (LiteLLM's admin_allowed_routes). `role` (a JWT's
 * mapped role) is the caller's role on admin routes, over its stored user's.
 */
export type Principal = { kind: "master"; via?: Via } | { kind: "key"; key: AuthKeyRow; via?: Via; endUser?: string; role?: Role };

/** The request being authenticated, for the authenticators installed from above (identity/). */
export interface AuthRequest {
  headers: Headers;
  method: string;
  path: string;
  env: Env;
  config: ResolvedConfig;
  /** The model the request body names (read on demand, for choosing among a token's teams). */
  model?: () => Promise<string | undefined>;
}

/**
 * Ways to recognise a caller besides the master key and stored keys, installed by the app
 * (identity/ sits above http/, so it plugs in here rather than being imported):
 * `jwt` takes a JWT-shaped credential when JWT auth is on; `hook` (general_settings.custom_auth)
 * sees, in mode `auto`, what nothing else recognised (no credential included) and, in mode `on`,
 * everything but the master key. Each returns a principal or throws (401/403/503): never open;
 * undefined means "not mine" (the hook is then not configured).
 */
export interface Authenticators {
  jwt?: (token: string, req: AuthRequest) => Promise<Principal | undefined>;
  hook?: (presented: string | undefined, req: AuthRequest) => Promise<Principal | undefined>;
  /** A Cloudflare Access assertion (Cf-Access-Jwt-Assertion) on an admin route sent without a key. */
  access?: (assertion: string, req: AuthRequest) => Promise<Principal | undefined>;
  /** The user of a UI session signed in through Cloudflare Access (throws 401 when it cannot act any more). */
  session?: (userId: string, req: AuthRequest) => Promise<Principal>;
}

let installed: Authenticators = {};

export function installAuthenticators(a: Authenticators): void {
  installed = a;
}

/** The admin caller a Cloudflare Access assertion names, when Access is configured and the request carries one. */
export async function accessPrincipal(headers: Headers, env: Env, config: ResolvedConfig, at: { method: string; path: string }): Promise<Principal | undefined> {
  const assertion = headers.get("cf-access-jwt-assertion")?.trim();
  if (!assertion || !config.settings.access || !installed.access) return undefined;
  return installed.access(assertion, { headers, env, config, ...at });
}

/** The admin caller a user's UI session names (signed in through Cloudflare Access). */
export async function sessionUserPrincipal(userId: string, env: Env, config: ResolvedConfig, at: { method: string; path: string }): Promise<Principal> {
  if (!installed.session) throw unauthorized("This UI session names a user, and user sessions are not available: sign in again.");
  return installed.session(userId, { headers: new Headers(), env, config, ...at });
}

const NO_KEY = "No API key was given. Send it as 'Authorization: Bearer <key>' (or x-api-key / api-key).";

/** Who is calling: the master key, a virtual key known to D1, or what an installed authenticator recognises. Throws 401 / 403 / 503. */
export async function authenticate(
  headers: Headers,
  env: Env,
  config: ResolvedConfig,
  at: { method: string; path: string; model?: () => Promise<string | undefined> } = { method: "POST", path: "" },
): Promise<Principal> {
  if (!config.masterKey) throw configError(config.masterKeyError ?? "No master key is set.");
  const presented = keyFromHeaders(headers);
  const req = (): AuthRequest => ({ headers, env, config, ...at });
  if (!presented) {
    const p = installed.hook ? await installed.hook(undefined, req()) : undefined;
    if (p) return p;
    throw unauthorized(NO_KEY);
  }
  // One SHA-256 per request: the presented key's, compared in constant time with the master key's
  // (hashed once per isolate), and otherwise the lookup token of a virtual key.
  const [token, master] = await Promise.all([hashKey(presented), masterHash(config.masterKey)]);
  if (constantTimeEqual(token, master)) return { kind: "master" };
  if (installed.hook && config.settings.customAuth?.mode === "on") {
    const p = await installed.hook(presented, req());
    if (p) return p;
  }
  if (installed.jwt) {
    const p = await installed.jwt(presented, req());
    if (p) return p;
  }
  let row = cachedKey(token);
  if (row === undefined) {
    row = (await findAuthKey(db(env.DB), token)) ?? null;
    cacheKey(token, row);
  }
  if (!row) {
    const p = installed.hook ? await installed.hook(presented, req()) : undefined;
    if (p) return p;
    throw unauthorized("The API key is not valid.");
  }
  if (row.expires !== null && row.expires <= Date.now()) throw new KeyRefused(unauthorized("This key has expired."), row);
  return { kind: "key", key: row };
}

/** A known key refused before it became a principal (expired): the refusal's spend row names it. */
export class KeyRefused extends GatewayError {
  constructor(
    err: GatewayError,
    readonly key: AuthKeyRow,
  ) {
    super(err.status, err.message, err.type, err.code, err.param, err.headers);
  }
}

/** The key read again from D1 (its guard knows a newer row than this isolate cached). Throws 401 when it is gone. */
export async function reloadKey(env: Env, token: string): Promise<Principal> {
  forgetKey(token);
  const row = (await findAuthKey(db(env.DB), token)) ?? null;
  cacheKey(token, row);
  if (!row) throw unauthorized("The API key is not valid.");
  if (row.expires !== null && row.expires <= Date.now()) throw unauthorized("This key has expired.");
  return { kind: "key", key: row };
}
