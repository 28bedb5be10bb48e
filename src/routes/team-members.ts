import { Hono, type Context } from "hono";
import * as z from "zod/mini";
import type { AppEnv } from "../app-env";
import { db } from "../db/client";
import { deleteKeys, memberKeys } from "../db/keys";
import type { TeamRow } from "../db/schema";
import { findTeam, updateTeam } from "../db/teams";
import { deleteMember, findMember, updateMember } from "../db/users";
import { GatewayError, invalidRequest } from "../http/errors";
import { readJson } from "../http/json";
import { requireAuth } from "../http/middleware";
import { parseAdminBody } from "../identity/fields";
import { syncKeyGuard } from "../identity/key-store";
import { addMembers, endMemberGuard, memberAddSchema, memberDeleteSchema, membershipObject, memberUpdateSchema, memberUser, syncMemberGuard } from "../identity/members";
import { mayTeam, outOfReach, reachesAll } from "../identity/scope";
import { userObject } from "../identity/users";
import { guardOf } from "../limits/guard-client";
import { teamState, teamSubject } from "../limits/subjects";

/** LiteLLM's team membership and team model routes: proxy admins, and a team's own admins for its members. */
export const teamMemberRoutes = new Hono<AppEnv>();

const teamNotFound = (id: string) => new GatewayError(404, `Team '${id}' was not found.`, "invalid_request_error", "team_not_found", "team_id");

/** The team named in the body, after checking the caller may manage it (403 before 404 for outsiders). */
async function teamFor(c: Context<AppEnv>, id: string): Promise<TeamRow> {
  const actor = c.get("actor");
  if (!mayTeam(actor, id)) throw outOfReach(`team '${id}'`);
  const team = await findTeam(db(c.env.DB), id);
  if (!team) throw teamNotFound(id);
  return team;
}

/** Adds members (one or a list) with their role; `max_budget_in_team` bounds what their keys spend in this team. */
teamMemberRoutes.post("/team/member_add", requireAuth("admin"), async (c) => {
  const f = parseAdminBody(memberAddSchema, await readJson(c));
  const team = await teamFor(c, f.team_id);
  const members = Array.isArray(f.member) ? f.member : [f.member];
  // A team admin adds members to its team; only a proxy admin may create users it does not know.
  if (!reachesAll(c.get("actor"))) {
    for (const [i, m] of members.entries())
      if (!(await memberUser(c.env, m, `member[${i}]`, false))) throw invalidRequest(`No user ${m.user_id ?? m.user_email} exists; a proxy admin creates users.`, `member[${i}]`);
  }
  const added = await addMembers(c.env, team.teamId, team.budgetDuration, members, f.max_budget_in_team ?? null, "member");
  return c.json({
    team_id: team.teamId,
    updated_users: added.map((a) => userObject(a.user, [team.teamId])),
    updated_team_memberships: added.map((a) => membershipObject(a.membership)),
  });
});

teamMemberRoutes.post("/team/member_update", requireAuth("admin"), async (c) => {
  const f = parseAdminBody(memberUpdateSchema, await readJson(c));
  const team = await teamFor(c, f.team_id);
  const user = await memberUser(c.env, f, "user_id", false);
  const current = user && (await findMember(db(c.env.DB), team.teamId, user.userId));
  if (!user || !current) throw new GatewayError(404, `That user is not a member of team '${team.teamId}'.`, "invalid_request_error", "member_not_found", "user_id");
  const fields: { role?: string; maxBudgetInTeam?: number | null } = {};
  if (f.role !== undefined) fields.role = f.role;
  if (f.max_budget_in_team !== undefined) fields.maxBudgetInTeam = f.max_budget_in_team;
  const row = (await updateMember(db(c.env.DB), team.teamId, user.userId, fields)) ?? current;
  await syncMemberGuard(c.env, row, team.budgetDuration);
  return c.json({ team_id: team.teamId, user_id: user.userId, user_email: user.userEmail, role: row.role, max_budget_in_team: row.maxBudgetInTeam });
});

/** Removes a member; its keys in this team are deleted (refused from the next call) and its budget there goes, as in LiteLLM. */
teamMemberRoutes.post("/team/member_delete", requireAuth("admin"), async (c) => {
  const f = parseAdminBody(memberDeleteSchema, await readJson(c));
  const team = await teamFor(c, f.team_id);
  const d = db(c.env.DB);
  const user = await memberUser(c.env, f, "user_id", false);
  if (!user || !(await deleteMember(d, team.teamId, user.userId))) {
    throw new GatewayError(404, `That user is not a member of team '${team.teamId}'.`, "invalid_request_error", "member_not_found", "user_id");
  }
  const theirs = await memberKeys(d, team.teamId, user.userId);
  await Promise.all([...theirs.map((k) => syncKeyGuard(c.env, k, true)), endMemberGuard(c.env, team.teamId, user.userId, team.budgetDuration)]);
  await deleteKeys(
    d,
    theirs.map((k) => k.token),
  );
  return c.json({ team_id: team.teamId, user_id: user.userId, deleted_keys: theirs.map((k) => k.token) });
});

const modelsSchema = z.object({ team_id: z.string().check(z.minLength(1)), models: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)) });

async function changeModels(c: Context<AppEnv>, change: (current: string[], given: string[]) => string[]) {
  const f = parseAdminBody(modelsSchema, await readJson(c));
  const team = await teamFor(c, f.team_id);
  const row = (await updateTeam(db(c.env.DB), team.teamId, { models: change(team.models, f.models) }))!;
  await guardOf(c.env, teamSubject(row.teamId)).configure(teamState(row), Date.now());
  return c.json({ team_id: row.teamId, models: row.models });
}

teamMemberRoutes.post("/team/model/add", requireAuth("admin"), (c) => changeModels(c, (cur, add) => [...new Set([...cur, ...add])]));

/** Removing models from a team's list; a list emptied this way would mean "every model", so that is refused. */
teamMemberRoutes.post("/team/model/delete", requireAuth("admin"), (c) =>
  changeModels(c, (cur, drop) => {
    const left = cur.filter((m) => !drop.includes(m));
    if (!left.length) throw invalidRequest("Removing these models would leave the team's list empty, which means every model; set the list with /team/update instead.", "models");
    return left;
  }),
);
