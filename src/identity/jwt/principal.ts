import type { JWTPayload } from "jose";
import type { JwtSettings } from "../../config/jwt-settings";
import { db, type Db } from "../../db/client";
import type { AuthKeyRow } from "../../db/keys";
import { findOrg } from "../../db/organizations";
import type { OrganizationRow, TeamRow, UserRow } from "../../db/schema";
import { findTeam } from "../../db/teams";
import { findUser, insertUser } from "../../db/users";
import type { Env } from "../../env";
import type { Principal } from "../../http/auth";
import { forbidden, unauthorized } from "../../http/errors";
import { identityKey } from "../synthetic-key";
import { verifyJwt } from "./verify";

/** A claim by name; a dotted name reads nested objects (`resource_access.app.roles`), as LiteLLM does. */
export function claim(payload: JWTPayload, path: string): unknown {
  if (Object.hasOwn(payload, path)) return payload[path];
  let v: unknown = payload;
  for (const part of path.split(".")) {
    if (!v || typeof v !== "object" || !Object.hasOwn(v, part)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

const str = (v: unknown): string | undefined => (typeof v === "string" && v ? v : typeof v === "number" ? String(v) : undefined);

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
function tokenTeams(payload: JWTPayload, s: JwtSettings): string[] {
  const out: string[] = [];
  const one = s.teamIdField ? str(claim(payload, s.teamIdField)) : undefined;
  if (one) out.push(one);
  const many = s.teamIdsField ? claim(payload, s.teamIdsField) : undefined;
  if (Array.isArray(many)) for (const t of many) if (typeof t === "string" && t && !out.includes(t)) out.push(t);
  return out;
}

/**
 * The team a call acts for: `x-litellm-team-id` when it names one of the token's teams (else 403,
 * as LiteLLM), else team_id_jwt_field's team, else the first team of team_ids_jwt_field that
 * exists, else team_id_default. Every team named must exist (a 401 naming it otherwise).
 */
async function pickTeam(d: Db, payload: JWTPayload, s: JwtSettings, headers: Headers): Promise<TeamRow | undefined> {
  const teams = tokenTeams(payload, s);
  const asked = headers.get("x-litellm-team-id")?.trim();
  if (asked) {
    if (!teams.includes(asked)) throw forbidden(`Team '${asked}' from the x-litellm-team-id header is not one of this token's teams (${teams.join(", ") || "none"}).`);
    const row = await findTeam(d, asked);
    if (!row) throw unauthorized(`The JWT's team '${asked}' does not exist on this gateway. Create it with /team/new.`);
    return row;
  }
  const single = s.teamIdField ? str(claim(payload, s.teamIdField)) : undefined;
  if (single) {
    const row = await findTeam(d, single);
    if (!row) throw unauthorized(`The JWT's team '${single}' (${s.teamIdField}) does not exist on this gateway. Create it with /team/new.`);
    return row;
  }
  for (const id of teams) {
    const row = await findTeam(d, id);
    if (row) return row;
  }
  if (teams.length) throw unauthorized(`None of the JWT's teams (${teams.join(", ")}) exists on this gateway. Create one with /team/new.`);
  if (s.teamIdDefault) {
    const row = await findTeam(d, s.teamIdDefault);
    if (!row) throw unauthorized(`litellm_jwtauth.team_id_default names the team '${s.teamIdDefault}', which does not exist.`);
    return row;
  }
  return undefined;
}

function checkEmailDomain(payload: JWTPayload, s: JwtSettings): string | undefined {
  const email = str(claim(payload, s.userEmailField ?? "email"));
  if (!s.userAllowedEmailDomain) return email;
  const domain = email?.split("@").at(-1)?.toLowerCase();
  if (!email || domain !== s.userAllowedEmailDomain.toLowerCase()) {
    throw forbidden(`The JWT's user email ${email ? `'${email}' ` : ""}is not in the allowed domain (litellm_jwtauth.user_allowed_email_domain: ${s.userAllowedEmailDomain}).`);
  }
  return email;
}

async function pickUser(d: Db, payload: JWTPayload, s: JwtSettings): Promise<UserRow | undefined> {
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

async function pickOrg(d: Db, payload: JWTPayload, s: JwtSettings, team: TeamRow | undefined): Promise<OrganizationRow | undefined> {
  const id = s.orgIdField ? str(claim(payload, s.orgIdField)) : undefined;
  if (!id) return undefined;
  if (team?.organizationId && team.organizationId !== id) throw forbidden(`The JWT's team '${team.teamId}' does not belong to its organization '${id}'.`);
  const row = await findOrg(d, id);
  if (!row) throw unauthorized(`The JWT's organization '${id}' (${s.orgIdField}) does not exist on this gateway.`);
  return row;
}

/**
 * A verified JWT as a principal, LiteLLM's way: admin_jwt_scope makes a proxy admin; otherwise the
 * team, user, organization and end user the token names (each must exist; see user_id_upsert)
 * become an identity whose team, user, membership and organization guards bound every call.
 * A token that names none of them is refused (403): nothing would bound its calls.
 */
export async function jwtPrincipal(token: string, s: JwtSettings, env: Env, headers: Headers): Promise<{ principal: Principal; exp: number }> {
  const payload = await verifyJwt(token, s);
  const exp = (payload.exp ?? 0) * 1000;
  if (scopes(payload).includes(s.adminScope)) return { principal: { kind: "master", via: "jwt" }, exp };
  const d = db(env.DB);
  const team = await pickTeam(d, payload, s, headers);
  const [user, org] = await Promise.all([pickUser(d, payload, s), pickOrg(d, payload, s, team)]);
  const endUser = s.endUserIdField ? str(claim(payload, s.endUserIdField)) : undefined;
  if (!team && !user) {
    throw forbidden("The JWT names no team and no user this gateway knows (litellm_jwtauth: team_id_jwt_field, team_ids_jwt_field, user_id_jwt_field), so nothing bounds its calls.");
  }
  const key: AuthKeyRow = identityKey({
    label: `jwt:${user?.userId ?? ""}@${team?.teamId ?? ""}`,
    teamId: team?.teamId ?? null,
    userId: user?.userId ?? null,
    teamModelAliases: team?.modelAliases ?? null,
    teamOrganizationId: team?.organizationId ?? org?.organizationId ?? null,
    teamLogging: team?.metadata?.logging ?? null,
  });
  return { principal: { kind: "key", key, via: "jwt", ...(endUser ? { endUser } : {}) }, exp };
}
