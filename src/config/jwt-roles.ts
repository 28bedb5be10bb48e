import { isRole, ROLES, type Role } from "../http/roles";

/**
 * LiteLLM's role options of `litellm_jwtauth`: which claim holds the token's roles and what they
 * become. `jwt_litellm_role_map` ([{jwt_role, litellm_role}], jwt_role a glob such as `team-*`)
 * and `role_mappings` ([{role, internal_role}], exact) map them to a LiteLLM user role (first
 * match wins, jwt_litellm_role_map first); `user_allowed_roles` is the list of roles a token must
 * carry one of (at `user_roles_jwt_field`).
 */
export interface JwtRoleSettings {
  /** `user_roles_jwt_field`: the claim (dotted path) holding the token's roles for user_allowed_roles. */
  userRolesField?: string;
  userAllowedRoles?: string[];
  /** `roles_jwt_field` (else user_roles_jwt_field): the claim the role maps read. */
  rolesField?: string;
  roleMap: JwtRoleMapping[];
}

interface JwtRoleMapping {
  /** A glob (`*`, `?`) for jwt_litellm_role_map, an exact role for role_mappings. */
  pattern: string;
  glob: boolean;
  role: Role;
  /** The option it came from, for messages. */
  source: "jwt_litellm_role_map" | "role_mappings";
}

export const JWT_ROLE_KEYS = ["user_roles_jwt_field", "user_allowed_roles", "roles_jwt_field", "jwt_litellm_role_map", "role_mappings"];

const nonEmpty = (v: unknown): v is string => typeof v === "string" && v.length > 0;

function mappings(raw: unknown, source: JwtRoleMapping["source"], from: string, to: string): JwtRoleMapping[] {
  const path = `general_settings.litellm_jwtauth.${source}`;
  if (!Array.isArray(raw) || !raw.length) throw `${path}: must be a non-empty list of {${from}, ${to}}`;
  return raw.map((m, i) => {
    if (!m || typeof m !== "object" || Array.isArray(m)) throw `${path}[${i}]: must be {${from}, ${to}}`;
    const entry = m as Record<string, unknown>;
    const extra = Object.keys(entry).find((k) => k !== from && k !== to);
    if (extra) throw `${path}[${i}].${extra}: not supported (${from}, ${to})`;
    const pattern = entry[from];
    const role = entry[to];
    if (!nonEmpty(pattern)) throw `${path}[${i}].${from}: must be a non-empty string`;
    if (typeof role !== "string" || !isRole(role)) throw `${path}[${i}].${to}: must be one of ${ROLES.join(", ")}`;
    return { pattern, glob: source === "jwt_litellm_role_map", role, source };
  });
}

/** Reads the role options from `litellm_jwtauth` (only the keys of JWT_ROLE_KEYS); throws `path: problem`. */
export function parseJwtRoles(raw: Record<string, unknown>): JwtRoleSettings {
  const out: JwtRoleSettings = { roleMap: [] };
  const path = (k: string) => `general_settings.litellm_jwtauth.${k}`;
  for (const k of ["user_roles_jwt_field", "roles_jwt_field"] as const) {
    const v = raw[k];
    if (v === undefined || v === null) continue;
    if (!nonEmpty(v)) throw `${path(k)}: must be a non-empty string (a claim name; a dotted name reads nested claims)`;
    if (k === "user_roles_jwt_field") out.userRolesField = v;
    else out.rolesField = v;
  }
  const allowed = raw.user_allowed_roles;
  if (allowed !== undefined && allowed !== null) {
    if (!Array.isArray(allowed) || !allowed.length || !allowed.every(nonEmpty)) throw `${path("user_allowed_roles")}: must be a non-empty list of role names`;
    if (!out.userRolesField) throw `${path("user_allowed_roles")}: needs user_roles_jwt_field (the claim that holds the token's roles)`;
    out.userAllowedRoles = allowed;
  }
  if (raw.jwt_litellm_role_map !== undefined && raw.jwt_litellm_role_map !== null) {
    out.roleMap.push(...mappings(raw.jwt_litellm_role_map, "jwt_litellm_role_map", "jwt_role", "litellm_role"));
  }
  if (raw.role_mappings !== undefined && raw.role_mappings !== null) {
    out.roleMap.push(...mappings(raw.role_mappings, "role_mappings", "role", "internal_role"));
  }
  if (out.roleMap.length && !out.rolesField && !out.userRolesField) {
    throw `${path(out.roleMap[0]!.source)}: needs roles_jwt_field (or user_roles_jwt_field), the claim that holds the token's roles`;
  }
  return out;
}

/** fnmatch-style: `*` any run, `?` one character; everything else literal. */
export function globMatch(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${re}$`, "s").test(value);
}
