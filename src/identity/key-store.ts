import { db } from "../db/client";
import { insertKey } from "../db/keys";
import type { KeyRow } from "../db/schema";
import type { Env } from "../env";
import { hashKey } from "../http/key-header";
import { guardOf } from "../limits/guard-client";
import { forgetKey } from "../limits/key-cache";
import type { LedgerData } from "../limits/ledger";
import { keyState, keySubject } from "../limits/subjects";

/** A new raw key: `sk-` and 32 characters of base64url randomness. */
export function newRawKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `sk-${btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")}`;
}

export const displayName = (raw: string) => `sk-...${raw.slice(-4)}`;

export const keyGuard = (env: Env, token: string) => guardOf(env, keySubject(token));

/** Tells the key's guard first, so the change holds in every isolate from the next call. */
export async function syncKeyGuard(env: Env, row: KeyRow, revoked = false, ledger?: LedgerData): Promise<void> {
  await keyGuard(env, row.token).configure(keyState(row, revoked), Date.now(), ledger);
  forgetKey(row.token);
}

/** Stores a new key with `fields` and tells its guard; the raw key is returned once, here. */
export async function createKey(env: Env, fields: Partial<typeof import("../db/schema").keys.$inferInsert>): Promise<{ raw: string; row: KeyRow }> {
  const raw = newRawKey();
  const row = await insertKey(db(env.DB), { models: [], metadata: {}, ...fields, token: await hashKey(raw), keyName: displayName(raw) });
  await syncKeyGuard(env, row);
  return { raw, row };
}
