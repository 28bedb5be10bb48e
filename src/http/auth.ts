import { timingSafeEqual } from "hono/utils/buffer";
import type { ResolvedConfig } from "../config/resolve";
import { db } from "../db/client";
import { findKey } from "../db/keys";
import type { KeyRow } from "../db/schema";
import type { Env } from "../env";
import { cacheKey, cachedKey } from "../limits/key-cache";
import { configError, unauthorized } from "./errors";
import { hashKey, keyFromHeaders } from "./key-header";

export type Principal = { kind: "master" } | { kind: "key"; key: KeyRow };

/** Who is calling: the master key, or a virtual key known to D1. Throws 401 / 503. */
export async function authenticate(headers: Headers, env: Env, config: ResolvedConfig): Promise<Principal> {
  if (!config.masterKey) throw configError(config.masterKeyError ?? "No master key is set.");
  const presented = keyFromHeaders(headers);
  if (!presented) {
    throw unauthorized("No API key was given. Send it as 'Authorization: Bearer <key>' (or x-api-key / api-key).");
  }
  if (await timingSafeEqual(presented, config.masterKey)) return { kind: "master" };
  const token = await hashKey(presented);
  let row = cachedKey(token);
  if (row === undefined) {
    row = (await findKey(db(env.DB), token)) ?? null;
    cacheKey(token, row);
  }
  if (!row) throw unauthorized("The API key is not valid.");
  if (row.expires !== null && row.expires <= Date.now()) throw unauthorized("This key has expired.");
  return { kind: "key", key: row };
}
