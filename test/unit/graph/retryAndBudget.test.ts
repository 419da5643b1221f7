import * as assert from 'node:assert/strict';
import { backoffDelayMs, isAmbiguousWriteStatus, isRetryableStatus, parseRetryAfter } from '../../../src/graph/retryPolicy';
import { WriteBudget } from '../../../src/graph/writeBudget';
import { FakeClock } from '../../support/fakeClock';

describe('Retry-After and back-off', () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);

  it('reads seconds, fractions and HTTP dates, and ignores garbage', () => {
    assert.equal(parseRetryAfter('2', now), 2000);
    assert.equal(parseRetryAfter(' 0.25 ', now), 250);
    assert.equal(parseRetryAfter(new Date(now + 7000).toUTCString(), now), 7000);
    assert.equal(parseRetryAfter(new Date(now - 7000).toUTCString(), now), 0);
    assert.equal(parseRetryAfter(null, now), undefined);
    assert.equal(parseRetryAfter('soon', now), undefined);
    assert.equal(parseRetryAfter('-3', now), undefined);
  });

  it('grows exponentially with jitter and stops at the cap', () => {
    const options = { baseDelayMs: 1000, maxDelayMs: 8000 };
    assert.equal(backoffDelayMs(0, options, () => 0), 500);
    assert.equal(backoffDelayMs(0, options, () => 0.999999), 1000);
    assert.equal(backoffDelayMs(2, options, () => 0), 2000);
    assert.equal(backoffDelayMs(3, options, () => 1), 8000);
    assert.equal(backoffDelayMs(10, options, () => 1), 8000);
  });

  it('repeats a request that may not happen twice only after a 429, and flags 500/502/503/504 as ambiguous', () => {
    // (status, idempotent): a 429 says Graph did nothing; a 5xx promises nothing, so only a safe request is repeated.
    assert.ok(isRetryableStatus(429, false) && isRetryableStatus(429, true));
    for (const status of [500, 502, 503, 504]) {
      assert.ok(!isRetryableStatus(status, false), `${status} is not repeated for a create`);
      assert.ok(isRetryableStatus(status, true), `${status} is repeated for a read`);
      assert.ok(isAmbiguousWriteStatus(status));
    }
    assert.ok(!isRetryableStatus(400, true) && !isRetryableStatus(403, true) && !isAmbiguousWriteStatus(429));
  });
});

describe('write budget', () => {
  it('lets `limit` writes through per window, counting each from when its answer arrived', async () => {
    const clock = new FakeClock();
    const budget = new WriteBudget({ limit: 3, windowMs: 1000 }, clock);
    const started: number[] = [];
    const writes = Array.from({ length: 7 }, async () => {
      const release = await budget.acquire();
      started.push(clock.now());
      await clock.sleep(100); // the request takes 100 ms
      release();
    });
    await clock.advance(5000);
    await Promise.all(writes);
    const t0 = started[0]!;
    assert.deepEqual(started.map((t) => t - t0), [0, 0, 0, 1100, 1100, 1100, 2200]);
  });

  it('holds every write until a Retry-After has passed', async () => {
    const clock = new FakeClock();
    const budget = new WriteBudget({ limit: 100, windowMs: 20_000 }, clock);
    const t0 = clock.now();
    budget.pauseUntil(t0 + 2000);
    let startedAt = 0;
    const write = budget.acquire().then((release) => {
      startedAt = clock.now();
      release();
    });
    await clock.advance(1999);
    assert.equal(startedAt, 0);
    await clock.advance(1);
    await write;
    assert.equal(startedAt - t0, 2000);
  });

  it('gives up waiting when cancelled', async () => {
    const clock = new FakeClock();
    const budget = new WriteBudget({ limit: 1, windowMs: 1000 }, clock);
    (await budget.acquire())();
    const controller = new AbortController();
    const waiting = budget.acquire(controller.signal);
    controller.abort();
    await assert.rejects(waiting, { name: 'AbortError' });
  });
});
