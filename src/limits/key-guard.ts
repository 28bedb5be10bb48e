import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import { modelAllowed, type Admission, type GuardState, type RateInfo } from "./guard-state";

const WINDOW_MS = 60_000;
const STATE_KEY = "state";

/**
 * One per virtual key (named by its token). Single-threaded, so its checks are exact across every
 * isolate: revocation, expiry, the model list, and the requests-per-minute window. The window
 * lives in memory (no storage write per call); the key's state is written only when an admin
 * changes it.
 */
export class KeyGuard extends DurableObject<Env> {
  private state: GuardState | null;
  /** Admission times (ms) inside the current window, oldest first, from `head` on. */
  private hits: number[] = [];
  private head = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.state = ctx.storage.kv.get<GuardState>(STATE_KEY) ?? null;
  }

  /** Admin changes: the new state (or revocation) holds from the very next call. */
  configure(state: GuardState): void {
    this.state = state;
    this.ctx.storage.kv.put(STATE_KEY, state);
  }

  /** Checks the key without counting a call (for routes that are not model calls). */
  check(now = Date.now()): Admission {
    return this.refusal(now) ?? { ok: true };
  }

  /** Admits one call of `model`, counting it against the key's limits. */
  admit(model: string, now = Date.now()): Admission {
    const refused = this.refusal(now);
    if (refused) return refused;
    const state = this.state!;
    if (!modelAllowed(state.models, model)) return { ok: false, reason: "model" };
    if (state.rpmLimit == null) return { ok: true };
    const rpm = this.takeSlot(state.rpmLimit, now);
    return rpm.remaining < 0 ? { ok: false, reason: "rate", rpm: { ...rpm, remaining: 0 } } : { ok: true, rpm };
  }

  private refusal(now: number): Admission | undefined {
    const state = this.state;
    if (!state) return { ok: false, reason: "unknown" };
    if (state.revoked) return { ok: false, reason: "revoked" };
    if (state.blocked) return { ok: false, reason: "blocked" };
    if (state.expires !== null && state.expires <= now) return { ok: false, reason: "expired" };
    return undefined;
  }

  /** Sliding one-minute window: exact, whatever the concurrency. remaining < 0 means refused. */
  private takeSlot(limit: number, now: number): RateInfo {
    const cutoff = now - WINDOW_MS;
    while (this.head < this.hits.length && this.hits[this.head]! <= cutoff) this.head++;
    if (this.head > 1024 && this.head * 2 > this.hits.length) {
      this.hits = this.hits.slice(this.head);
      this.head = 0;
    }
    const used = this.hits.length - this.head;
    if (used >= limit) {
      const oldest = this.hits[this.head] ?? now;
      return { limit, remaining: -1, resetMs: Math.max(1, oldest + WINDOW_MS - now) };
    }
    this.hits.push(now);
    const oldest = this.hits[this.head]!;
    return { limit, remaining: limit - used - 1, resetMs: Math.max(1, oldest + WINDOW_MS - now) };
  }
}
