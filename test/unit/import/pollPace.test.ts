import * as assert from 'node:assert/strict';
import { PollPace, type PaceSettings } from '../../../src/import/pollPace';
import { engineSettings } from '../../../src/import/settings';

const S = 1000;
const ADAPTIVE: PaceSettings = engineSettings();
const T0 = Date.UTC(2025, 0, 1);

/** Records sent at these seconds after T0. */
const sentAt = (...seconds: number[]) => seconds.map((s) => ({ sentAt: T0 + s * S }));

describe('poll pace: when the engine looks at records again', () => {
  it('keeps to an interval the user set, counted from the end of the last look', () => {
    const pace = new PollPace(engineSettings({ pollIntervalMs: 250, adaptivePolling: false }));
    assert.equal(pace.nextLookAt(T0, sentAt(0)), T0 + 250);
    pace.noteLook(T0 + 250, 1, []);
    assert.equal(pace.nextLookAt(T0 + 400, sentAt(0)), T0 + 650);
  });

  it('before anything is decided, looks at gaps of half the time since the first send, from the last send', () => {
    const pace = new PollPace(ADAPTIVE);
    const pending = sentAt(0, 2, 4);
    // Nothing can be done before the last chunk left: the first look comes half the sending time after it.
    assert.equal(pace.nextLookAt(T0 + 4.2 * S, pending), T0 + 6 * S);
    pace.noteLook(T0 + 6 * S, 2, []);
    assert.equal(pace.nextLookAt(T0 + 6.5 * S, pending), T0 + 9 * S);
    pace.noteLook(T0 + 40 * S, 2, []);
    // Never further apart than the interval (15 s by default).
    assert.equal(pace.nextLookAt(T0 + 40.5 * S, pending), T0 + 55 * S);
  });

  it('never closer than the shortest gap, even for a single record looked at right after its send', () => {
    const pace = new PollPace(ADAPTIVE);
    assert.equal(pace.nextLookAt(T0, sentAt(0)), T0 + 1 * S);
    pace.noteLook(T0 + 1 * S, 1, []);
    assert.equal(pace.nextLookAt(T0 + 1.1 * S, sentAt(0)), T0 + 2 * S);
  });

  it('while records turn over, looks at gaps of 3% of the time since the earliest pending send', () => {
    const pace = new PollPace(ADAPTIVE);
    pace.noteLook(T0 + 25 * S, 2, []);
    pace.noteLook(T0 + 38 * S, 2, [{ sentAt: T0, seenProcessingAt: T0 + 25 * S }]);
    assert.equal(pace.shortestProcessingMs, 25 * S);
    assert.ok(Math.abs(pace.nextLookAt(T0 + 38.3 * S, sentAt(0, 5)) - (T0 + 39.14 * S)) < 1);
    // The shortest gap still holds early on.
    const early = new PollPace(ADAPTIVE);
    early.noteLook(T0 + 10 * S, 2, [{ sentAt: T0 }]);
    assert.equal(early.nextLookAt(T0 + 10.1 * S, sentAt(0)), T0 + 11 * S);
  });

  it('does not look before the earliest pending record can be done: its send plus the shortest processing seen', () => {
    const pace = new PollPace(engineSettings({ pollIntervalMs: 60 * S }));
    pace.noteLook(T0 + 25 * S, 2, []);
    pace.noteLook(T0 + 38 * S, 2, [{ sentAt: T0, seenProcessingAt: T0 + 25 * S }]);
    // A chunk sent at 100 s (after a Retry-After, or a retry) cannot be done before 125 s.
    pace.noteLook(T0 + 101 * S, 1, []);
    assert.equal(pace.nextLookAt(T0 + 101.2 * S, sentAt(100, 101)), T0 + 125 * S);
    // …but a look is never further away than the interval.
    const capped = new PollPace(ADAPTIVE);
    capped.noteLook(T0 + 38 * S, 2, [{ sentAt: T0, seenProcessingAt: T0 + 25 * S }]);
    capped.noteLook(T0 + 101 * S, 1, []);
    assert.equal(capped.nextLookAt(T0 + 101.2 * S, sentAt(100)), T0 + 116 * S);
  });

  it('keeps a run within a quarter of Intune’s read budget when one look takes many requests', () => {
    const pace = new PollPace(ADAPTIVE);
    pace.noteLook(T0 + 38 * S, 50, [{ sentAt: T0, seenProcessingAt: T0 + 25 * S }]);
    // 50 requests a look, 250 of Intune's 1,000 per 20 s: one look every 4 s at most.
    assert.equal(pace.nextLookAt(T0 + 39 * S, sentAt(0)), T0 + 42 * S);
    const fixed = new PollPace(engineSettings({ pollIntervalMs: 1 * S, adaptivePolling: false }));
    fixed.noteLook(T0, 50, []);
    assert.equal(fixed.nextLookAt(T0 + 5 * S, sentAt(0)), T0 + 9 * S);
  });
});
