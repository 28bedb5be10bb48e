/** A budget's running total for the current period, and what calls in flight have reserved. */
export interface LedgerData {
  spend: number;
  /** Unix ms when the period started (null: no period, the budget is for ever). */
  periodStart: number | null;
  periodMs: number | null;
  softAlerted: boolean;
}

interface Reservation {
  amount: number;
  /** Unix ms after which the reservation no longer holds (its call outlived any sane call). */
  expires: number;
}

/**
 * The budget ledger. The guarantee it keeps, with `room` and `settle`: a call is admitted only
 * while spend + reservations is below the limit, and reserves at most what is left, so under any
 * concurrency the budget is exceeded by no more than one call's cost beyond its reservation, and a
 * subject whose spend is below its budget can always make its next call.
 */
export class Ledger {
  readonly reservations = new Map<string, Reservation>();
  reserved = 0;
  /** The earliest expiry among the reservations (Infinity when none). */
  private nextExpiry = Number.POSITIVE_INFINITY;

  constructor(public data: LedgerData) {}

  static fresh(periodMs: number | null, now: number): Ledger {
    return new Ledger({ spend: 0, periodStart: periodMs ? now : null, periodMs, softAlerted: false });
  }

  /** Starts a new period when the current one has ended; true when it reset. */
  roll(now: number): boolean {
    this.expire(now);
    const { periodStart, periodMs } = this.data;
    if (!periodMs || periodStart === null || now < periodStart + periodMs) return false;
    const periods = Math.floor((now - periodStart) / periodMs);
    this.data = { ...this.data, spend: 0, periodStart: periodStart + periods * periodMs, softAlerted: false };
    return true;
  }

  /** A new period length from an admin change: the period restarts now. */
  setPeriod(periodMs: number | null, now: number): void {
    if (periodMs === this.data.periodMs) return;
    this.data = { ...this.data, periodMs, periodStart: periodMs ? now : null };
  }

  resetAt(): number | null {
    return this.data.periodMs && this.data.periodStart !== null ? this.data.periodStart + this.data.periodMs : null;
  }

  /**
   * What a call asking to reserve `amount` under `limit` may hold: `amount` capped at what is
   * left, or null when nothing is left (spend and reservations reach the limit).
   */
  room(limit: number, amount: number): number | null {
    const committed = this.data.spend + this.reserved;
    if (committed >= limit - 1e-12) return null;
    return Math.min(Math.max(0, amount), limit - committed);
  }

  reserve(id: string, amount: number, expires: number): void {
    if (amount <= 0) return;
    this.reservations.set(id, { amount, expires });
    this.reserved += amount;
    if (expires < this.nextExpiry) this.nextExpiry = expires;
  }

  /**
   * Replaces the call's reservation with what it cost. A settle that arrives after its reservation
   * expired (or after the guard restarted and forgot it) is still charged in full.
   */
  settle(id: string, cost: number): void {
    this.release(id);
    this.data = { ...this.data, spend: this.data.spend + Math.max(0, cost) };
  }

  /** Drops the reservations that outlived their time to live. */
  expire(now: number): void {
    if (now < this.nextExpiry) return;
    let next = Number.POSITIVE_INFINITY;
    for (const [id, r] of this.reservations) {
      if (r.expires <= now) this.release(id);
      else if (r.expires < next) next = r.expires;
    }
    this.nextExpiry = next;
  }

  /** Drops a call's reservation without charging it. */
  release(id: string): void {
    const held = this.reservations.get(id);
    if (held === undefined) return;
    this.reservations.delete(id);
    this.reserved = this.reservations.size ? Math.max(0, this.reserved - held.amount) : 0;
  }
}
