// Events per second over the last minute, for the dashboard: 60 one-second buckets in a ring, so
// recording is O(1) and nothing grows with traffic.
import type { Clock } from "./rate-limit.js";

export const RATE_WINDOW_SECONDS = 60;
const MS_PER_SECOND = 1000;

export class RateWindow {
  private readonly counts = new Float64Array(RATE_WINDOW_SECONDS);
  /** The absolute second each bucket currently holds. */
  private readonly seconds = new Float64Array(RATE_WINDOW_SECONDS).fill(-1);

  constructor(private readonly now: Clock = Date.now) {}

  record(amount: number): void {
    const second = Math.floor(this.now() / MS_PER_SECOND);
    const slot = second % RATE_WINDOW_SECONDS;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot] = (this.counts[slot] ?? 0) + amount;
  }

  /** Mean per second over the last RATE_WINDOW_SECONDS seconds (the current one included). */
  perSecond(): number {
    const current = Math.floor(this.now() / MS_PER_SECOND);
    let total = 0;
    for (let slot = 0; slot < RATE_WINDOW_SECONDS; slot++) {
      const second = this.seconds[slot] ?? -1;
      if (second > current - RATE_WINDOW_SECONDS && second <= current) total += this.counts[slot] ?? 0;
    }
    return total / RATE_WINDOW_SECONDS;
  }
}
