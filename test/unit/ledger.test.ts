import { describe, expect, it } from "vitest";
import { Ledger } from "../../src/limits/ledger";

const T0 = Date.UTC(2026, 11, 1, 12, 0, 0);

describe("budget ledger (injected time)", () => {
  it("reserves at most what the budget has left, and refuses only when nothing is left", () => {
    const l = Ledger.fresh(null, T0);
    expect(l.room(10, 4)).toBe(4);
    l.reserve("a", 4, T0 + 60_000);
    l.reserve("b", l.room(10, 4)!, T0 + 60_000);
    // 8 held: the next call gets the 2 that are left, not a refusal.
    expect(l.room(10, 4)).toBe(2);
    l.reserve("c", 2, T0 + 60_000);
    expect(l.room(10, 4)).toBeNull();
    expect(l.reserved).toBe(10);
  });

  it("a key whose spend is below its budget can always make its next call; the overrun is at most that call's cost beyond its reservation", () => {
    const l = Ledger.fresh(null, T0);
    l.settle("a", 9.5);
    const held = l.room(10, 4);
    expect(held).toBe(0.5);
    l.reserve("b", held!, T0 + 60_000);
    l.settle("b", 4);
    expect(l.data.spend).toBe(13.5);
    expect(l.room(10, 0.01)).toBeNull();
  });

  it("settling replaces the reservation with the cost", () => {
    const l = Ledger.fresh(null, T0);
    l.reserve("a", 4, T0 + 60_000);
    l.settle("a", 1.25);
    expect(l.reserved).toBe(0);
    expect(l.data.spend).toBe(1.25);
  });

  it("a reservation expires after its time to live; a settle arriving later is still charged", () => {
    const l = Ledger.fresh(null, T0);
    l.reserve("a", 10, T0 + 60_000);
    expect(l.room(10, 1)).toBeNull();
    l.expire(T0 + 59_999);
    expect(l.reserved).toBe(10);
    l.expire(T0 + 60_000);
    expect(l.reserved).toBe(0);
    expect(l.room(10, 1)).toBe(1);
    l.settle("a", 3);
    expect(l.data.spend).toBe(3);
    expect(l.reserved).toBe(0);
  });

  it("a period rolls over at its end, keeping reservations and expiring stale ones", () => {
    const l = Ledger.fresh(3_600_000, T0);
    l.settle("a", 5);
    l.reserve("b", 2, T0 + 7_200_000);
    l.reserve("c", 1, T0 + 60_000);
    expect(l.roll(T0 + 3_599_999)).toBe(false);
    expect(l.roll(T0 + 3_600_000)).toBe(true);
    expect(l.data.spend).toBe(0);
    expect(l.reserved).toBe(2);
    expect(l.resetAt()).toBe(T0 + 7_200_000);
  });
});
