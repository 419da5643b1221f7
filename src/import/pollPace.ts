/**
 * When to look at a run's records again while Intune processes them. Intune decides each import record some time
 * after it was created (30–90 s for single devices, facts page §2.4), in no order and at no fixed time. A fixed
 * interval ends a run up to a whole interval after Intune has; looking often from the start spends requests on
 * records that cannot be done yet. So, unless the user set an interval:
 *
 * - no look before the earliest pending record can be done: its send time plus the shortest processing seen in this
 *   run (a lower bound: the last look that still saw a decided record processing);
 * - before any record is decided, gaps of half the time since the earliest pending send: the first decided records
 *   are seen within about 1.5× their processing time, in a handful of looks;
 * - while records turn over (some decided, some not), gaps of 3% of that time, so the run ends within about 3% of
 *   when Intune has finished;
 * - never closer than `pollMinGapMs`, nor closer than keeps the run's reads within a quarter of Intune's per-app
 *   read budget (other runs, windows and tools of the same app share it); never further apart than `pollIntervalMs`.
 *
 * With an interval the user set (`--poll-interval`, `autopilot.poll.intervalSeconds`), every gap is that interval
 * (still within the read budget).
 */
import type { EngineSettings } from './settings';

/** Gap while nothing is decided yet, as a share of the time since the earliest pending send. */
const PROBE_SHARE = 0.5;
/** Gap while records turn over, as a share of the time since the earliest pending send. */
const TURNOVER_SHARE = 0.03;
/** The share of Intune's per-app read budget one run's looks may use. */
const READ_BUDGET_SHARE = 0.25;

/** A record still processing: when its last write left (journal time), if known. */
export interface PendingRecord {
  readonly sentAt?: number;
}

export type PaceSettings = Pick<EngineSettings, 'adaptivePolling' | 'pollIntervalMs' | 'pollMinGapMs' | 'readBudget'>;

/** What one run's watch has seen so far, and when it should look next. */
export class PollPace {
  /** The shortest processing seen in this run (lower bound), once a record has been seen decided. */
  private shortestMs: number | undefined;
  private lastLook: { readonly at: number; readonly requests: number } | undefined;

  constructor(private readonly settings: PaceSettings) {}

  /**
   * Notes a look that started at `at` and made `requests` requests. `decided` are the records it saw decided, each
   * with when it was sent and when a look last saw it still processing (undefined when none did).
   */
  noteLook(at: number, requests: number, decided: readonly { readonly sentAt?: number; readonly seenProcessingAt?: number }[]): void {
    this.lastLook = { at, requests };
    for (const record of decided) {
      if (!isTime(record.sentAt)) continue;
      const atLeast = isTime(record.seenProcessingAt) ? Math.max(0, record.seenProcessingAt - record.sentAt) : 0;
      this.shortestMs = Math.min(this.shortestMs ?? atLeast, atLeast);
    }
  }

  /** The shortest processing seen in this run so far (a lower bound), if any record was seen decided. */
  get shortestProcessingMs(): number | undefined {
    return this.shortestMs;
  }

  /** When to look next at `pending`, asked when the last look has ended (epoch ms; may be in the past: look now). */
  nextLookAt(now: number, pending: readonly PendingRecord[]): number {
    const { pollIntervalMs: longest } = this.settings;
    const budgetGap = this.lastLook ? (this.lastLook.requests * this.settings.readBudget.windowMs) / (this.settings.readBudget.limit * READ_BUDGET_SHARE) : 0;
    const shortest = Math.max(Math.min(this.settings.pollMinGapMs, longest), budgetGap);
    // The interval the user set counts from the end of the last look, as it always has: never sooner than asked.
    if (!this.settings.adaptivePolling) return now + Math.max(longest, budgetGap);
    let earliestSent = Infinity;
    let latestSent = -Infinity;
    for (const { sentAt } of pending) {
      if (!isTime(sentAt)) continue;
      earliestSent = Math.min(earliestSent, sentAt);
      latestSent = Math.max(latestSent, sentAt);
    }
    if (earliestSent === Infinity) earliestSent = latestSent = now;
    // Before the first look there is nothing to see earlier than the last send.
    const from = this.lastLook?.at ?? latestSent;
    const share = this.shortestMs === undefined ? PROBE_SHARE : TURNOVER_SHARE;
    const gap = Math.max(shortest, Math.min(longest, share * Math.max(0, from - earliestSent)));
    let next = from + gap;
    if (this.shortestMs !== undefined) {
      // Records sent later than those seen decided (a later chunk, a retry) cannot be done before their time.
      const earliestDone = earliestSent + this.shortestMs;
      next = Math.max(next, Math.min(earliestDone, from + Math.max(longest, shortest)));
    }
    return next;
  }
}

function isTime(value: number | undefined): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
