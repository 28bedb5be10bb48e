import type { JWTPayload } from "jose";
import type { JwtClaimFields, JwtSettings } from "../../config/jwt-settings";
import { db, type Db } from "../../db/client";
import type { AuthKeyRow } from "../../db/keys";
import { findOrg } from "../../db/organizations";
import type { OrganizationRow, TeamRow, UserRow } from "../../db/schema";
import { findTeam, insertTeam } from "../../db/teams";
import { findUser, insertUser } from "../../db/users";
import type { Env } from "../../env";
import type { Principal } from "../../http/auth";
import { forbidden, unauthorized } from "../../http/errors";
import { identityKey } from "../synthetic-key";
import { claim, str } from "./claims";
import { jwtRoles } from "./roles";
import { providerFor, verifyJwt } from "./verify";

/** The token's scopes: `scope` (space separated, OAuth's form) or a list (`scp`, or `scope` as a list). */
function scopes(payload: JWTPayload): string[] {
  const out: string[] = [];
  for (const name of ["scope", "scp"]) {
    const v = payload[name];
    if (typeof v === "string") out.push(...v.split(" ").filter(Boolean));
    else if (Array.isArray(v)) out.push(...v.filter((s): s is string => typeof s === "string"));
  }
  return out;
}

/** The teams the token may act for: team_id_jwt_field and the list at team_ids_jwt_field. */
function tokenTeams(payload: JWTPayload, s: Claims): string[] {
  const out: string[] = [];
  const one = s.teamIdField ? str(claim(payload, s.teamIdField)) : undefined;
  if (one) out.push(one);
  const many = s.teamIdsField ? claim(payload, s.teamIdsField) : undefined;
  if (Array.isArray(many)) for (const t of many) if (typeof t === "string" && t && !out.includes(t)) out.push(t);
  return out;
}

/** The settings that apply to one token: the global ones with its provider's claim names over them. */
type Claims = JwtSettings & JwtClaimFields;

/** The team named `id`, created (no limits of its own, LiteLLM's team_id_upsert) when missing and allowed. */
async function teamOrUpsert(d: Db, id: string, s: Claims, from: string): Promise<TeamRow> {
  const row = await findTeam(d, id);
  if (row) return row;
  if (!s.teamIdUpsert) throw unauthorized(`The JWT's team '${id}' (${from}) does not exist on this gateway. Create it with /team/new (or set litellm_jwtauth.team_id_upsert: true).`);
  return insertTeam(d, { teamId: id, models: [], metadata: { created_by: "jwt" } }).catch(async () => {
    const raced = await findTeam(d, id);
    if (!raced) throw unauthorized(`The JWT's team '${id}' could not be created.`);
    return raced;
  });
}

/**
 * The teams a call may act for, in order: `x-litellm-team-id` when it names one of the token's
 * teams (else 403, as LiteLLM), else team_id_jwt_field's team (team_id_upsert creates either when
 * missing), else the teams of team_ids_jwt_field that exist (the call's model picks among them:
 * see chooseTeam), else team_id_default. A named team that does not exist is a 401 naming it.
 */
async function pickTeams(d: Db, payload: JWTPayload, s: Claims, headers: Headers): Promise<TeamRow[]> {
  const teams = tokenTeams(payload, s);
  const asked = headers.get("x-litellm-team-id")?.trim();
  if (asked) {
    if (!teams.includes(asked)) throw forbidden(`Team '${asked}' from the x-litellm-team-id header is not one of this token's teams (${teams.join(", ") || "none"}).`);
    return [await teamOrUpsert(d, asked, s, "x-litellm-team-id")];
  }
  const single = s.teamIdField ? str(claim(payload, s.teamIdField)) : undefined;
  if (single) return [await teamOrUpsert(d, single, s, s.teamIdField!)];
  const rows = (await Promise.all(teams.map((id) => findTeam(d, id)))).filter((r): r is TeamRow => !!r);
  if (rows.length) return rows;
  if (teams.length) throw unauthorized(`None of the JWT's teams (${teams.join(", ")}) exists on this gateway. Create one with /team/new.`);
  if (s.teamIdDefault) {
    const row = await findTeam(d, s.teamIdDefault);
    if (!row) throw unauthorized(`litellm_jwtauth.team_id_default names the team '${s.teamIdDefault}', which does not exist.`);
    return [row];
  }
  return [];
}

function checkEmailDomain(payload: JWTPayload, s: Claims): string | undefined {
  const email = str(claim(payload, s.userEmailField ?? "email"));
  if (!s.userAllowedEmailDomain) return email;
  const domain = email?.split("@").at(-1)?.toLowerCase();
  if (!email || domain !== s.userAllowedEmailDomain.toLowerCase()) {
    throw forbidden(`The JWT's user email ${email ? `'${email}' ` : ""}is not in the allowed domain (litellm_jwtauth.user_allowed_email_domain: ${s.userAllowedEmailDomain}).`);
  }
  return email;
}

