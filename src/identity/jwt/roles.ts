import type { JWTPayload } from "jose";
import { globMatch, type JwtRoleSettings } from "../../config/jwt-roles";
import { forbidden } from "../../http/errors";
import type { Role } from "../../http/roles";
import { claim } from "./claims";

/** The roles a claim holds: one string, or a list of them (Keycloak's `resource_access.<client>.roles`, Entra's `roles`). */
function tokenRoles(payload: JWTPayload, field: string | undefined): string[] {
  if (!field) return [];
  const v = claim(payload, field);
  if (typeof v === "string" && v) return [v];
  return Array.isArray(v) ? v.filter((r): r is string => typeof r === "string" && r.length > 0) : [];
}

/**
 * What the token's roles say, LiteLLM's way: with user_allowed_roles, a token carrying none of
 * them (at user_roles_jwt_field) is refused (403); `mapped` is the LiteLLM role of the first
 * jwt_litellm_role_map / role_mappings entry one of its roles (at roles_jwt_field, else
 * user_roles_jwt_field) matches; `allowed` says it carries an allowed role (an internal_user).
 */
export function jwtRoles(payload: JWTPayload, s: JwtRoleSettings): { mapped?: Role; allowed: boolean } {
  let allowed = false;
  if (s.userAllowedRoles) {
    const roles = tokenRoles(payload, s.userRolesField);
    allowed = roles.some((r) => s.userAllowedRoles!.includes(r));
    if (!allowed) {
      throw forbidden(
        `The JWT's roles (${roles.join(", ") || "none"} at ${s.userRolesField}) include none of litellm_jwtauth.user_allowed_roles (${s.userAllowedRoles.join(", ")}).`,
        "role_not_allowed",
      );
    }
  }
  if (!s.roleMap.length) return { allowed };
  const roles = tokenRoles(payload, s.rolesField ?? s.userRolesField);
  for (const m of s.roleMap) {
    if (roles.some((r) => (m.glob ? globMatch(m.pattern, r) : m.pattern === r))) return { mapped: m.role, allowed };
  }
  return { allowed };
}
