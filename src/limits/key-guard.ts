import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env";
import {
  modelAllowed,
  type Admission,
  type AdmitRequest,
  type ExtendRequest,
  type GuardState,
  type LedgerView,
  type LiveUsage,
  type RateInfo,
  type Refusal,
  type SettleRequest,
  type Settled,
  type SoftAlert,
} from "./guard-state";
import { Ledger, type LedgerData } from "./ledger";
import { SlidingWindow } from "./window";

const STATE_KEY = "state";
const LEDGER_KEY = "ledger";
const MODEL_LEDGERS_KEY = "model-ledgers";
/**
 * A lease and a reservation outlive any sane call; a worker that died mid-call (or a settle that
 * never arrived) cannot pin a key's parallel slots or its budget for longer. A settle arriving later
 * is still charged.
 */
const DEFAULT_TTL_MS = 10 * 60_000;

/**
 * One per key, per team and per budgeted model group (named by its subject). Single-threaded, so
 * its checks are exact across every isolate: revocation, expiry, models, requests and tokens per
 * minute (overall and per model), parallel leases, and the budget ledgers with reservations.
 * Admission never writes to storage; a settle persists the ledger without holding answers back.
 */
const CHARGES_KEPT = 20_000;
const CHARGE_MEMORY_MS = 3600_000;

/** Storage keys of the charges applied by chargeOnce (CHARGE_MARK + id -> when). */
const CHARGE_MARK = "charged:";
const CHARGE_MARKS_DAYS = 30;

function rememberCharge(charged: Map<string, number>, id: string, now: number): void {
  charged.set(id, now);
  // Oldest first (insertion order): drop what is past its hour, and the oldest beyond the count.
  for (const [old, at] of charged) {
    if (charged.size <= CHARGES_KEPT && at > now - CHARGE_MEMORY_MS) break;
    charged.delete(old);
  }
}

