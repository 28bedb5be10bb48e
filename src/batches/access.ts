import { db } from "../db/client";
import type { OwnerScope } from "../db/files";
import { findUser, userMemberships } from "../db/users";
import type { Env } from "../env";
import type { Principal } from "../http/auth";

/** The owner id of what a caller creates: its key's stable id (kept by /key/regenerate), or `master`. */
export function ownerOf(p: Principal): { keyId: string; teamId: string | null } {
  if (p.kind === "master") return { keyId: "master", teamId: null };
  return { keyId: p.key.keyId ?? p.key.token, teamId: p.key.teamId };
}

/**
 * Whose files and batches a caller reaches: the master key and proxy admins everyone's; a key its
 * own, and those of the teams where its user is a team admin. Read fresh from D1 (not the hot path).
 */
export async function ownerScope(env: Env, p: Principal): Promise<OwnerScope> {
  const own = ownerOf(p);
  if (p.kind === "master") return { all: true, keyId: own.keyId, adminTeams: [] };
  const userId = p.key.userId;
  if (!userId) return { all: false, keyId: own.keyId, adminTeams: [] };
  const d = db(env.DB);
  const [user, memberships] = await Promise.all([findUser(d, userId), userMemberships(d, userId)]);
  if (user?.userRole === "proxy_admin") return { all: true, keyId: own.keyId, adminTeams: [] };
  return { all: false, keyId: own.keyId, adminTeams: memberships.filter((m) => m.role === "admin").map((m) => m.teamId) };
}

/** The caller reaches this row (its owner is the caller's key, or a team it administers). */
export async function mayReach(env: Env, p: Principal, row: { ownerKeyId: string; teamId: string | null }): Promise<boolean> {
  if (row.ownerKeyId === ownerOf(p).keyId) return true;
  const scope = await ownerScope(env, p);
  return scope.all || (row.teamId !== null && scope.adminTeams.includes(row.teamId));
}
