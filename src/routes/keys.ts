import { Hono, type Context } from "hono";
import type { AppEnv } from "../app-env";
import { db } from "../db/client";
import { deleteKeys, findKey, findKeys, insertKey, listKeys, updateKey } from "../db/keys";
import type { KeyRow } from "../db/schema";
import { forbidden, GatewayError, invalidRequest } from "../http/errors";
import { readJson } from "../http/json";
import { hashKey } from "../http/key-header";
import { requireAuth } from "../http/middleware";
import { guardOf, guardState } from "../limits/guard-client";
import { forgetKey } from "../limits/key-cache";
import { expiryFrom, generateSchema, parseKeyBody, updateSchema, type KeyFields } from "./key-fields";

export const keyRoutes = new Hono<AppEnv>();

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const notFound = (what: string) => new GatewayError(404, `Key '${what}' was not found.`, "invalid_request_error", "key_not_found", "key");

/** A new raw key: `sk-` and 32 characters of base64url randomness. */
function newRawKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return `sk-${btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")}`;
}

const displayName = (raw: string) => `sk-...${raw.slice(-4)}`;

/** A key named by its raw `sk-...` form or by its token (hash). */
async function tokenOf(keyOrToken: string): Promise<string> {
  return /^[0-9a-f]{64}$/.test(keyOrToken) ? keyOrToken : hashKey(keyOrToken);
}

function keyObject(row: KeyRow) {
  return {
    token: row.token,
    key_name: row.keyName,
    key_alias: row.keyAlias,
    models: row.models,
    spend: row.spend,
    expires: iso(row.expires),
    blocked: row.blocked,
    rpm_limit: row.rpmLimit,
    metadata: row.metadata,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
    budget_reset_at: null,
  };
}

/** Tells the key's guard first, so the change holds in every isolate from the next call. */
async function syncGuard(c: Context<AppEnv>, row: KeyRow, revoked = false): Promise<void> {
  await guardOf(c.env, row.token).configure(guardState(row, revoked));
  forgetKey(row.token);
}

function rowFields(f: KeyFields) {
  const out: Partial<KeyRow> = {};
  if (f.key_alias !== undefined) out.keyAlias = f.key_alias;
  if (f.models !== undefined) out.models = f.models ?? [];
  const expires = expiryFrom(f.duration);
  if (expires !== undefined) out.expires = expires;
  if (f.rpm_limit !== undefined) out.rpmLimit = f.rpm_limit;
  if (f.metadata !== undefined) out.metadata = f.metadata ?? {};
  return out;
}

keyRoutes.post("/key/generate", requireAuth("admin"), async (c) => {
  const f = parseKeyBody(generateSchema, await readJson(c));
  const raw = newRawKey();
  const row = await insertKey(db(c.env.DB), {
    token: await hashKey(raw),
    keyName: displayName(raw),
    keyAlias: f.key_alias ?? null,
    models: f.models ?? [],
    expires: expiryFrom(f.duration) ?? null,
    rpmLimit: f.rpm_limit ?? null,
    metadata: f.metadata ?? {},
  });
  await syncGuard(c, row);
  return c.json({ key: raw, ...keyObject(row), expires: iso(row.expires) });
});

keyRoutes.get("/key/info", requireAuth("key"), async (c) => {
  const principal = c.get("principal");
  const asked = c.req.query("key");
  let token: string;
  if (principal.kind === "key") {
    token = asked ? await tokenOf(asked) : principal.key.token;
    if (token !== principal.key.token) throw forbidden("A key may only read its own info.");
  } else {
    if (!asked) throw invalidRequest("Name the key: /key/info?key=<key or token>.", "key");
    token = await tokenOf(asked);
  }
  const row = await findKey(db(c.env.DB), token);
  if (!row) throw notFound(asked ?? token);
  const { token: t, ...info } = keyObject(row);
  return c.json({ key: t, info });
});