export class KeyGuard extends DurableObject<Env> {
  private state: GuardState | null;
  private ledger: Ledger;
  private modelLedgers = new Map<string, Ledger>();
  private requests = new SlidingWindow();
  private tokens = new SlidingWindow();
  private modelRequests = new Map<string, SlidingWindow>();
  private modelTokens = new Map<string, SlidingWindow>();
  private leases = new Map<string, number>();
  /** Calls charged lately (id -> when): a settle delivered twice (a retried flush) is charged once. */
  private charged = new Map<string, number>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const kv = ctx.storage.kv;
    this.state = kv.get<GuardState>(STATE_KEY) ?? null;
    const data = kv.get<LedgerData>(LEDGER_KEY);
    this.ledger = data ? new Ledger(data) : Ledger.fresh(this.state?.budgetDurationMs ?? null, Date.now());
    for (const [model, d] of Object.entries(kv.get<Record<string, LedgerData>>(MODEL_LEDGERS_KEY) ?? {})) this.modelLedgers.set(model, new Ledger(d));
  }

  /** Admin changes: the new state holds from the very next call. `ledger` carries spend over (regenerate). */
  configure(state: GuardState, now = Date.now(), ledger?: LedgerData): void {
    this.state = state;
    if (ledger) this.ledger = new Ledger(ledger);
    this.ledger.setPeriod(state.budgetDurationMs, now);
    this.ctx.storage.kv.put(STATE_KEY, state);
    this.persist();
  }

  /** Sets the current period's spend (`/key/{key}/reset_spend`). */
  resetSpend(to = 0): LedgerView {
    this.ledger.data = { ...this.ledger.data, spend: Math.max(0, to), softAlerted: false };
    this.persist();
    return this.view(Date.now());
  }

  ledgerData(): LedgerData {
    return this.ledger.data;
  }

  /** Checks the subject is usable (not revoked, blocked or expired) without counting a call. */
  check(now = Date.now()): Admission {
    return this.refusal(now) ?? { ok: true, settle: false };
  }

  /** Whether one more request fits the subject's rpm now, without counting one (the UI sign-in's failure limit). */
  peek(now = Date.now()): Admission {
    const refused = this.refusal(now);
    if (refused) return refused;
    const limit = this.state!.rpmLimit;
    if (limit == null) return { ok: true, settle: false };
    const info = this.rate(this.requests, limit, now);
    return info.remaining > 0 ? { ok: true, settle: false, requests: info } : { ok: false, reason: "rate", subject: this.state!.subject, which: "requests", info };
  }

  view(now = Date.now()): LedgerView {
    for (const l of this.modelLedgers.values()) l.expire(now);
    this.ledger.roll(now);
    this.expireLeases(now);
    return { spend: this.ledger.data.spend, reserved: this.ledger.reserved, resetAt: this.ledger.resetAt(), inFlight: this.leases.size };
  }

  /**
   * The budget view plus the current one-minute windows (`/key/info`'s live usage): requests and
   * tokens are counted only while the subject has an rpm or tpm limit, so either is null without one.
   */
  usage(now = Date.now()): LiveUsage {
    const view = this.view(now);
    const s = this.state;
    return {
      ...view,
      requestsUsed: s?.rpmLimit != null ? this.requests.used(now) : null,
      tokensUsed: s?.tpmLimit != null ? this.tokens.used(now) : null,
    };
  }

  /**
   * Admits one call: the settles it carries first, then every check, then every count, so a
   * refusal changes nothing but what the settles did.
   */
  admit(req: AdmitRequest): Admission {
    // A guard that was never told its subject applies nothing: the caller configures it and asks again.
    if (!this.state) return { ok: false, reason: "unknown" };
    const alerts = req.settles?.length ? this.settleAll(req.settles) : undefined;
    const answer = this.decide(req);
    return alerts?.length ? { ...answer, alerts } : answer;
  }

  /** Settles several calls at once (the isolate's settles that no admission carried in time). */
  settleAll(reqs: SettleRequest[]): SoftAlert[] {
    const alerts: SoftAlert[] = [];
    let changed = false;
    for (const r of reqs) {
      const done = this.apply(r);
      changed ||= done.changed;
      if (done.softCrossed && this.state) alerts.push({ subject: this.state.subject, ...done.softCrossed });
    }
    // One write for the whole batch (a settle per call would write the ledger once per call).
    if (changed) this.persistSettled();
    return alerts;
  }

  /**
   * A charge no admission reserved (a native batch's cost, known when its upstream ends), applied
   * exactly once: its id is kept in storage with the ledgers, in the same write, so a charge sent
   * again (a poll redelivered after a crash, whether or not this object restarted) changes nothing.
   * Ids are kept CHARGE_MARKS_DAYS days.
   */
  chargeOnce(req: SettleRequest): SoftAlert[] {
    const kv = this.ctx.storage.kv;
    const mark = `${CHARGE_MARK}${req.id}`;
    if (kv.get(mark) !== undefined) return [];
    const done = this.apply(req);
    for (const [k, at] of [...kv.list<number>({ prefix: CHARGE_MARK })]) if (at < req.now - CHARGE_MARKS_DAYS * 86_400_000) kv.delete(k);
    kv.put(mark, req.now);
    this.persist();
    return done.softCrossed && this.state ? [{ subject: this.state.subject, ...done.softCrossed }] : [];
  }

  private decide(req: AdmitRequest): Admission {
    const s = this.state;
    const refused = this.refusal(req.now);
    if (refused) return refused;
    const state = s!;
    if (req.version !== undefined && state.version !== undefined && req.version < state.version) return { ok: false, reason: "stale", subject: state.subject };
    const { now } = req;
    this.ledger.roll(now);

    const requests = state.rpmLimit != null ? this.rate(this.requests, state.rpmLimit, now) : undefined;
    const tokens = state.tpmLimit != null ? this.rate(this.tokens, state.tpmLimit, now) : undefined;
    const rateRefusal = (which: "requests" | "tokens" | "parallel", info: RateInfo): Refusal => ({ ok: false, reason: "rate", subject: state.subject, which, info, requests, tokens });
    if (!modelAllowed(state.models, req.model, req.groups, req.alias)) return { ok: false, reason: "model", subject: state.subject };
    if (requests && requests.remaining <= 0) return rateRefusal("requests", requests);
    if (tokens && tokens.remaining <= 0) return rateRefusal("tokens", tokens);
    const perModel = this.modelChecks(req, requests, tokens);
    if (!perModel.ok) return perModel;
    if (state.maxParallel != null) {
      this.expireLeases(now);
      if (this.leases.size >= state.maxParallel) {
        const soonest = Math.min(...this.leases.values(), now + 1000);
        return rateRefusal("parallel", { limit: state.maxParallel, remaining: 0, resetMs: Math.max(1, soonest - now) });
      }
    }
    const budget = this.budgetLimit(now);
    const held = budget !== null ? this.ledger.room(budget, req.reserve) : 0;
    if (budget !== null && held === null) {
      return { ok: false, reason: "budget", subject: state.subject, budget, spend: this.ledger.data.spend, reserve: req.reserve, resetAt: this.ledger.resetAt() };
    }

    // Admitted: count it.
    if (requests) this.requests.add(1, now);
    const expires = now + (req.ttlMs ?? DEFAULT_TTL_MS);
    const settle = perModel.commit(req.id, expires) || state.maxParallel != null || state.tpmLimit != null || budget !== null || state.softBudget != null;
    if (state.maxParallel != null) this.leases.set(req.id, expires);
    if (budget !== null) this.ledger.reserve(req.id, held ?? 0, expires);
    return {
      ok: true,
      settle,
      requests: requests && { ...requests, remaining: requests.remaining - 1 },
      tokens,
      ...(perModel.modelRequests ? { modelRequests: perModel.modelRequests } : {}),
      ...(perModel.modelTokens ? { modelTokens: perModel.modelTokens } : {}),
    };
  }

  /**
   * A call already admitted here moves on to another model group (a fallback): that group's
   * model list, per-model rpm/tpm and model budget apply. The call's request count, lease and
   * budget reservation were taken at admission and stay as they are.
   */
  extend(req: ExtendRequest): Admission {
    if (!this.state) return { ok: false, reason: "unknown" };
    const refused = this.refusal(req.now);
    if (refused) return refused;
    if (!modelAllowed(this.state.models, req.model, req.groups, req.alias)) return { ok: false, reason: "model", subject: this.state.subject };
    const perModel = this.modelChecks(req, undefined, undefined);
    if (!perModel.ok) return perModel;
    return { ok: true, settle: perModel.commit(req.id, req.now + (req.ttlMs ?? DEFAULT_TTL_MS)) };
  }

  /** Takes back what `extend` reserved for one model group (another guard refused the fallback). */
  retract(id: string, model: string): void {
    this.modelLedgers.get(model)?.release(id);
  }

  /**
   * The per-model checks of one call (model rpm and tpm, the key's budget for that model);
   * `commit` counts the request and holds the reservation, and says whether a settle is needed.
   */
  private modelChecks(
    req: ExtendRequest,
    requests: RateInfo | undefined,
    tokens: RateInfo | undefined,
  ): Refusal | { ok: true; modelRequests?: RateInfo; modelTokens?: RateInfo; commit(id: string, expires: number): boolean } {
    const state = this.state!;
    const { now, model } = req;
    const rateRefusal = (which: "requests" | "tokens", info: RateInfo): Refusal => ({ ok: false, reason: "rate", subject: state.subject, which, info, model, requests, tokens });
    const mRpm = state.modelRpm?.[model];
    const mRequests = mRpm != null ? this.rate(window(this.modelRequests, model), mRpm, now) : undefined;
    if (mRequests && mRequests.remaining <= 0) return rateRefusal("requests", mRequests);
    const mTpm = state.modelTpm?.[model];
    const mTokens = mTpm != null ? this.rate(window(this.modelTokens, model), mTpm, now) : undefined;
    if (mTokens && mTokens.remaining <= 0) return rateRefusal("tokens", mTokens);
    const mb = state.modelBudgets?.[model];
    const mLedger = mb ? this.modelLedger(model, mb.periodMs, now) : undefined;
    const mHeld = mb && mLedger ? mLedger.room(mb.limit, req.reserve) : 0;
    if (mb && mLedger && mHeld === null) {
      return { ok: false, reason: "budget", subject: state.subject, budget: mb.limit, spend: mLedger.data.spend, reserve: req.reserve, resetAt: mLedger.resetAt(), model };
    }
    return {
      ok: true,
      ...(mRequests ? { modelRequests: { ...mRequests, remaining: mRequests.remaining - 1 } } : {}),
      ...(mTokens ? { modelTokens: mTokens } : {}),
      commit: (id, expires) => {
        if (mRequests) window(this.modelRequests, model).add(1, now);
        if (mLedger) mLedger.reserve(id, mHeld ?? 0, expires);
        return mTpm != null || !!mb;
      },
    };
  }

  /** The call is over: its lease ends, its reservation becomes its cost, its tokens count. */
  settle(req: SettleRequest): Settled {
    const { softCrossed, changed } = this.apply(req);
    if (changed) this.persistSettled();
    return { ...this.view(req.now), softCrossed };
  }

  /** One settle, in memory; `changed`: the ledgers now hold what storage does not. */
  private apply(req: SettleRequest): { softCrossed?: Settled["softCrossed"]; changed: boolean } {
    const { id, model, cost, tokens, now } = req;
    this.leases.delete(id);
    // Releasing twice changes nothing; charging twice would. A charge is remembered for an hour (and at most 20,000 of them).
    if (cost > 0 || tokens > 0) {
      if (this.charged.has(id)) return { changed: false };
      rememberCharge(this.charged, id, now);
    }
    this.ledger.roll(now);
    const before = this.ledger.data.spend;
    this.ledger.settle(id, cost);
    // The group that answered is charged; any other group the call was admitted to (a fallback's start) is released.
    for (const [name, m] of this.modelLedgers) {
      if (name === model) {
        m.roll(now);
        m.settle(id, cost);
      } else m.release(id);
    }
    if (this.state?.tpmLimit != null) this.tokens.add(tokens, now);
    if (this.state?.modelTpm?.[model] != null) window(this.modelTokens, model).add(tokens, now);
    let softCrossed: Settled["softCrossed"];
    const soft = this.state?.softBudget;
    if (soft != null && !this.ledger.data.softAlerted && before < soft && this.ledger.data.spend >= soft) {
      this.ledger.data = { ...this.ledger.data, softAlerted: true };
      softCrossed = { spend: this.ledger.data.spend, budget: soft };
    }
    return { softCrossed, changed: cost > 0 || softCrossed !== undefined };
  }

  private refusal(now: number): Refusal | undefined {
    const s = this.state;
    if (!s) return { ok: false, reason: "unknown" };
    if (s.revoked) return { ok: false, reason: "revoked", subject: s.subject };
    if (s.blocked) return { ok: false, reason: "blocked", subject: s.subject };
    if (s.expires !== null && s.expires <= now) return { ok: false, reason: "expired", subject: s.subject };
    return undefined;
  }

  private budgetLimit(now: number): number | null {
    const s = this.state!;
    if (s.maxBudget == null) return null;
    const temp = s.tempBudgetIncrease && s.tempBudgetExpiry && s.tempBudgetExpiry > now ? s.tempBudgetIncrease : 0;
    return s.maxBudget + temp;
  }

  private modelLedger(model: string, periodMs: number | null, now: number): Ledger {
    let l = this.modelLedgers.get(model);
    if (!l) this.modelLedgers.set(model, (l = Ledger.fresh(periodMs, now)));
    l.setPeriod(periodMs, now);
    l.roll(now);
    return l;
  }

  private rate(w: SlidingWindow, limit: number, now: number): RateInfo {
    return { limit, remaining: Math.max(0, limit - w.used(now)), resetMs: w.resetMs(now) };
  }

  private expireLeases(now: number): void {
    for (const [id, until] of this.leases) if (until <= now) this.leases.delete(id);
  }

  /**
   * A settle's write does not hold this object's answers until it is durable (the output gate):
   * settles ride on admissions, which must not wait for a disk. What a crash can lose is the
   * last few milliseconds of settled spend in this ledger; the spend rows in D1 keep it.
   */
  private persistSettled(): void {
    const entries: Record<string, unknown> = { [LEDGER_KEY]: this.ledger.data };
    if (this.modelLedgers.size) entries[MODEL_LEDGERS_KEY] = Object.fromEntries([...this.modelLedgers].map(([m, l]) => [m, l.data]));
    this.ctx.storage.put(entries, { allowUnconfirmed: true }).catch((e) => console.error(JSON.stringify({ msg: "ledger write failed", error: String(e) })));
  }

  private persist(): void {
    this.ctx.storage.kv.put(LEDGER_KEY, this.ledger.data);
    if (this.modelLedgers.size) {
      this.ctx.storage.kv.put(MODEL_LEDGERS_KEY, Object.fromEntries([...this.modelLedgers].map(([m, l]) => [m, l.data])));
    }
  }
}

function window(map: Map<string, SlidingWindow>, key: string): SlidingWindow {
  let w = map.get(key);
  if (!w) map.set(key, (w = new SlidingWindow()));
  return w;
}
