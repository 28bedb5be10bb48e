import { Hono, type Context } from "hono";
import * as z from "zod/mini";
import type { AppEnv } from "../app-env";
import { db } from "../db/client";
import type { TeamRow } from "../db/schema";
import { deleteTeams, findTeam, insertTeam, listTeams, teamKeys, updateTeam } from "../db/teams";
import { GatewayError, invalidRequest } from "../http/errors";
import { readJson } from "../http/json";
import { requireAuth } from "../http/middleware";
import { guardOf } from "../limits/guard-client";
import { teamState, teamSubject } from "../limits/subjects";
import { parseKeyBody } from "./key-fields";
import { keepStoredLogging, limitRowFields } from "../identity/fields";
import type { TeamMemberRow } from "../db/schema";
import { teamMembersOf } from "../db/users";
import { addMembers, memberSchema, membershipObject } from "../identity/members";
import { adminTeams, mayTeam, memberTeams, orgTeamIds, outOfReach, reachesAll, selfKey } from "../identity/scope";
import { findOrg } from "../db/organizations";
import { forgetKey } from "../limits/key-cache";
import { maskMetadata, sealMetadataLogging } from "../telemetry/tenant-logging";

/** LiteLLM's team routes (master key): a team bounds its keys' models, budget and limits. */
export const teamRoutes = new Hono<AppEnv>();

const count = z.number().check(z.int(), z.gte(0));
const fields = {
  team_alias: z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(256)))),
  models: z.optional(z.nullable(z.array(z.string().check(z.minLength(1))))),
  max_budget: z.optional(z.nullable(z.number().check(z.gte(0)))),
  budget_duration: z.optional(z.nullable(z.string())),
  rpm_limit: z.optional(z.nullable(count)),
  tpm_limit: z.optional(z.nullable(count)),
  blocked: z.optional(z.boolean()),
  metadata: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  /** {requested model: model to call} for every key of the team; a key's own aliases win. */
  model_aliases: z.optional(z.nullable(z.record(z.string().check(z.minLength(1)), z.string().check(z.minLength(1))))),
  /** The organization above the team: it bounds the team's keys too. */
  organization_id: z.optional(z.nullable(z.string().check(z.minLength(1)))),
};
const newSchema = z.object({
  team_id: z.optional(z.string().check(z.minLength(1), z.maxLength(128))),
  ...fields,
  members_with_roles: z.optional(z.nullable(z.array(memberSchema).check(z.maxLength(100)))),
});
const updateSchema = z.object({ team_id: z.string().check(z.minLength(1)), ...fields });

type TeamFields = z.infer<typeof newSchema>;

const iso = (ms: number) => new Date(ms).toISOString();
const notFound = (id: string) => new GatewayError(404, `Team '${id}' was not found.`, "invalid_request_error", "team_not_found", "team_id");

