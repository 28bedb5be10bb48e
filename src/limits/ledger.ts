/** A budget's running total for the current period, and what calls in flight have reserved. */
export interface LedgerData {
  spend: number;
  /** Unix ms when the period started (null: no period, the budget is for ever). */
  periodStart: number | null;
  periodMs: number | null;
  softAlerted: boolean;
}

export class Ledger {
  readonly reservations = new Map<string, number>();
  reserved = 0;

  constructor(public data: LedgerData) {}

  static fresh(periodMs: number | null, now: number): Ledger {
    return new Ledger({ spend: 0, periodStart: periodMs ? now : null, periodMs, softAlerted: false });
  }

  /** Starts a new period when the current one has ended; true when it reset. */
  roll(now: number): boolean {
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

  /** Would `amount` more still fit under `limit`, with what is already spent and reserved? */
  fits(limit: number, amount: number): boolean {
    const committed = this.data.spend + this.reserved;
    return committed < limit && committed + amount <= limit + 1e-12;
  }

  reserve(id: string, amount: number): void {
    if (amount <= 0) return;
    this.reservations.set(id, amount);
    this.reserved += amount;
  }

  /** Replaces the call's reservation with what it cost. */
  settle(id: string, cost: number): void {
    const held = this.reservations.get(id);
    if (held !== undefined) {
      this.reservations.delete(id);
      this.reserved = Math.max(0, this.reserved - held);
    }
    this.data = { ...this.data, spend: this.data.spend + Math.max(0, cost) };
  }
}
