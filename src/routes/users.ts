import { Hono } from "hono";
import type { AppEnv } from "../app-env";
import { db } from "../db/client";
import { findTeam } from "../db/teams";
import { deleteUsers, findUser, insertUser, listUsers, updateUser, userKeys, userMemberships } from "../db/users";
import { invalidRequest } from "../http/errors";
import { readJson } from "../http/json";
import { requireAuth } from "../http/middleware";
import { checkDuration, pageOf, parseAdminBody } from "../identity/fields";
import { createKey, syncKeyGuard } from "../identity/key-store";
import { mayUser, outOfReach, ownUserId } from "../identity/scope";
import { joinTeams, keySummary, newUserSchema, syncUserGuard, updateUserSchema, USER_NOT_YET, userByIdOrEmail, userGuard, userNotFound, userObject, userRowFields } from "../identity/users";
import { expiryFrom } from "./key-fields";

/** LiteLLM's internal users: /user/new, /user/info, /user/update, /user/delete, /user/list. */
export const userRoutes = new Hono<AppEnv>();

userRoutes.post("/user/new", requireAuth("admin"), async (c) => {
  const f = parseAdminBody(newUserSchema, await readJson(c), USER_NOT_YET);
  const d = db(c.env.DB);
  const id = f.user_id ?? crypto.randomUUID();
  if (await findUser(d, id)) throw invalidRequest(`User '${id}' already exists.`, "user_id");
  checkDuration(f.budget_duration, "budget_duration");
  const expires = expiryFrom(f.duration);
  const teamIds = f.teams ?? [];
  for (const t of teamIds) if (!(await findTeam(d, t))) throw invalidRequest(`Team '${t}' does not exist.`, "teams");
  const row = await insertUser(d, { userRole: "internal_user", models: [], metadata: {}, ...userRowFields(f), userId: id });
  await joinTeams(c.env, id, teamIds, "user");
  await syncUserGuard(c.env, row);
  const out: Record<string, unknown> = userObject(row, teamIds);
  if (f.auto_create_key !== false) {
    // LiteLLM's default: the new user gets a key of its own, bounded by the user's limits through its guard.
    const { raw, row: key } = await createKey(c.env, { userId: id, keyAlias: f.key_alias ?? null, expires: expires ?? null, models: [] });
    Object.assign(out, { key: raw, token: key.token, key_alias: key.keyAlias, expires: key.expires === null ? null : new Date(key.expires).toISOString() });
  }
  return c.json(out);
});

userRoutes.get("/user/info", requireAuth("admin"), async (c) => {
  const actor = c.get("actor");
  const id = c.req.query("user_id") || ownUserId(actor);
  if (!id) throw invalidRequest("Name the user: /user/info?user_id=<id>.", "user_id");
  if (!mayUser(actor, id)) throw outOfReach(`user '${id}'`);
  const d = db(c.env.DB);
  const row = await findUser(d, id);
  if (!row) throw userNotFound(id);
  const [keys, memberships, view] = await Promise.all([userKeys(d, id), userMemberships(d, id), userGuard(c.env, id).view(Date.now())]);
  const teams = await Promise.all(memberships.map((m) => findTeam(d, m.teamId)));
  return c.json({
    user_id: id,
    user_info: {
      ...userObject(
        row,
        memberships.map((m) => m.teamId),
        view.resetAt,
      ),
      current_period_spend: view.spend,
      reserved_spend: view.reserved,
    },
    keys: keys.map(keySummary),
    teams: teams.flatMap((t, i) => (t ? [{ team_id: t.teamId, team_alias: t.teamAlias, models: t.models, role: memberships[i]!.role, max_budget_in_team: memberships[i]!.maxBudgetInTeam }] : [])),
  });
});

userRoutes.post("/user/update", requireAuth("admin"), async (c) => {
  const f = parseAdminBody(updateUserSchema, await readJson(c), USER_NOT_YET);
  const d = db(c.env.DB);
  const existing = await userByIdOrEmail(d, f.user_id, f.user_email);
  const { user_id: _, ...fields } = f;
  // When the user is named by email, user_email is the selector, not a change.
  if (!f.user_id) delete fields.user_email;
  const row = (await updateUser(d, existing.userId, userRowFields(fields)))!;
  await syncUserGuard(c.env, row);
  const teams = (await userMemberships(d, row.userId)).map((m) => m.teamId);
  return c.json({ user_id: row.userId, data: userObject(row, teams) });
});

/** Deletes users, their memberships and their keys (refused from the next call on). */
userRoutes.post("/user/delete", requireAuth("admin"), async (c) => {
  const body = (await readJson(c)) as { user_ids?: unknown };
  if (!body || typeof body !== "object" || Array.isArray(body)) throw invalidRequest("The request body must be a JSON object.");
  for (const name of Object.keys(body)) if (name !== "user_ids") throw invalidRequest(`Unknown field '${name}'.`, name);
  const ids = body.user_ids;
  if (!Array.isArray(ids) || !ids.length || !ids.every((x) => typeof x === "string")) throw invalidRequest("'user_ids' must be a non-empty list of user ids.", "user_ids");
  const d = db(c.env.DB);
  const rows = await Promise.all(ids.map((id) => findUser(d, id)));
  const missing = ids.find((_, i) => !rows[i]);
  if (missing) throw userNotFound(missing);
  await Promise.all(rows.map((r) => syncUserGuard(c.env, r!, true)));
  const keys = await deleteUsers(d, ids);
  await Promise.all(keys.map((k) => syncKeyGuard(c.env, k, true)));
  return c.json({ deleted_users: ids, deleted_keys: keys.map((k) => k.token) });
});

userRoutes.get("/user/list", requireAuth("admin"), async (c) => {
  const q = c.req.query();
  const { page, size } = pageOf(q, "page_size", 25);
  const role = q.role || undefined;
  const { rows, total } = await listUsers(db(c.env.DB), page, size, role);
  const d = db(c.env.DB);
  const users = await Promise.all(
    rows.map(async (r) =>
      userObject(
        r,
        (await userMemberships(d, r.userId)).map((m) => m.teamId),
      ),
    ),
  );
  return c.json({ users, total, page, page_size: size, total_pages: Math.ceil(total / size) });
});
