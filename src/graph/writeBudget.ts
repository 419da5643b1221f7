/**
 * Client-side pacing of writes so that a large import never meets Intune's throttling: by default at most 100
 * writes in any 20 s (Intune's per-app budget, facts page §4.1). A slot counts from when the request leaves until
 * its answer arrives plus the window, because Graph counts a write when it arrives, which can be later than when we
 * sent it. After a 429 with `Retry-After`, no write starts before that time (reads are not paced here).
 */
import { throwIfAborted, type Clock } from '../common/clock';

export interface WriteBudgetOptions {
  readonly limit: number;
  readonly windowMs: number;
}

export const DEFAULT_WRITE_BUDGET: WriteBudgetOptions = { limit: 100, windowMs: 20_000 };

export class WriteBudget {
  /** End time of each completed write; in-flight writes are counted separately. */
  private readonly completed: number[] = [];
  private inFlight = 0;
  private pausedUntil = 0;

  constructor(
    private readonly options: WriteBudgetOptions,
    private readonly clock: Clock,
  ) {
    if (!(options.limit >= 1) || !(options.windowMs > 0)) throw new RangeError('A write budget needs a limit ≥ 1 and a positive window.');
  }

  /** Waits for a slot and takes it; call the returned function when the write's answer (or failure) arrives. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    for (;;) {
      throwIfAborted(signal);
      const now = this.clock.now();
      this.forgetBefore(now - this.options.windowMs);
      const wait = this.waitMs(now);
      if (wait <= 0) break;
      await this.clock.sleep(wait, signal);
    }
    this.inFlight++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlight--;
      this.completed.push(this.clock.now());
    };
  }

  /** Called when Graph said `Retry-After`: holds every write until then. */
  pauseUntil(timeMs: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, timeMs);
  }

  get resumesAt(): number {
    return this.pausedUntil;
  }

  private waitMs(now: number): number {
    if (now < this.pausedUntil) return this.pausedUntil - now;
    if (this.completed.length + this.inFlight < this.options.limit) return 0;
    // Full: the earliest completed slot frees first. With only in-flight writes holding the budget, poll briefly.
    const oldest = this.completed[0];
    return oldest === undefined ? 50 : Math.max(1, oldest + this.options.windowMs - now);
  }

  private forgetBefore(cutoff: number): void {
    let drop = 0;
    while (drop < this.completed.length && this.completed[drop]! <= cutoff) drop++;
    if (drop) this.completed.splice(0, drop);
  }
}
