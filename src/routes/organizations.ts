import { Hono, type Context } from "hono";
import type { AppEnv } from "../app-env";
import { db } from "../db/client";
import { deleteOrgs, findOrg, insertOrg, listOrgs, orgMembers, orgTeams, updateOrg, upsertOrgMember } from "../db/organizations";
import { invalidRequest } from "../http/errors";
import { readJson } from "../http/json";
import { requireAuth } from "../http/middleware";
import { parseAdminBody } from "../identity/fields";
import { memberUser } from "../identity/members";
import { newOrgSchema, ORG_NOT_YET, orgGuard, orgMemberAddSchema, orgNotFound, orgObject, orgRowFields, syncOrgGuard, updateOrgSchema } from "../identity/organizations";
import { mayOrg, outOfReach, reachesAll } from "../identity/scope";
import { guardOf } from "../limits/guard-client";
import { teamState, teamSubject } from "../limits/subjects";

/** LiteLLM's organizations: above teams; an organization's models, limits and budget bound its teams' keys. */
export const orgRoutes = new Hono<AppEnv>();

orgRoutes.post("/organization/new", requireAuth("admin"), async (c) => {
  const f = parseAdminBody(newOrgSchema, await readJson(c), ORG_NOT_YET);
  const d = db(c.env.DB);
  const id = f.organization_id ?? crypto.randomUUID();
  if (await findOrg(d, id)) throw invalidRequest(`Organization '${id}' already exists.`, "organization_id");
  const row = await insertOrg(d, { models: [], metadata: {}, ...orgRowFields(f), organizationId: id });
  await syncOrgGuard(c.env, row);
  return c.json(orgObject(row));
});

orgRoutes.get("/organization/info", requireAuth("admin"), async (c) => {
  const id = c.req.query("organization_id");
  if (!id) throw invalidRequest("Name the organization: /organization/info?organization_id=<id>.", "organization_id");
  if (!mayOrg(c.get("actor"), id)) throw outOfReach(`organization '${id}'`);
  const d = db(c.env.DB);
  const row = await findOrg(d, id);
  if (!row) throw orgNotFound(id);
  const [teams, members, view] = await Promise.all([orgTeams(d, [id]), orgMembers(d, id), orgGuard(c.env, id).view(Date.now())]);
  return c.json({ ...orgObject(row, teams, members, view.resetAt), current_period_spend: view.spend, reserved_spend: view.reserved });
});

async function update(c: Context<AppEnv>) {
  const f = parseAdminBody(updateOrgSchema, await readJson(c), ORG_NOT_YET);
  const row = await updateOrg(db(c.env.DB), f.organization_id, orgRowFields(f));
  if (!row) throw orgNotFound(f.organization_id);
  await syncOrgGuard(c.env, row);
  return c.json(orgObject(row));
}
// LiteLLM answers PATCH /organization/update; POST is accepted too.
orgRoutes.patch("/organization/update", requireAuth("admin"), update);
orgRoutes.post("/organization/update", requireAuth("admin"), update);

/**
 * Deletes organizations with their teams, as LiteLLM does: the guards of both are revoked first, so the
 * teams' keys are refused from their next call (as after /team/delete), a key cached with its team's
 * organization included.
 */
async function remove(c: Context<AppEnv>) {
  const body = (await readJson(c)) as { organization_ids?: unknown };
  const ids = body?.organization_ids;
  if (!Array.isArray(ids) || !ids.length || !ids.every((x) => typeof x === "string")) throw invalidRequest("'organization_ids' must be a non-empty list of organization ids.", "organization_ids");
  const d = db(c.env.DB);
  const rows = await Promise.all(ids.map((id) => findOrg(d, id)));
  const missing = ids.find((_, i) => !rows[i]);
  if (missing) throw orgNotFound(missing);
  const teams = await orgTeams(d, ids);
  await Promise.all([...rows.map((r) => syncOrgGuard(c.env, r!, true)), ...teams.map((t) => guardOf(c.env, teamSubject(t.teamId)).configure(teamState(t, true), Date.now()))]);
  await deleteOrgs(
    d,
    ids,
    teams.map((t) => t.teamId),
  );
  return c.json({ deleted_organizations: ids });
}
orgRoutes.delete("/organization/delete", requireAuth("admin"), remove);
orgRoutes.post("/organization/delete", requireAuth("admin"), remove);

orgRoutes.get("/organization/list", requireAuth("admin"), async (c) => {
  const actor = c.get("actor");
  const d = db(c.env.DB);
  const rows = (await listOrgs(d)).filter((r) => mayOrg(actor, r.organizationId));
  return c.json(await Promise.all(rows.map(async (r) => orgObject(r, await orgTeams(d, [r.organizationId]), await orgMembers(d, r.organizationId)))));
});

/** Adds users to an organization with their role there (`org_admin` manages its teams and their keys). */
orgRoutes.post("/organization/member_add", requireAuth("admin"), async (c) => {
  const f = parseAdminBody(orgMemberAddSchema, await readJson(c));
  const actor = c.get("actor");
  if (!mayOrg(actor, f.organization_id)) throw outOfReach(`organization '${f.organization_id}'`);
  const d = db(c.env.DB);
  if (!(await findOrg(d, f.organization_id))) throw orgNotFound(f.organization_id);
  const members = Array.isArray(f.member) ? f.member : [f.member];
  const added = [];
  for (const [i, m] of members.entries()) {
    // Only a proxy admin creates users; an org admin adds users that exist.
    const user = await memberUser(c.env, m, `member[${i}]`, reachesAll(actor));
    if (!user) throw invalidRequest(`No user ${m.user_id ?? m.user_email} exists; a proxy admin creates users.`, `member[${i}]`);
    added.push(await upsertOrgMember(d, { organizationId: f.organization_id, userId: user.userId, userRole: m.role ?? "internal_user" }));
  }
  return c.json({ organization_id: f.organization_id, updated_organization_memberships: added.map((m) => ({ user_id: m.userId, user_role: m.userRole })) });
});
