/** What the two halves of `npm run bench:host` pass each other: the driver's setup, and what the extension host measured. */

export const HOST_BENCH_ENV = 'AUTOPILOT_HOST_BENCH';

export interface HostBenchConfig {
  readonly authority: string;
  readonly graphRoot: string;
  readonly tenantDomain: string;
  readonly payload: string;
  readonly output: string;
  /** Where to write a CPU profile of the extension host during the import, if anywhere. */
  readonly profile?: string;
}

export interface LoopDelay {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
  readonly samples: number;
}

export interface HostBenchResult {
  readonly devices: number;
  readonly importMs: number;
  readonly import: LoopDelay;
  readonly idle: LoopDelay;
  /** Heap in use after a full collection: before the import, after it, and the most seen while it ran (MB). */
  readonly heap: { readonly beforeMb: number; readonly afterMb: number; readonly peakMb: number };
  /** Reading the journal back into Recent Imports (what a new window does), with the 5,000-device run in it. */
  readonly reload: { readonly ms: number; readonly loop: LoopDelay };
  readonly vscode: string;
  readonly error?: string;
}
