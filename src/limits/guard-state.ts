/** What a key's KeyGuard knows about the key: the authority for revocation, expiry, models and limits. */
export interface GuardState {
  token: string;
  /** Model groups the key may call; empty = all. */
  models: string[];
  /** Unix ms, or null. */
  expires: number | null;
  blocked: boolean;
  /** Set when the key was deleted or regenerated away: every call is refused from then on. */
  revoked: boolean;
  rpmLimit: number | null;
}

export type Admission =
  | { ok: true; rpm?: RateInfo }
  /** The guard has never been told about this key (it predates the guard, or storage was lost). */
  | { ok: false; reason: "unknown" }
  | { ok: false; reason: "revoked" | "expired" | "blocked" }
  | { ok: false; reason: "model" }
  | { ok: false; reason: "rate"; rpm: RateInfo };

export interface RateInfo {
  limit: number;
  remaining: number;
  /** Milliseconds until a request slot frees up. */
  resetMs: number;
}

/** The key may call this model group (LiteLLM's `all-proxy-models` and an empty list mean every model). */
export function modelAllowed(models: readonly string[], model: string): boolean {
  if (models.length === 0 || models.includes(model) || models.includes("all-proxy-models")) return true;
  // `openai/*` in a key's list allows every `openai/...` group.
  return models.some((m) => m.endsWith("/*") && model.startsWith(m.slice(0, -1)));
}
