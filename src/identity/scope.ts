import type { KeyRow } from "../db/schema";
import type { Actor } from "../http/actor";
import { forbidden } from "../http/errors";

/** How far an actor's grants on the current route reach: the handler asks before it touches an object. */
const has = (a: Actor, reach: string) => Object.values(a.reach).includes(reach as never);

export const reachesAll = (a: Actor): boolean => has(a, "all");

export const ownUserId = (a: Actor): string | null => a.user?.userId ?? null;

/** Teams the actor administers (its user is an `admin` member), when the route grants `team`. */
export function adminTeams(a: Actor): string[] {
  if (a.reach.team_admin !== "team") return [];
  return a.memberships.filter((m) => m.role === "admin").map((m) => m.teamId);
}

/** Teams the actor's user belongs to, when the route grants `member`. */
export function memberTeams(a: Actor): string[] {
  return has(a, "member") ? a.memberships.map((m) => m.teamId) : [];
}

/** The calling key's token and team, when the route grants `self`. */
export function selfKey(a: Actor): KeyRow | null {
  return a.reach.key === "self" && a.principal.kind === "key" ? a.principal.key : null;
}

/** Whether the route reaches the caller's own user (`own`, and `org` which includes it). */
export const reachesOwn = (a: Actor): boolean => has(a, "own") || has(a, "org");

/** Teams of the organizations the caller administers, when the route grants `org`. */
export const orgTeamIds = (a: Actor): string[] => (has(a, "org") ? a.orgTeamIds : []);

export const mayOrg = (a: Actor, orgId: string): boolean => reachesAll(a) || (has(a, "org") && a.orgs.includes(orgId));

export function mayKey(a: Actor, row: Pick<KeyRow, "token" | "userId" | "teamId">): boolean {
  if (reachesAll(a)) return true;
  if (reachesOwn(a) && row.userId && row.userId === ownUserId(a)) return true;
  if (row.teamId && orgTeamIds(a).includes(row.teamId)) return true;
  if (row.teamId && adminTeams(a).includes(row.teamId)) return true;
  return selfKey(a)?.token === row.token;
}

export function mayTeam(a: Actor, teamId: string): boolean {
  if (reachesAll(a)) return true;
  if (adminTeams(a).includes(teamId) || memberTeams(a).includes(teamId) || orgTeamIds(a).includes(teamId)) return true;
  return selfKey(a)?.teamId === teamId;
}

export function mayUser(a: Actor, userId: string): boolean {
  return reachesAll(a) || (reachesOwn(a) && userId === ownUserId(a));
}

export const outOfReach = (what: string) => forbidden(`You may not act on ${what}: it is outside what your role reaches on this route.`);
