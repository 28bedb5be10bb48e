import { Hono, type Context } from "hono";
import type { AppEnv } from "../app-env";
import { checkCacheDefaults } from "../cache/controls";
import { db } from "../db/client";
import { keyCacheSavings } from "../db/spend";
import { deleteKeys, findKey, findKeys, insertKey, listKeys, listKeysOf, updateKey } from "../db/keys";
import type { KeyRow } from "../db/schema";
import { forbidden, GatewayError, invalidRequest } from "../http/errors";
import { readJson } from "../http/json";
import { hashKey } from "../http/key-header";
import { requireAuth } from "../http/middleware";
import { flushSettlesFor } from "../limits/admission";
import { keySubject } from "../limits/subjects";
import type { LedgerData } from "../limits/ledger";
import type { LiveUsage } from "../limits/guard-state";
import { createKey, displayName, keyGuard, newRawKey, syncKeyGuard } from "../identity/key-store";
import { findTeam } from "../db/teams";
import { findMember, findUser } from "../db/users";
import type { Actor } from "../http/actor";
import { adminTeams, mayKey, orgTeamIds, outOfReach, ownUserId, reachesAll, reachesOwn } from "../identity/scope";
import { maskMetadata, sealMetadataLogging } from "../telemetry/tenant-logging";
import { checkDuration, keepStoredLogging } from "../identity/fields";
import { expiryDate, expiryFrom, generateSchema, parseKeyBody, updateSchema, type KeyFields } from "./key-fields";

export const keyRoutes = new Hono<AppEnv>();

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const notFound = (what: string) => new GatewayError(404, `Key '${what}' was not found.`, "invalid_request_error", "key_not_found", "key");

/** A key named by its raw `sk-...` form or by its token (hash). */
async function tokenOf(keyOrToken: string): Promise<string> {
  return /^[0-9a-f]{64}$/.test(keyOrToken) ? keyOrToken : hashKey(keyOrToken);
}

function keyObject(row: KeyRow, budgetResetAt: number | null = null) {
  return {
    token: row.token,
    key_name: row.keyName,
    key_alias: row.keyAlias,
    models: row.models,
    spend: row.spend,
    expires: iso(row.expires),
    blocked: row.blocked,
    team_id: row.teamId,
    rpm_limit: row.rpmLimit,
    tpm_limit: row.tpmLimit,
    max_parallel_requests: row.maxParallelRequests,
    model_rpm_limit: row.modelRpmLimit,
    model_tpm_limit: row.modelTpmLimit,
    max_budget: row.maxBudget,
    budget_duration: row.budgetDuration,
    soft_budget: row.softBudget,
    model_max_budget: row.modelMaxBudget,
    temp_budget_increase: row.tempBudgetIncrease,
    temp_budget_expiry: iso(row.tempBudgetExpiry),
    // Team- and key-based logging credentials are never shown back.
    metadata: maskMetadata(row.metadata),
    user_id: row.userId,
    aliases: row.aliases ?? {},
    tags: row.tags ?? [],
    key_type: row.keyType,
    allowed_routes: row.allowedRoutes ?? [],
    allowed_cache_controls: row.allowedCacheControls ?? [],
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
    budget_reset_at: iso(budgetResetAt),
  };
}

/**
 * The key's live usage from its guard: requests and tokens in the current one-minute window
 * (null when the key has no such limit: the guard counts only what it enforces) and the budget
 * period's spend against max_budget (both null without one: the guard's ledger then follows only
 * the calls it settles for other reasons).
 */
function liveUsage(row: KeyRow, live: LiveUsage) {
  const now = Date.now();
  const temp = row.tempBudgetIncrease && row.tempBudgetExpiry && row.tempBudgetExpiry > now ? row.tempBudgetIncrease : 0;
  const budget = row.maxBudget == null ? null : row.maxBudget + temp;
  return {
    rpm_used: live.requestsUsed,
    tpm_used: live.tokensUsed,
    rpm_remaining: row.rpmLimit == null || live.requestsUsed === null ? null : Math.max(0, row.rpmLimit - live.requestsUsed),
    tpm_remaining: row.tpmLimit == null || live.tokensUsed === null ? null : Math.max(0, row.tpmLimit - live.tokensUsed),
    budget_used: budget === null ? null : live.spend,
    budget_remaining: budget === null ? null : Math.max(0, Number((budget - live.spend).toFixed(12))),
  };
}

