/** Engine knobs. Defaults follow the facts page; tests and the benchmark scale the times down. */
export interface EngineSettings {
  /** Devices per `/import` call. The portal's limit is 500 and nothing larger is documented, so 500 is the cap. */
  readonly batchSize: number;
  /**
   * Time between looks at a run's records (SPEC: `autopilot.poll.intervalSeconds`, default 15): every gap when
   * `adaptivePolling` is off, the longest gap when it is on (see pollPace.ts), and the time between registration checks.
   */
  readonly pollIntervalMs: number;
  /**
   * Look when records can be done rather than every `pollIntervalMs` (see pollPace.ts). Off when the user set an
   * interval (`--poll-interval`, `AUTOPILOT_POLL_INTERVAL_SECONDS`, `autopilot.poll.intervalSeconds`).
   */
  readonly adaptivePolling: boolean;
  /** With adaptive polling, the shortest gap between two looks at a run (or `pollIntervalMs`, if that is shorter). */
  readonly pollMinGapMs: number;
  /** Intune's budget for all requests of one app in one tenant (facts page §4.1); a run's looks use a quarter of it. */
  readonly readBudget: { readonly limit: number; readonly windowMs: number };
  /** How long `wait` watches (processing, then registration) before giving up; the run stays resumable. */
  readonly timeLimitMs: number;
  /** Up to this many records are polled with one GET each; more are read with the paged list. */
  readonly perRecordPollLimit: number;
  /** `$top` for paged lists. */
  readonly pageSize: number;
  /** How often a device may come back "outcome unknown" and be re-sent before the run stops with an error. */
  readonly maxUncertainAttempts: number;
  /**
   * How many `/import` chunks may be on their way at once (each journaled before it leaves; the write budget still
   * paces them), so the last chunk's devices start processing about when the first chunk's do.
   */
  readonly chunksInFlight: number;
  /** Parallel requests when falling back to one `POST` per device (the write budget still paces them). */
  readonly createConcurrency: number;
  /**
   * How long Graph may take to commit a write it did not confirm (a timeout, a cut connection, 500/502/503/504): no
   * device of such a write is sent again before this has passed and a fresh listing shows it missing (SPEC 6.1:
   * `AUTOPILOT_SETTLE_SECONDS`, `autopilot.import.settleSeconds`, default 60 s).
   */
  readonly settleMs: number;
}

export const MAX_BATCH_SIZE = 500;

export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  batchSize: MAX_BATCH_SIZE,
  pollIntervalMs: 15_000,
  adaptivePolling: true,
  pollMinGapMs: 1_000,
  readBudget: { limit: 1000, windowMs: 20_000 },
  timeLimitMs: 60 * 60_000,
  perRecordPollLimit: 20,
  pageSize: 1000,
  maxUncertainAttempts: 3,
  chunksInFlight: 4,
  createConcurrency: 4,
  settleMs: 60_000,
};

export function engineSettings(overrides: Partial<EngineSettings> = {}): EngineSettings {
  const settings = { ...DEFAULT_ENGINE_SETTINGS, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
  if (!Number.isInteger(settings.batchSize) || settings.batchSize < 1 || settings.batchSize > MAX_BATCH_SIZE) {
    throw new RangeError(`The batch size must be a whole number from 1 to ${MAX_BATCH_SIZE}.`);
  }
  if (!Number.isInteger(settings.chunksInFlight) || settings.chunksInFlight < 1) throw new RangeError('At least one chunk must be allowed in flight.');
  if (!(settings.pollIntervalMs > 0)) throw new RangeError('The poll interval must be positive.');
  if (!(settings.pollMinGapMs > 0)) throw new RangeError('The shortest gap between looks must be positive.');
  if (!(settings.readBudget.limit >= 1) || !(settings.readBudget.windowMs > 0)) throw new RangeError('A read budget needs a limit ≥ 1 and a positive window.');
  if (!(settings.settleMs >= 0)) throw new RangeError('The settle time must not be negative.');
  return settings;
}
