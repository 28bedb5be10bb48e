import type { ResolvedConfig } from "../config/resolve";
import { db } from "../db/client";
import { findAuthKey, type AuthKeyRow } from "../db/keys";
import type { Env } from "../env";
import { cacheKey, cachedKey, forgetKey } from "../limits/key-cache";
import { configError, unauthorized } from "./errors";
import { hashKey, keyFromHeaders } from "./key-header";

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

/** The key carries its team's model_aliases (see identity/aliases.ts), loaded with it. */
export type Principal = { kind: "master" } | { kind: "key"; key: AuthKeyRow };

/** Who is calling: the master key, or a virtual key known to D1. Throws 401 / 503. */
export async function authenticate(headers: Headers, env: Env, config: ResolvedConfig): Promise<Principal> {
  if (!config.masterKey) throw configError(config.masterKeyError ?? "No master key is set.");
  const presented = keyFromHeaders(headers);
  if (!presented) {
    throw unauthorized("No API key was given. Send it as 'Authorization: Bearer <key>' (or x-api-key / api-key).");
  }
  // One SHA-256 per request: the presented key's, compared in constant time with the master key's
  // (hashed once per isolate), and otherwise the lookup token of a virtual key.
  const [token, master] = await Promise.all([hashKey(presented), masterHash(config.masterKey)]);
  if (constantTimeEqual(token, master)) return { kind: "master" };
  let row = cachedKey(token);
  if (row === undefined) {
    row = (await findAuthKey(db(env.DB), token)) ?? null;
    cacheKey(token, row);
  }
  if (!row) throw unauthorized("The API key is not valid.");
  if (row.expires !== null && row.expires <= Date.now()) throw unauthorized("This key has expired.");
  return { kind: "key", key: row };
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
