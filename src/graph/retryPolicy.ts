/**
 * When and how long to wait before trying a Graph request again: `Retry-After` when Graph gives one (seconds or an
 * HTTP date; fractions are accepted so scaled-down test windows work), otherwise exponential back-off with jitter
 * and a cap (Graph throttling guidance, facts page §4.2).
 */
export interface RetryOptions {
  /** Attempts after the first for throttling (429) and unavailability (503 and friends). */
  readonly maxRetries: number;
  /** Attempts after the first when no connection could be made at all. */
  readonly maxNetworkRetries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited out: the error goes to the caller instead. */
  readonly maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_OPTIONS: RetryOptions = {
  maxRetries: 6,
  maxNetworkRetries: 2,
  baseDelayMs: 1000,
  maxDelayMs: 32_000,
  maxRetryAfterMs: 5 * 60_000,
};

/** Milliseconds to wait, or undefined when the header is absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+(?:\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  // An HTTP date names its weekday and month (`Wed, 21 Oct 2015 07:28:00 GMT`); a bare "-3" is not one.
  const date = /[A-Za-z]{3}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** "Equal jitter": half the exponential step is fixed, half random, so retries spread out but never collapse to 0. */
export function backoffDelayMs(retry: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const step = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  return Math.round(step / 2 + (step / 2) * random());
}

/**
 * Statuses worth repeating a request for. A 429 says Graph did not act, so anything is repeated; a 500/502/503/504
 * promises nothing about what happened (Intune may commit the write up to a minute later), so only a request that
 * may safely happen twice (a read, a delete, a sync trigger) is repeated.
 */
export function isRetryableStatus(status: number, idempotent: boolean): boolean {
  if (status === 429) return true;
  return idempotent && isAmbiguousWriteStatus(status);
}

/** A write answered with one of these may or may not have been applied: wait, list, and only then send it again. */
export function isAmbiguousWriteStatus(status: number): boolean {
  return status === 500 || status === 502 || status === 503 || status === 504;
}