keyRoutes.post("/key/update", requireAuth("admin"), async (c) => {
  const f = parseKeyBody(updateSchema, await readJson(c));
  const token = await tokenOf(f.key);
  const row = await updateKey(db(c.env.DB), token, rowFields(f));
  if (!row) throw notFound(f.key);
  await syncGuard(c, row);
  return c.json(keyObject(row));
});

keyRoutes.post("/key/delete", requireAuth("admin"), async (c) => {
  const body = (await readJson(c)) as { keys?: unknown; key_aliases?: unknown };
  if (!body || typeof body !== "object" || Array.isArray(body)) throw invalidRequest("The request body must be a JSON object.");
  for (const name of Object.keys(body)) if (name !== "keys" && name !== "key_aliases") throw invalidRequest(`Unknown field '${name}'.`, name);
  const names = body.keys ?? [];
  const aliases = body.key_aliases ?? [];
  if (!Array.isArray(names) || !names.every((k) => typeof k === "string")) throw invalidRequest("'keys' must be a list of keys.", "keys");
  if (!Array.isArray(aliases) || !aliases.every((k) => typeof k === "string")) throw invalidRequest("'key_aliases' must be a list of aliases.", "key_aliases");
  if (!names.length && !aliases.length) throw invalidRequest("Name the keys to delete in 'keys'.", "keys");
  const tokens = await Promise.all(names.map(tokenOf));
  const rows = await findKeys(db(c.env.DB), tokens, aliases);
  const found = new Set(rows.map((r) => r.token));
  const missing = names.find((_, i) => !found.has(tokens[i]!));
  if (missing) throw notFound(missing);
  await Promise.all(rows.map((r) => syncGuard(c, r, true)));
  await deleteKeys(db(c.env.DB), [...found]);
  return c.json({ deleted_keys: [...names, ...rows.filter((r) => !tokens.includes(r.token)).map((r) => r.keyAlias)] });
});

keyRoutes.get("/key/list", requireAuth("admin"), async (c) => {
  const page = Number(c.req.query("page") ?? "1");
  const size = Number(c.req.query("size") ?? "10");
  if (!Number.isInteger(page) || page < 1) throw invalidRequest("'page' must be a whole number from 1.", "page");
  if (!Number.isInteger(size) || size < 1 || size > 100) throw invalidRequest("'size' must be a whole number from 1 to 100.", "size");
  const full = c.req.query("return_full_object") === "true";
  const { rows, total } = await listKeys(db(c.env.DB), page, size);
  return c.json({
    keys: full ? rows.map(keyObject) : rows.map((r) => r.token),
    total_count: total,
    current_page: page,
    total_pages: Math.ceil(total / size),
  });
});

async function regenerate(c: Context<AppEnv>, keyOrToken: string | undefined, body: Record<string, unknown>) {
  if (!keyOrToken) throw invalidRequest("Name the key to regenerate in 'key'.", "key");
  const f = parseKeyBody(generateSchema, body, ["key"]);
  const d = db(c.env.DB);
  const old = await findKey(d, await tokenOf(keyOrToken));
  if (!old) throw notFound(keyOrToken);
  const raw = newRawKey();
  const now = Date.now();
  const row = await insertKey(d, { ...old, ...rowFields(f), token: await hashKey(raw), keyName: displayName(raw), updatedAt: now });
  await syncGuard(c, old, true);
  await deleteKeys(d, [old.token]);
  await syncGuard(c, row);
  return c.json({ key: raw, ...keyObject(row) });
}

keyRoutes.post("/key/regenerate", requireAuth("admin"), async (c) => {
  const body = (await readJson(c)) as Record<string, unknown>;
  if (!body || typeof body !== "object") throw invalidRequest("The request body must be a JSON object.");
  return regenerate(c, typeof body.key === "string" ? body.key : undefined, body);
});

keyRoutes.post("/key/:key/regenerate", requireAuth("admin"), async (c) => {
  const text = await c.req.text();
  let body: Record<string, unknown> = {};
  if (text.trim()) {
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw invalidRequest("The request body is not valid JSON.");
    }
  }
  return regenerate(c, c.req.param("key"), body);
});