const guard = (c: Context<AppEnv>, token: string) => keyGuard(c.env, token);
const syncGuard = (c: Context<AppEnv>, row: KeyRow, revoked = false, ledger?: LedgerData) => syncKeyGuard(c.env, row, revoked, ledger);

/**
 * Who a key may belong to when the caller is not a proxy admin: its own user (in a team it belongs
 * to, or none), or a team it administers (for itself or any member of that team). 403 otherwise.
 */
async function checkKeyOwner(c: Context<AppEnv>, actor: Actor, target: { userId?: string | null; teamId?: string | null }): Promise<void> {
  if (reachesAll(actor)) return;
  const own = ownUserId(actor);
  const teamId = target.teamId ?? null;
  if (teamId && orgTeamIds(actor).includes(teamId)) return;
  if (teamId && adminTeams(actor).includes(teamId)) {
    if (target.userId == null || (await findMember(db(c.env.DB), teamId, target.userId))) return;
    throw forbidden(`User '${target.userId}' is not a member of team '${teamId}'.`, "forbidden");
  }
  if (own && reachesOwn(actor)) {
    if (target.userId === undefined) target.userId = own;
    if (target.userId !== own) throw forbidden("You may create and change keys only for your own user_id.", "forbidden");
    if (teamId && !actor.memberships.some((m) => m.teamId === teamId)) throw forbidden(`You are not a member of team '${teamId}'.`, "forbidden");
    return;
  }
  throw outOfReach(teamId ? `keys of team '${teamId}'` : "keys outside your teams");
}

async function rowFields(c: Context<AppEnv>, f: KeyFields) {
  const out: Partial<KeyRow> = {};
  if (f.key_alias !== undefined) out.keyAlias = f.key_alias;
  if (f.models !== undefined) out.models = f.models ?? [];
  const expires = expiryFrom(f.duration);
  if (expires !== undefined) out.expires = expires;
  if (f.rpm_limit !== undefined) out.rpmLimit = f.rpm_limit;
  if (f.tpm_limit !== undefined) out.tpmLimit = f.tpm_limit;
  if (f.max_parallel_requests !== undefined) out.maxParallelRequests = f.max_parallel_requests;
  if (f.model_rpm_limit !== undefined) out.modelRpmLimit = f.model_rpm_limit;
  if (f.model_tpm_limit !== undefined) out.modelTpmLimit = f.model_tpm_limit;
  if (f.max_budget !== undefined) out.maxBudget = f.max_budget;
  checkDuration(f.budget_duration, "budget_duration");
  if (f.budget_duration !== undefined) out.budgetDuration = f.budget_duration;
  if (f.soft_budget !== undefined) out.softBudget = f.soft_budget;
  for (const [m, b] of Object.entries(f.model_max_budget ?? {})) checkDuration(b.time_period, `model_max_budget.${m}.time_period`);
  if (f.model_max_budget !== undefined) out.modelMaxBudget = f.model_max_budget;
  if (f.team_id !== undefined) {
    if (f.team_id !== null && !(await findTeam(db(c.env.DB), f.team_id))) throw invalidRequest(`Team '${f.team_id}' does not exist.`, "team_id");
    out.teamId = f.team_id;
  }
  if (f.temp_budget_increase !== undefined) out.tempBudgetIncrease = f.temp_budget_increase;
  const tempExpiry = expiryDate(f.temp_budget_expiry);
  if (tempExpiry !== undefined) out.tempBudgetExpiry = tempExpiry;
  if (f.blocked !== undefined) out.blocked = f.blocked;
  if (f.metadata !== undefined) {
    checkCacheDefaults(f.metadata?.cache);
    out.metadata = f.metadata ?? {};
  }
  if (f.user_id !== undefined) {
    if (f.user_id !== null && !(await findUser(db(c.env.DB), f.user_id))) throw invalidRequest(`User '${f.user_id}' does not exist.`, "user_id");
    out.userId = f.user_id;
  }
  if (f.aliases !== undefined) out.aliases = f.aliases;
  if (f.tags !== undefined) out.tags = f.tags;
  if (f.key_type !== undefined) out.keyType = f.key_type;
  if (f.allowed_routes !== undefined) out.allowedRoutes = f.allowed_routes;
  if (f.allowed_cache_controls !== undefined) out.allowedCacheControls = f.allowed_cache_controls;
  return out;
}

