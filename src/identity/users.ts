import * as z from "zod/mini";
import { db, type Db } from "../db/client";
import type { KeyRow, TeamRow, UserRow } from "../db/schema";
import { findTeam } from "../db/teams";
import { findUser, findUserByEmail, upsertMember } from "../db/users";
import type { Env } from "../env";
import { GatewayError, invalidRequest } from "../http/errors";
import { ROLES } from "../http/roles";
import { guardOf } from "../limits/guard-client";
import { userState, userSubject } from "../limits/subjects";
import { limitFields, limitRowFields } from "./fields";

/** LiteLLM user fields this gateway does not support yet: a 400 that names them. */
export const USER_NOT_YET = new Set([
  "send_invite_email",
  "sso_user_id",
  "organization_id",
  "allowed_cache_controls",
  "guardrails",
  "prompts",
  "object_permission",
  "spend",
  "config",
  "permissions",
  "aliases",
  "blocked",
]);

const userFields = {
  user_email: z.optional(z.nullable(z.string().check(z.minLength(3), z.maxLength(320)))),
  user_alias: z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(256)))),
  user_role: z.optional(z.enum(ROLES)),
  ...limitFields,
};

export const newUserSchema = z.object({
  user_id: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  ...userFields,
  teams: z.optional(z.nullable(z.array(z.string().check(z.minLength(1))))),
  /** LiteLLM creates a key for the new user unless this is false. */
  auto_create_key: z.optional(z.boolean()),
  key_alias: z.optional(z.nullable(z.string().check(z.minLength(1), z.maxLength(256)))),
  duration: z.optional(z.nullable(z.string())),
});
export const updateUserSchema = z.object({ user_id: z.optional(z.string().check(z.minLength(1))), ...userFields });

type UserFields = Partial<z.infer<typeof updateUserSchema>>;

export function userRowFields(f: UserFields): Partial<UserRow> {
  const out: Partial<UserRow> = limitRowFields(f);
  if (f.user_email !== undefined) out.userEmail = f.user_email;
  if (f.user_alias !== undefined) out.userAlias = f.user_alias;
  if (f.user_role !== undefined) out.userRole = f.user_role;
  return out;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function userObject(row: UserRow, teams: string[], resetAt: number | null = null) {
  return {
    user_id: row.userId,
    user_email: row.userEmail,
    user_alias: row.userAlias,
    user_role: row.userRole,
    teams,
    models: row.models,
    max_budget: row.maxBudget,
    budget_duration: row.budgetDuration,
    budget_reset_at: iso(resetAt),
    tpm_limit: row.tpmLimit,
    rpm_limit: row.rpmLimit,
    spend: row.spend,
    metadata: row.metadata,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

export const userGuard = (env: Env, id: string) => guardOf(env, userSubject(id));

/** Tells the user's guard its limits (or that it is gone): every key with its user_id is bound from the next call. */
export const syncUserGuard = (env: Env, row: UserRow, revoked = false) => userGuard(env, row.userId).configure(userState(row, revoked), Date.now());

export const userNotFound = (id: string) => new GatewayError(404, `User '${id}' was not found.`, "invalid_request_error", "user_not_found", "user_id");

/** The user named by user_id, else by user_email (LiteLLM accepts either on update). */
export async function userByIdOrEmail(d: Db, id: string | undefined, email: string | null | undefined): Promise<UserRow> {
  if (!id && !email) throw invalidRequest("Name the user in 'user_id' (or 'user_email').", "user_id");
  const row = id ? await findUser(d, id) : await findUserByEmail(d, email!);
  if (!row) throw userNotFound((id ?? email)!);
  return row;
}

/** Checks that every team exists (400 naming `teams`), then adds the user to each with `role`. */
export async function joinTeams(env: Env, userId: string, teamIds: string[], role: "user" | "admin"): Promise<TeamRow[]> {
  const d = db(env.DB);
  const teams = await Promise.all(teamIds.map((t) => findTeam(d, t)));
  const missing = teamIds.find((_, i) => !teams[i]);
  if (missing) throw invalidRequest(`Team '${missing}' does not exist.`, "teams");
  for (const t of teamIds) await upsertMember(d, { teamId: t, userId, role });
  return teams as TeamRow[];
}

/** A key as listed under its user or team: no secret, just what identifies it. */
export const keySummary = (k: KeyRow) => ({
  token: k.token,
  key_name: k.keyName,
  key_alias: k.keyAlias,
  team_id: k.teamId,
  user_id: k.userId,
  models: k.models,
  spend: k.spend,
  expires: iso(k.expires),
  key_type: k.keyType,
});
