/** A clock whose time moves only when the test says so: for pacing logic that would otherwise need real waiting. */
import { abortError, type Clock } from '../../src/common/clock';

export class FakeClock implements Clock {
  private time: number;
  private sleepers: { until: number; resolve: () => void }[] = [];

  constructor(start = Date.UTC(2025, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  random(): number {
    return 0.5;
  }

  /** How many sleeps are waiting for time to move (to see that something has started to wait). */
  get sleeping(): number {
    return this.sleepers.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    return new Promise((resolve, reject) => {
      const sleeper = { until: this.time + Math.max(0, ms), resolve };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', () => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(abortError(signal));
      });
    });
  }

  /** When the earliest sleep ends, if any is waiting. */
  get nextWake(): number | undefined {
    return this.sleepers.length ? Math.min(...this.sleepers.map((s) => s.until)) : undefined;
  }

  /** Moves time forward, waking sleepers in order and letting their continuations run. */
  async advance(ms: number): Promise<void> {
    const target = this.time + ms;
    for (;;) {
      await flush();
      const next = this.sleepers.filter((s) => s.until <= target).sort((a, b) => a.until - b.until)[0];
      if (!next) break;
      this.time = Math.max(this.time, next.until);
      this.sleepers = this.sleepers.filter((s) => s !== next);
      next.resolve();
    }
    this.time = target;
    await flush();
  }
}

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