keyRoutes.post("/key/generate", requireAuth("admin"), async (c) => {
  const f = parseKeyBody(generateSchema, await readJson(c));
  const actor = c.get("actor");
  const fields = await rowFields(c, f);
  await checkKeyOwner(c, actor, fields);
  if (fields.metadata) fields.metadata = await sealMetadataLogging(fields.metadata, undefined, c.env as unknown as Record<string, unknown>, reachesAll(actor));
  const { raw, row } = await createKey(c.env, fields);
  const view = await guard(c, row.token).view(Date.now());
  return c.json({ key: raw, token_id: row.token, ...keyObject(row, view.resetAt) });
});

keyRoutes.get("/key/info", requireAuth("admin"), async (c) => {
  const principal = c.get("principal");
  const actor = c.get("actor");
  const asked = c.req.query("key");
  if (!asked && principal.kind !== "key") throw invalidRequest("Name the key: /key/info?key=<key or token>.", "key");
  const token = asked ? await tokenOf(asked) : (principal as { key: KeyRow }).key.token;
  const row = await findKey(db(c.env.DB), token);
  // Outside the caller's reach, a key that does not exist and one that does answer alike.
  if (!reachesAll(actor) && (!row || !mayKey(actor, row))) throw outOfReach("this key");
  if (!row) throw notFound(asked ?? token);
  await flushSettlesFor(c.env, c.get("config"), keySubject(token));
  const [live, savings] = await Promise.all([guard(c, token).usage(Date.now()), keyCacheSavings(c.env.DB, token)]);
  const { token: t, ...info } = keyObject(row, live.resetAt);
  return c.json({ key: t, info: { ...info, current_period_spend: live.spend, reserved_spend: live.reserved, parallel_requests_in_flight: live.inFlight, ...liveUsage(row, live), ...savings } });
});

