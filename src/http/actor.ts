import { db } from "../db/client";
import type { TeamMemberRow, UserRow } from "../db/schema";
import { orgTeams, userOrgs } from "../db/organizations";
import { findUser, userMemberships } from "../db/users";
import type { Env } from "../env";
import type { Principal } from "./auth";
import { forbidden } from "./errors";
import { isRole, ROUTE_RULES, type Column, type Reach, type Role, type RouteRule } from "./roles";

/** The caller of an admin route: who it is, its role, and how far this route's grants reach for it. */
export interface Actor {
  principal: Principal;
  role: Role | null;
  /** The internal user behind the caller (a key's user_id), if any. */
  user: UserRow | null;
  memberships: TeamMemberRow[];
  /** Organizations the caller's user is an `org_admin` member of, and their teams. */
  orgs: string[];
  orgTeamIds: string[];
  rule: RouteRule;
  reach: Partial<Record<Column, Reach>>;
}

const VIEWERS: ReadonlySet<Role> = new Set(["proxy_admin_viewer", "internal_user_viewer"]);

/**
 * Resolves the caller's role and team memberships (fresh from D1: admin routes are not the hot
 * path, so a demotion holds from the next request) and the grants of `rule` that apply to it.
 * Throws 403 when none does.
 */
export async function resolveActor(env: Env, principal: Principal, rule: RouteRule): Promise<Actor> {
  let role: Role | null = null;
  let user: UserRow | null = null;
  let memberships: TeamMemberRow[] = [];
  let orgs: string[] = [];
  let orgTeamIds: string[] = [];
  if (principal.kind === "master") role = "proxy_admin";
  else if (principal.key.userId) {
    const d = db(env.DB);
    const [u, m, o] = await Promise.all([findUser(d, principal.key.userId), userMemberships(d, principal.key.userId), userOrgs(d, principal.key.userId)]);
    user = u ?? null;
    if (user) {
      memberships = m;
      if (isRole(user.userRole)) role = user.userRole;
      orgs = o.filter((x) => x.userRole === "org_admin").map((x) => x.organizationId);
      if (orgs.length && rule.grants.org_admin === "org") orgTeamIds = (await orgTeams(d, orgs)).map((t) => t.teamId);
    }
  }
  // A JWT's mapped role (litellm_jwtauth role maps) is the caller's role, over its stored user's.
  if (principal.kind === "key" && principal.role) role = principal.role;
  const reach: Actor["reach"] = {};
  const grant = (col: Column) => {
    const r = rule.grants[col];
    if (r) reach[col] = r;
  };
  if (role && !(rule.write && VIEWERS.has(role))) grant(role);
  if (memberships.some((m) => m.role === "admin")) grant("team_admin");
  // `key` grants are the calling stored key's own; a JWT or hook identity has no stored key.
  if (principal.kind === "key" && !principal.via) grant("key");
  if (!Object.keys(reach).length) {
    const allowed = Object.keys(rule.grants).join(", ");
    throw forbidden(`${rule.method} ${rule.path} is not allowed for ${role ? `the role '${role}'` : "a key without a user"}; it needs one of: ${allowed}.`, "route_not_allowed");
  }
  return { principal, role, user, memberships, orgs, orgTeamIds, rule, reach };
}

/**
 * Every route (`METHOD /path`) the actor may call at all, by the same grants resolveActor applies
 * (the admin UI hides what is not listed; each handler still checks the object's reach).
 */
export function routesOf(actor: Actor): string[] {
  const { role, principal } = actor;
  const teamAdmin = actor.memberships.some((m) => m.role === "admin");
  const storedKey = principal.kind === "key" && !principal.via;
  return ROUTE_RULES.filter((r) => (role && !(r.write && VIEWERS.has(role)) && r.grants[role]) || (teamAdmin && r.grants.team_admin) || (storedKey && r.grants.key)).map(
    (r) => `${r.method} ${r.path}`,
  );
}