function teamObject(row: TeamRow, resetAt: number | null = null, members: TeamMemberRow[] = []) {
  return {
    team_id: row.teamId,
    team_alias: row.teamAlias,
    models: row.models,
    max_budget: row.maxBudget,
    budget_duration: row.budgetDuration,
    budget_reset_at: resetAt === null ? null : iso(resetAt),
    rpm_limit: row.rpmLimit,
    tpm_limit: row.tpmLimit,
    spend: row.spend,
    blocked: row.blocked,
    // Team-based logging credentials are never shown back.
    metadata: maskMetadata(row.metadata),
    model_aliases: row.modelAliases ?? {},
    organization_id: row.organizationId,
    members_with_roles: members.map((m) => ({ role: m.role, user_id: m.userId })),
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

function rowFields(f: Partial<TeamFields>): Partial<TeamRow> {
  const out: Partial<TeamRow> = limitRowFields(f);
  if (f.team_alias !== undefined) out.teamAlias = f.team_alias;
  if (f.blocked !== undefined) out.blocked = f.blocked;
  if (f.model_aliases !== undefined) out.modelAliases = f.model_aliases;
  if (f.organization_id !== undefined) out.organizationId = f.organization_id;
  return out;
}

async function checkOrg(c: Context<AppEnv>, id: string | null | undefined): Promise<void> {
  if (id && !(await findOrg(db(c.env.DB), id))) throw invalidRequest(`Organization '${id}' does not exist.`, "organization_id");
}

const guard = (c: Context<AppEnv>, id: string) => guardOf(c.env, teamSubject(id));
const sync = (c: Context<AppEnv>, row: TeamRow, revoked = false) => guard(c, row.teamId).configure(teamState(row, revoked), Date.now());

teamRoutes.post("/team/new", requireAuth("admin"), async (c) => {
  const { members_with_roles, ...f } = parseKeyBody(newSchema, await readJson(c));
  const id = f.team_id ?? crypto.randomUUID();
  if (await findTeam(db(c.env.DB), id)) throw invalidRequest(`Team '${id}' already exists.`, "team_id");
  await checkOrg(c, f.organization_id);
  const fields = rowFields(f);
  if (fields.metadata) fields.metadata = await sealMetadataLogging(fields.metadata, undefined, c.env as unknown as Record<string, unknown>, reachesAll(c.get("actor")));
  const row = await insertTeam(db(c.env.DB), { models: [], metadata: {}, ...fields, teamId: id });
  await sync(c, row);
  const added = await addMembers(c.env, id, row.budgetDuration, members_with_roles ?? [], null, "members_with_roles");
  return c.json(
    teamObject(
      row,
      (await guard(c, id).view(Date.now())).resetAt,
      added.map((a) => a.membership),
    ),
  );
});

/** A team's info: proxy admins and viewers any team; a member its teams; a key its own team. */
teamRoutes.get("/team/info", requireAuth("admin"), async (c) => {
  const actor = c.get("actor");
  const principal = c.get("principal");
  const id = c.req.query("team_id") || (principal.kind === "key" ? principal.key.teamId : null);
  if (!id) throw invalidRequest("Name the team: /team/info?team_id=<id>.", "team_id");
  if (!mayTeam(actor, id)) throw outOfReach(`team '${id}'`);
  const d = db(c.env.DB);
  const row = await findTeam(d, id);
  if (!row) throw notFound(id);
  const [view, keys, members] = await Promise.all([guard(c, id).view(Date.now()), teamKeys(d, id), teamMembersOf(d, id)]);
  // A key of the team (not its admin) sees only itself among the team's keys.
  const self = selfKey(actor);
  const seen = reachesAll(actor) || adminTeams(actor).includes(id) || memberTeams(actor).includes(id) || orgTeamIds(actor).includes(id) ? keys : keys.filter((k) => k.token === self?.token);
  return c.json({
    team_id: id,
    team_info: { ...teamObject(row, view.resetAt, members), current_period_spend: view.spend, reserved_spend: view.reserved },
    keys: seen.map((k) => ({ token: k.token, key_alias: k.keyAlias, key_name: k.keyName, user_id: k.userId, spend: k.spend })),
    team_memberships: members.map(membershipObject),
  });
});

teamRoutes.post("/team/update", requireAuth("admin"), async (c) => {
  const f = parseKeyBody(updateSchema, await readJson(c));
  await checkOrg(c, f.organization_id);
  const fields = rowFields(f);
  if (fields.metadata) {
    const before = await findTeam(db(c.env.DB), f.team_id);
    if (!before) throw notFound(f.team_id);
    fields.metadata = keepStoredLogging(await sealMetadataLogging(fields.metadata, before.metadata, c.env as unknown as Record<string, unknown>, reachesAll(c.get("actor"))), before.metadata);
  }
  const row = await updateTeam(db(c.env.DB), f.team_id, fields);
  if (!row) throw notFound(f.team_id);
  await sync(c, row);
  // Keys carry their team's organization, model_aliases and logging from the key lookup: drop this isolate's copies
  // (other isolates refresh theirs within the key cache's 30 s).
  if (f.organization_id !== undefined || f.model_aliases !== undefined || f.metadata !== undefined) for (const k of await teamKeys(db(c.env.DB), row.teamId)) forgetKey(k.token);
  return c.json(teamObject(row, (await guard(c, row.teamId).view(Date.now())).resetAt));
});

/** Deleting a team refuses its keys' calls from the next one on (their team no longer exists). */
teamRoutes.post("/team/delete", requireAuth("admin"), async (c) => {
  const body = (await readJson(c)) as { team_ids?: unknown };
  const ids = body?.team_ids;
  if (!Array.isArray(ids) || !ids.length || !ids.every((x) => typeof x === "string")) throw invalidRequest("'team_ids' must be a non-empty list of team ids.", "team_ids");
  const d = db(c.env.DB);
  const rows = await Promise.all(ids.map((id) => findTeam(d, id)));
  const missing = ids.find((_, i) => !rows[i]);
  if (missing) throw notFound(missing);
  await Promise.all(rows.map((r) => sync(c, r!, true)));
  await deleteTeams(d, ids);
  return c.json({ deleted_teams: ids });
});

teamRoutes.get("/team/list", requireAuth("admin"), async (c) => {
  const actor = c.get("actor");
  const d = db(c.env.DB);
  const rows = (await listTeams(d)).filter((r) => mayTeam(actor, r.teamId));
  return c.json(await Promise.all(rows.map(async (r) => teamObject(r, null, await teamMembersOf(d, r.teamId)))));
});