async function pickUser(d: Db, payload: JWTPayload, s: Claims): Promise<UserRow | undefined> {
  if (!s.userIdField) return undefined;
  const id = str(claim(payload, s.userIdField));
  if (!id) return undefined;
  const email = checkEmailDomain(payload, s);
  const row = await findUser(d, id);
  if (row) return row;
  if (!s.userIdUpsert) throw unauthorized(`The JWT's user '${id}' (${s.userIdField}) does not exist on this gateway (set litellm_jwtauth.user_id_upsert: true to create users on first use).`);
  // LiteLLM's user_id_upsert: a new internal user with no limits of its own.
  return insertUser(d, { userId: id, userEmail: email ?? null, userRole: "internal_user", models: [], metadata: { created_by: "jwt" } }).catch(async () => {
    const raced = await findUser(d, id);
    if (!raced) throw unauthorized(`The JWT's user '${id}' could not be created.`);
    return raced;
  });
}

/** The token's organization (must exist); teams of another organization are dropped (403 when none is left). */
async function pickOrg(d: Db, payload: JWTPayload, s: Claims, teams: TeamRow[]): Promise<{ org?: OrganizationRow; teams: TeamRow[] }> {
  const id = s.orgIdField ? str(claim(payload, s.orgIdField)) : undefined;
  if (!id) return { teams };
  const row = await findOrg(d, id);
  if (!row) throw unauthorized(`The JWT's organization '${id}' (${s.orgIdField}) does not exist on this gateway.`);
  const own = teams.filter((t) => !t.organizationId || t.organizationId === id);
  if (teams.length && !own.length) throw forbidden(`The JWT's team '${teams[0]!.teamId}' does not belong to its organization '${id}'.`);
  return { org: row, teams: own };
}

/** A verified token: its principal, or several (one per team it may act for) that the call's model chooses from. */
export interface JwtResolution {
  principal: Principal;
  /** When the token's team list (team_ids_jwt_field) leaves several teams: the first that may call the model wins. */
  choices?: Array<{ team: TeamRow; principal: Principal }>;
  exp: number;
}

/**
 * A verified JWT as a principal, LiteLLM's way: admin_jwt_scope (or a role map to proxy_admin)
 * makes a proxy admin; otherwise the team, user, organization and end user the token names (each
 * must exist; see user_id_upsert, team_id_upsert) become an identity whose team, user,
 * membership and organization guards bound every call, with the token's mapped role on admin
 * routes. A token that names none of them (and no admin role) is refused (403): nothing would
 * bound its calls.
 */
export async function jwtPrincipal(token: string, settings: JwtSettings, env: Env, headers: Headers): Promise<JwtResolution> {
  const provider = providerFor(token, settings);
  const payload = await verifyJwt(token, provider, settings.publicKeyTtlMs);
  const s: Claims = { ...settings, ...provider.fields };
  const exp = (payload.exp ?? 0) * 1000;
  if (scopes(payload).includes(s.adminScope)) return { principal: { kind: "master", via: "jwt" }, exp };
  const { mapped: tokenRole, allowed } = jwtRoles(payload, s);
  const d = db(env.DB);
  const [user, named] = await Promise.all([pickUser(d, payload, s), pickTeams(d, payload, s, headers)]);
  const { org, teams } = await pickOrg(d, payload, s, named);
  const endUser = s.endUserIdField ? str(claim(payload, s.endUserIdField)) : undefined;
  if (!teams.length && !user) {
    if (tokenRole === "proxy_admin") return { principal: { kind: "master", via: "jwt" }, exp };
    if (tokenRole !== "proxy_admin_viewer") {
      throw forbidden(
        "The JWT names no team and no user this gateway knows (litellm_jwtauth: team_id_jwt_field, team_ids_jwt_field, user_id_jwt_field) and no admin role, so nothing bounds its calls.",
      );
    }
  }
  // A mapped role wins over the stored user's (the identity provider decides); an allowed role is an internal_user's.
  const role = tokenRole ?? (allowed && !user ? "internal_user" : undefined);
  const as = (team: TeamRow | undefined): Principal => {
    const key: AuthKeyRow = identityKey({
      label: `jwt:${user?.userId ?? ""}@${team?.teamId ?? ""}`,
      teamId: team?.teamId ?? null,
      userId: user?.userId ?? null,
      teamModelAliases: team?.modelAliases ?? null,
      teamOrganizationId: team?.organizationId ?? org?.organizationId ?? null,
      teamLogging: team?.metadata?.logging ?? null,
    });
    return { kind: "key", key, via: "jwt", ...(endUser ? { endUser } : {}), ...(role ? { role } : {}) };
  };
  const principal = as(teams[0]);
  if (teams.length < 2) return { principal, exp };
  return { principal, exp, choices: teams.map((team) => ({ team, principal: as(team) })) };
}
