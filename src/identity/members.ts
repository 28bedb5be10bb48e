import * as z from "zod/mini";
import { db } from "../db/client";
import type { TeamMemberRow, UserRow } from "../db/schema";
import { findUser, findUserByEmail, insertUser, upsertMember } from "../db/users";
import type { Env } from "../env";
import { invalidRequest } from "../http/errors";
import { guardOf } from "../limits/guard-client";
import { Ledger } from "../limits/ledger";
import { memberState, memberSubject, noMembership } from "../limits/subjects";
import { usd } from "./fields";

/** LiteLLM's Member: `{role: "admin" | "user", user_id?, user_email?}` (one of the two names it). */
export const memberSchema = z.object({
  role: z.optional(z.enum(["admin", "user"])),
  user_id: z.optional(z.nullable(z.string().check(z.minLength(1)))),
  user_email: z.optional(z.nullable(z.string().check(z.minLength(3)))),
});
type Member = z.infer<typeof memberSchema>;

export const memberAddSchema = z.object({
  team_id: z.string().check(z.minLength(1)),
  member: z.union([memberSchema, z.array(memberSchema).check(z.minLength(1), z.maxLength(100))]),
  max_budget_in_team: z.optional(z.nullable(usd)),
});

export const memberUpdateSchema = z.object({
  team_id: z.string().check(z.minLength(1)),
  user_id: z.optional(z.nullable(z.string().check(z.minLength(1)))),
  user_email: z.optional(z.nullable(z.string().check(z.minLength(3)))),
  role: z.optional(z.enum(["admin", "user"])),
  max_budget_in_team: z.optional(z.nullable(usd)),
});

export const memberDeleteSchema = z.object({
  team_id: z.string().check(z.minLength(1)),
  user_id: z.optional(z.nullable(z.string().check(z.minLength(1)))),
  user_email: z.optional(z.nullable(z.string().check(z.minLength(3)))),
});

/** The user a member entry names; with `create`, an unknown one becomes a new internal user (as LiteLLM does). */
export async function memberUser(env: Env, m: { user_id?: string | null; user_email?: string | null }, param: string, create: boolean): Promise<UserRow | undefined> {
  const d = db(env.DB);
  if (!m.user_id && !m.user_email) throw invalidRequest("A member needs a 'user_id' or a 'user_email'.", param);
  const found = m.user_id ? await findUser(d, m.user_id) : await findUserByEmail(d, m.user_email!);
  if (found || !create) return found;
  return insertUser(d, { userId: m.user_id ?? crypto.randomUUID(), userEmail: m.user_email ?? null, userRole: "internal_user", models: [], metadata: {} });
}

const memberGuard = (env: Env, teamId: string, userId: string) => guardOf(env, memberSubject(teamId, userId));

/** Tells the membership's guard its budget (over the team's budget period). */
export function syncMemberGuard(env: Env, row: TeamMemberRow, budgetDuration: string | null): Promise<void> {
  return memberGuard(env, row.teamId, row.userId).configure(memberState(row, { budgetDuration }), Date.now());
}

/**
 * A removed member: its budget in the team and what it spent there go with the membership (LiteLLM
 * deletes the membership row and its budget), so a later call of the user in that team is bounded
 * by the team alone, and a member added back starts from nothing spent.
 */
export function endMemberGuard(env: Env, teamId: string, userId: string, budgetDuration: string | null): Promise<void> {
  const state = memberState(noMembership(teamId, userId), { budgetDuration });
  const now = Date.now();
  return memberGuard(env, teamId, userId).configure(state, now, Ledger.fresh(state.budgetDurationMs, now).data);
}

/** Adds members to a team (creating unknown users), each with its role and the team budget given. */
export async function addMembers(env: Env, teamId: string, budgetDuration: string | null, members: Member[], maxBudgetInTeam: number | null, param: string) {
  const out: Array<{ user: UserRow; membership: TeamMemberRow }> = [];
  for (const [i, m] of members.entries()) {
    const user = (await memberUser(env, m, `${param}[${i}]`, true))!;
    const membership = await upsertMember(db(env.DB), { teamId, userId: user.userId, role: m.role ?? "user", maxBudgetInTeam });
    await syncMemberGuard(env, membership, budgetDuration);
    out.push({ user, membership });
  }
  return out;
}

export const membershipObject = (m: TeamMemberRow) => ({ team_id: m.teamId, user_id: m.userId, role: m.role, max_budget_in_team: m.maxBudgetInTeam });
