import type { EndUserRow, KeyRow, OrganizationRow, TeamMemberRow, TeamRow, UserRow } from "../db/schema";
import { parseDuration } from "./duration";
import { emptyLimits, type GuardState } from "./guard-state";

/** LiteLLM's `["*"]` means every model, as an empty list does (and `all-proxy-models`, which the guard knows). */
export const modelsOf = (models: string[]): string[] => (models.includes("*") ? [] : models);

const ms = (d: string | null | undefined) => (d ? (parseDuration(d) ?? null) : null);

type ModelBudgets = Record<string, { budget_limit: number; time_period?: string }>;

function modelBudgets(b: ModelBudgets | null | undefined): GuardState["modelBudgets"] {
  if (!b) return null;
  const out: NonNullable<GuardState["modelBudgets"]> = {};
  for (const [m, v] of Object.entries(b)) out[m] = { limit: v.budget_limit, periodMs: ms(v.time_period) };
  return out;
}

export const keySubject = (token: string) => `key:${token}`;
export const teamSubject = (id: string) => `team:${id}`;
export const modelSubject = (group: string) => `model:${group}`;
export const userSubject = (id: string) => `user:${id}`;
export const orgSubject = (id: string) => `org:${id}`;
export const customerSubject = (id: string) => `customer:${id}`;
/** A user's membership of a team: its max_budget_in_team. */
export const memberSubject = (teamId: string, userId: string) => `member:${JSON.stringify([teamId, userId])}`;

/** A key's guard state from its D1 row. */
export function keyState(row: KeyRow, revoked = false): GuardState {
  return {
    ...emptyLimits(),
    subject: keySubject(row.token),
    models: modelsOf(row.models),
    version: row.updatedAt,
    expires: row.expires,
    blocked: row.blocked,
    revoked,
    rpmLimit: row.rpmLimit,
    tpmLimit: row.tpmLimit,
    maxParallel: row.maxParallelRequests,
    modelRpm: row.modelRpmLimit ?? null,
    modelTpm: row.modelTpmLimit ?? null,
    maxBudget: row.maxBudget,
    budgetDurationMs: ms(row.budgetDuration),
    softBudget: row.softBudget,
    modelBudgets: modelBudgets(row.modelMaxBudget),
    tempBudgetIncrease: row.tempBudgetIncrease,
    tempBudgetExpiry: row.tempBudgetExpiry,
  };
}

/** A team's guard state from its D1 row. */
export function teamState(row: TeamRow, revoked = false): GuardState {
  return {
    ...emptyLimits(),
    subject: teamSubject(row.teamId),
    models: modelsOf(row.models),
    expires: null,
    blocked: row.blocked,
    revoked,
    rpmLimit: row.rpmLimit,
    tpmLimit: row.tpmLimit,
    maxBudget: row.maxBudget,
    budgetDurationMs: ms(row.budgetDuration),
  };
}

/** A model group's gateway-wide budget (litellm_settings.model_max_budget). */
export function modelBudgetState(group: string, limit: number, periodMs: number | null): GuardState {
  return { ...emptyLimits(), subject: modelSubject(group), models: [], expires: null, blocked: false, revoked: false, maxBudget: limit, budgetDurationMs: periodMs };
}

/** An internal user's guard state: its models, limits and budget bound every key with its user_id. */
export function userState(row: UserRow, revoked = false): GuardState {
  return {
    ...emptyLimits(),
    subject: userSubject(row.userId),
    models: modelsOf(row.models),
    expires: null,
    blocked: false,
    revoked,
    rpmLimit: row.rpmLimit,
    tpmLimit: row.tpmLimit,
    maxBudget: row.maxBudget,
    budgetDurationMs: ms(row.budgetDuration),
  };
}

/** A user who is not (or no longer) a member of the team: nothing of its own bounds it there. */
export const noMembership = (teamId: string, userId: string): TeamMemberRow => ({ teamId, userId, role: "user", maxBudgetInTeam: null, createdAt: 0 });

/** A team membership's guard state: the member's budget in the team, over the team's budget period. */
export function memberState(row: TeamMemberRow, team: Pick<TeamRow, "budgetDuration"> | null): GuardState {
  return {
    ...emptyLimits(),
    subject: memberSubject(row.teamId, row.userId),
    models: [],
    expires: null,
    blocked: false,
    revoked: false,
    maxBudget: row.maxBudgetInTeam,
    budgetDurationMs: ms(team?.budgetDuration),
  };
}

/** An organization's guard state: its models, limits and budget bound every key of its teams. */
export function orgState(row: OrganizationRow, revoked = false): GuardState {
  return {
    ...emptyLimits(),
    subject: orgSubject(row.organizationId),
    models: modelsOf(row.models),
    expires: null,
    blocked: false,
    revoked,
    rpmLimit: row.rpmLimit,
    tpmLimit: row.tpmLimit,
    maxBudget: row.maxBudget,
    budgetDurationMs: ms(row.budgetDuration),
  };
}

/** An end user's guard state (the OpenAI `user` field); one never created has no limits. */
export function customerState(id: string, row: EndUserRow | null): GuardState {
  return {
    ...emptyLimits(),
    subject: customerSubject(id),
    models: modelsOf(row?.models ?? []),
    expires: null,
    blocked: row?.blocked ?? false,
    revoked: false,
    rpmLimit: row?.rpmLimit ?? null,
    tpmLimit: row?.tpmLimit ?? null,
    maxBudget: row?.maxBudget ?? null,
    budgetDurationMs: ms(row?.budgetDuration),
  };
}
