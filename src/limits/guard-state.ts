/**
 * What a guard (one Durable Object per key, per team, per budgeted model group) knows: the
 * authority for revocation, expiry, models, rate limits and the budget ledger of its subject.
 */
export interface GuardState {
  /** `key:<token>`, `team:<id>` or `model:<group>`. */
  subject: string;
  /** Model groups allowed; empty = all. */
  models: string[];
  /** A key's: its row's updated_at when the guard was told (an isolate's cached row older than this is stale). */
  version?: number;
  /** Unix ms, or null. */
  expires: number | null;
  blocked: boolean;
  /** Deleted or regenerated away: every call is refused from then on. */
  revoked: boolean;
  rpmLimit: number | null;
  tpmLimit: number | null;
  maxParallel: number | null;
  modelRpm: Record<string, number> | null;
  modelTpm: Record<string, number> | null;
  /** USD per period (budgetDurationMs), or for ever. */
  maxBudget: number | null;
  budgetDurationMs: number | null;
  softBudget: number | null;
  modelBudgets: Record<string, { limit: number; periodMs: number | null }> | null;
  tempBudgetIncrease: number | null;
  /** Unix ms. */
  tempBudgetExpiry: number | null;
}

export const emptyLimits = (): Omit<GuardState, "subject" | "models" | "expires" | "blocked" | "revoked"> => ({
  rpmLimit: null,
  tpmLimit: null,
  maxParallel: null,
  modelRpm: null,
  modelTpm: null,
  maxBudget: null,
  budgetDurationMs: null,
  softBudget: null,
  modelBudgets: null,
  tempBudgetIncrease: null,
  tempBudgetExpiry: null,
});

/** One call asking to be admitted. */
export interface AdmitRequest {
  /** The request id: the reservation and the parallel lease are held under it. */
  id: string;
  model: string;
  now: number;
  /** The most the call can cost (USD), held against budgets until it settles (capped at what a budget has left). */
  reserve: number;
  /** How long the reservation and the lease hold at most when no settle comes (default 10 minutes). */
  ttlMs?: number;
  /** Settles of earlier calls, carried by this admission instead of a hop of their own; applied first. */
  settles?: SettleRequest[];
  /** The name the client asked for when it is an alias of `model` (a model list naming either allows the call). */
  alias?: string;
  /** The updated_at of the key row the isolate holds: older than the guard's, the isolate reloads the key. */
  version?: number;
  /** The access groups of the model group called (model_info.access_groups): a list naming one allows it. */
  groups?: readonly string[];
}

/**
 * A call already admitted moves on to another model group (a fallback): that group's model list,
 * per-model rpm/tpm and model budget apply; the call's own request, lease and budget reservation stay.
 */
export interface ExtendRequest {
  id: string;
  model: string;
  alias?: string;
  now: number;
  reserve: number;
  ttlMs?: number;
  /** The access groups of the model group (model_info.access_groups). */
  groups?: readonly string[];
}

/** A soft budget crossed by a settle. */
export interface SoftAlert {
  subject: string;
  spend: number;
  budget: number;
}

export interface RateInfo {
  limit: number;
  remaining: number;
  /** Milliseconds until the window frees up. */
  resetMs: number;
}

export interface Granted {
  ok: true;
  requests?: RateInfo;
  tokens?: RateInfo;
  /** The subject's own per-model limits for this call's model (model_rpm_limit / model_tpm_limit). */
  modelRequests?: RateInfo;
  modelTokens?: RateInfo;
  /** The guard holds something for this call (lease, reservation, token count): settle it. */
  settle: boolean;
}

export type Refusal =
  /** The guard has never been told about its subject. */
  | { ok: false; reason: "unknown" }
  | { ok: false; reason: "revoked" | "expired" | "blocked"; subject: string }
  | { ok: false; reason: "model"; subject: string }
  /** The isolate's cached key row is older than the one the guard was told about (its team, user or models moved). */
  | { ok: false; reason: "stale"; subject: string }
  | { ok: false; reason: "rate"; subject: string; which: "requests" | "tokens" | "parallel"; model?: string; info: RateInfo; requests?: RateInfo; tokens?: RateInfo }
  | { ok: false; reason: "budget"; subject: string; budget: number; spend: number; reserve: number; resetAt: number | null; model?: string };

/** An admission's answer; `alerts` are the soft budgets crossed by the settles it carried. */
export type Admission = (Granted | Refusal) & { alerts?: SoftAlert[] };

export interface SettleRequest {
  id: string;
  model: string;
  /** USD actually spent (0 when unknown or failed). */
  cost: number;
  tokens: number;
  now: number;
}

export interface LedgerView {
  spend: number;
  reserved: number;
  resetAt: number | null;
  inFlight: number;
}

/** A ledger view with the current minute's counts; null where the subject has no limit to count against. */
export interface LiveUsage extends LedgerView {
  requestsUsed: number | null;
  tokensUsed: number | null;
}

export interface Settled extends LedgerView {
  /** Set when this call took the spend across the soft budget. */
  softCrossed?: { spend: number; budget: number };
}

/**
 * The subject may call this model group (`all-proxy-models` and an empty list mean every model),
 * also when its list names one of the group's access groups (LiteLLM's model_info.access_groups),
 * or the alias the client called it by.
 */
export function modelAllowed(models: readonly string[], model: string, groups: readonly string[] = [], alias?: string): boolean {
  return allows(models, model, groups) || (alias !== undefined && allows(models, alias, groups));
}

function allows(models: readonly string[], model: string, groups: readonly string[]): boolean {
  if (models.length === 0 || models.includes(model) || models.includes("all-proxy-models")) return true;
  if (groups.some((g) => models.includes(g))) return true;
  // `openai/*` in a list allows every `openai/...` group.
  return models.some((m) => m.endsWith("/*") && model.startsWith(m.slice(0, -1)));
}
