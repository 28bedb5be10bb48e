/**
 * A sliding one-minute window of weighted events (requests count 1, token counts their tokens),
 * kept in memory: exact for a single-threaded owner such as a Durable Object.
 */
export class SlidingWindow {
  private times: number[] = [];
  private weights: number[] = [];
  private head = 0;
  private total = 0;

  constructor(private readonly spanMs = 60_000) {}

  private trim(now: number): void {
    const cutoff = now - this.spanMs;
    while (this.head < this.times.length && this.times[this.head]! <= cutoff) {
      this.total -= this.weights[this.head]!;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.times.length) {
      this.times = this.times.slice(this.head);
      this.weights = this.weights.slice(this.head);
      this.head = 0;
    }
  }

  /** What the window holds now. */
  used(now: number): number {
    this.trim(now);
    return this.total;
  }

  add(weight: number, now: number): void {
    this.trim(now);
    if (weight <= 0) return;
    this.times.push(now);
    this.weights.push(weight);
    this.total += weight;
  }

  /** Milliseconds until the oldest event leaves the window (1 when empty). */
  resetMs(now: number): number {
    this.trim(now);
    const oldest = this.times[this.head];
    return oldest === undefined ? 1 : Math.max(1, oldest + this.spanMs - now);
  }
}
