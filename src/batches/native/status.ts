/** OpenAI's batch statuses: those a batch moves on from, and those it ends in. */
export const OPEN_STATUSES = ["validating", "in_progress", "finalizing", "cancelling"] as const;
const FINAL_STATUSES = ["completed", "failed", "expired", "cancelled"] as const;

const KNOWN: readonly string[] = [...OPEN_STATUSES, ...FINAL_STATUSES];

export const isFinal = (status: string) => (FINAL_STATUSES as readonly string[]).includes(status);

/** The upstream's status as ours (it speaks OpenAI's); one the gateway does not know keeps `fallback`. */
export const mirroredStatus = (upstream: string, fallback: string): string => (KNOWN.includes(upstream) ? upstream : fallback);

/** The timestamp column a status sets when a batch enters it. */
export const STATUS_AT = {
  in_progress: "inProgressAt",
  finalizing: "finalizingAt",
  completed: "completedAt",
  failed: "failedAt",
  expired: "expiredAt",
  cancelling: "cancellingAt",
  cancelled: "cancelledAt",
} as const satisfies Record<string, string>;