keyRoutes.post("/key/update", requireAuth("admin"), async (c) => {
  const f = parseKeyBody(updateSchema, await readJson(c));
  const actor = c.get("actor");
  const token = await tokenOf(f.key);
  const d = db(c.env.DB);
  const before = await findKey(d, token);
  if (!reachesAll(actor) && (!before || !mayKey(actor, before))) throw outOfReach("this key");
  if (!before) throw notFound(f.key);
  const fields = await rowFields(c, f);
  if (fields.metadata)
    fields.metadata = keepStoredLogging(await sealMetadataLogging(fields.metadata, before.metadata, c.env as unknown as Record<string, unknown>, reachesAll(actor)), before.metadata);
  if (!reachesAll(actor)) {
    // Only a proxy admin unblocks (or blocks) a key; everyone else moves keys only within its reach.
    if (f.blocked !== undefined) throw forbidden("Only a proxy admin may change 'blocked' (use /key/block and /key/unblock).", "forbidden");
    await checkKeyOwner(c, actor, { userId: before.userId, teamId: before.teamId, ...fields });
  }
  const row = await updateKey(d, token, fields);
  if (!row) throw notFound(f.key);
  await syncGuard(c, row);
  return c.json(keyObject(row, (await guard(c, token).view(Date.now())).resetAt));
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
  const actor = c.get("actor");
  if (!reachesAll(actor) && rows.some((r) => !mayKey(actor, r))) throw outOfReach("one of these keys");
  const found = new Set(rows.map((r) => r.token));
  const missing = names.find((_, i) => !found.has(tokens[i]!));
  if (missing && !reachesAll(actor)) throw outOfReach(`'${missing}'`);
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
  const actor = c.get("actor");
  const { rows, total } = reachesAll(actor)
    ? await listKeys(db(c.env.DB), page, size)
    : await listKeysOf(db(c.env.DB), page, size, { userId: ownUserId(actor), teamIds: [...adminTeams(actor), ...orgTeamIds(actor)] });
  // Full objects: a key with a budget period reads when it resets from its guard (as /key/info does); the others have none.
  const now = Date.now();
  const keys = full ? await Promise.all(rows.map(async (r) => keyObject(r, r.budgetDuration ? (await guard(c, r.token).view(now)).resetAt : null))) : rows.map((r) => r.token);
  return c.json({
    keys,
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
  const actor = c.get("actor");
  if (!reachesAll(actor) && (!old || !mayKey(actor, old))) throw outOfReach("this key");
  if (!old) throw notFound(keyOrToken);
  if (!reachesAll(actor) && body.blocked !== undefined) throw forbidden("Only a proxy admin may change 'blocked'.");
  const raw = newRawKey();
  const now = Date.now();
  const fields = await rowFields(c, f);
  if (!reachesAll(actor)) await checkKeyOwner(c, actor, { userId: old.userId, teamId: old.teamId, ...fields });
  const row = await insertKey(d, { ...old, ...fields, token: await hashKey(raw), keyName: displayName(raw), updatedAt: now });
  // The new key keeps the old one's limits and its budget period's spend.
  // This isolate's settles still waiting for the old key's guard land before its ledger moves.
  await flushSettlesFor(c.env, c.get("config"), keySubject(old.token));
  const ledger = await guard(c, old.token).ledgerData();
  await syncGuard(c, old, true);
  await deleteKeys(d, [old.token]);
  await syncGuard(c, row, false, ledger);
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

async function setBlocked(c: Context<AppEnv>, blocked: boolean) {
  const body = (await readJson(c)) as { key?: unknown };
  if (!body || typeof body !== "object" || typeof body.key !== "string") throw invalidRequest("Name the key in 'key'.", "key");
  const row = await updateKey(db(c.env.DB), await tokenOf(body.key), { blocked });
  if (!row) throw notFound(body.key);
  await syncGuard(c, row);
  return c.json(keyObject(row));
}

keyRoutes.post("/key/block", requireAuth("admin"), (c) => setBlocked(c, true));
keyRoutes.post("/key/unblock", requireAuth("admin"), (c) => setBlocked(c, false));

/** Sets the current budget period's spend (default 0); the key's total spend in D1 is unchanged. */
keyRoutes.post("/key/:key/reset_spend", requireAuth("admin"), async (c) => {
  const text = await c.req.text();
  let resetTo = 0;
  if (text.trim()) {
    let body: { reset_to?: unknown };
    try {
      body = JSON.parse(text);
    } catch {
      throw invalidRequest("The request body is not valid JSON.");
    }
    if (body.reset_to !== undefined && (typeof body.reset_to !== "number" || body.reset_to < 0)) throw invalidRequest("'reset_to' must be a number >= 0.", "reset_to");
    resetTo = (body.reset_to as number | undefined) ?? 0;
  }
  const token = await tokenOf(c.req.param("key"));
  const row = await findKey(db(c.env.DB), token);
  if (!row) throw notFound(c.req.param("key"));
  if (row.maxBudget != null && resetTo > row.maxBudget) throw invalidRequest("'reset_to' is above the key's max_budget.", "reset_to");
  const view = await guard(c, token).resetSpend(resetTo);
  return c.json({ key: token, current_period_spend: view.spend, budget_reset_at: iso(view.resetAt) });
});
