/**
 * Who may call each admin route: the one table (README's "Roles" table is generated from it and
 * checked by test/e2e/roles.test.ts). A route missing here is open to proxy admins only.
 *
 * Columns are the caller's role (LiteLLM's user roles; the master key is a `proxy_admin`), plus
 * `team_admin` (a user with role `admin` in some team's members_with_roles) and `key` (a virtual
 * key acting for itself, whatever its user's role). A cell says how far the grant reaches; the
 * handler enforces the reach on the object named in the request:
 * - `all`: every object;
 * - `own`: the caller's own user and the keys that carry its user_id;
 * - `member`: teams the caller's user is a member of;
 * - `team`: teams the caller's user is an `admin` of, their keys and members;
 * - `self`: the calling key itself and its own team;
 * - `org`: what `own` reaches, plus the organizations the caller is an `org_admin` member of,
 *   their teams and those teams' keys.
 */
export const ROLES = ["proxy_admin", "proxy_admin_viewer", "org_admin", "internal_user", "internal_user_viewer"] as const;
export type Role = (typeof ROLES)[number];

const COLUMNS = [...ROLES, "team_admin", "key"] as const;
export type Column = (typeof COLUMNS)[number];

export type Reach = "all" | "own" | "member" | "team" | "self" | "org";

export interface RouteRule {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  path: string;
  /** Changes something (a `read_only` key and viewers never pass). */
  write: boolean;
  grants: Partial<Record<Column, Reach>>;
}

const admin = { proxy_admin: "all" } as const;
const readers = { proxy_admin: "all", proxy_admin_viewer: "all" } as const;
const ownKeys = { ...admin, org_admin: "org", internal_user: "own", team_admin: "team" } as const;
const readOwnKeys = { ...readers, org_admin: "org", internal_user: "own", internal_user_viewer: "own", team_admin: "team", key: "self" } as const;
const readTeams = { ...readers, org_admin: "org", internal_user: "member", internal_user_viewer: "member", team_admin: "team", key: "self" } as const;
const orgReaders = { ...readers, org_admin: "org" } as const;
const teamMembers = { ...admin, team_admin: "team" } as const;

const rule = (method: RouteRule["method"], path: string, grants: RouteRule["grants"]): RouteRule => ({ method, path, write: method !== "GET", grants });
/** LiteLLM's customer routes, also under /end_user/. */
const customers = (prefix: string): RouteRule[] => [
  rule("POST", `${prefix}/new`, admin),
  rule("GET", `${prefix}/info`, readers),
  rule("POST", `${prefix}/update`, admin),
  rule("POST", `${prefix}/delete`, admin),
  rule("GET", `${prefix}/list`, readers),
  rule("POST", `${prefix}/block`, admin),
  rule("POST", `${prefix}/unblock`, admin),
];

export const ROUTE_RULES: readonly RouteRule[] = [
  rule("POST", "/key/generate", ownKeys),
  rule("POST", "/key/update", ownKeys),
  rule("POST", "/key/delete", ownKeys),
  rule("POST", "/key/regenerate", ownKeys),
  rule("POST", "/key/:key/regenerate", ownKeys),
  rule("GET", "/key/info", readOwnKeys),
  rule("GET", "/key/list", { ...readers, org_admin: "org", internal_user: "own", internal_user_viewer: "own", team_admin: "team" }),
  rule("POST", "/key/block", admin),
  rule("POST", "/key/unblock", admin),
  rule("POST", "/key/:key/reset_spend", admin),

  rule("POST", "/user/new", admin),
  rule("GET", "/user/info", { ...readers, org_admin: "own", internal_user: "own", internal_user_viewer: "own" }),
  rule("POST", "/user/update", admin),
  rule("POST", "/user/delete", admin),
  rule("GET", "/user/list", readers),

  rule("POST", "/team/new", admin),
  rule("GET", "/team/info", readTeams),
  rule("POST", "/team/update", admin),
  rule("POST", "/team/delete", admin),
  rule("GET", "/team/list", { ...readers, org_admin: "org", internal_user: "member", internal_user_viewer: "member", team_admin: "team" }),
  rule("POST", "/team/member_add", teamMembers),
  rule("POST", "/team/member_update", teamMembers),
  rule("POST", "/team/member_delete", teamMembers),
  rule("POST", "/team/model/add", admin),
  rule("POST", "/team/model/delete", admin),
  rule("POST", "/team/:team_id/callback", teamMembers),
  rule("GET", "/team/:team_id/callback", teamMembers),
  rule("DELETE", "/team/:team_id/callback/:callback_name", teamMembers),
  rule("POST", "/team/:team_id/disable_logging", teamMembers),

  rule("POST", "/organization/new", admin),
  rule("GET", "/organization/info", orgReaders),
  rule("PATCH", "/organization/update", admin),
  rule("POST", "/organization/update", admin),
  rule("DELETE", "/organization/delete", admin),
  rule("POST", "/organization/delete", admin),
  rule("GET", "/organization/list", orgReaders),
  rule("POST", "/organization/member_add", { ...admin, org_admin: "org" }),

  ...customers("/customer"),
  ...customers("/end_user"),

  rule("POST", "/model/new", admin),
  rule("GET", "/model/info", { ...readers, key: "self" }),
  rule("POST", "/model/update", admin),
  rule("POST", "/model/delete", admin),
  rule("GET", "/health", admin),
  rule("GET", "/health/deployments", readers),

  rule("GET", "/ui/api/session", { ...readers, org_admin: "own", internal_user: "own", internal_user_viewer: "own", team_admin: "team", key: "self" }),

  rule("GET", "/spend/logs", readers),
  rule("GET", "/global/spend/report", readers),
  rule("GET", "/global/spend/keys", readers),
  rule("GET", "/global/spend/models", readers),
  rule("GET", "/spend/tags", readers),
  rule("GET", "/global/spend/tags", readers),
  rule("GET", "/spend/dead_letters", readers),
  rule("POST", "/spend/dead_letters/replay", admin),
];

const byRoute = new Map(ROUTE_RULES.map((r) => [`${r.method} ${r.path}`, r]));
const fallback = (method: string, path: string): RouteRule => ({ method: method as RouteRule["method"], path, write: method !== "GET", grants: admin });

/** The rule of a registered route (Hono's routePath); an unlisted route is for proxy admins only. */
export function ruleFor(method: string, routePath: string): RouteRule {
  return byRoute.get(`${method} ${routePath}`) ?? fallback(method, routePath);
}

/** Does the route have its own row (test/e2e/roles.test.ts checks that every admin route does)? */
export const hasRule = (method: string, routePath: string): boolean => byRoute.has(`${method} ${routePath}`);

/** Is `role` a known LiteLLM user role? */
export const isRole = (role: string): role is Role => (ROLES as readonly string[]).includes(role);

const CELL: Record<Reach, string> = { all: "yes", own: "own", member: "member", team: "its teams", self: "itself", org: "its orgs" };

/** README's role table, one row per route. */
export function roleTableMarkdown(): string {
  const head = `| route | ${COLUMNS.join(" | ")} |\n|---|${COLUMNS.map(() => "---").join("|")}|`;
  const rows = ROUTE_RULES.map((r) => `| \`${r.method} ${r.path}\` | ${COLUMNS.map((c) => (r.grants[c] ? CELL[r.grants[c]] : "-")).join(" | ")} |`);
  return [head, ...rows].join("\n");
}
