import * as assert from 'node:assert/strict';
import fetch from 'node-fetch';
import { DEFAULT_TENANT_ID } from '../../emulator/auth';
import { FaultPlan, seededRandom } from '../../emulator/faults';
import { fakeDevices } from '../../emulator/hashes';
import { startGraphEmulator, type GraphEmulator } from '../../emulator/server';
import { FakeClock } from '../../support/fakeClock';

const IMPORTED = '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities';

/** Which of `count` requests a plan's rules act on, as a string of `x` (acted) and `.` (let through). */
function pattern(plan: FaultPlan, count: number, path = IMPORTED): string {
  return Array.from({ length: count }, () => (plan.actionsFor('POST', path, undefined).length ? 'x' : '.')).join('');
}

describe('emulator fault injection', () => {
  it('acts at random with the rule’s chance, the same way for the same seed', () => {
    const plan = (seed: number) => {
      const faults = new FaultPlan(seededRandom(seed));
      faults.add({ times: Infinity, chance: 0.05, action: { kind: 'status', status: 503 } });
      return faults;
    };
    const first = pattern(plan(7), 4000);
    assert.equal(pattern(plan(7), 4000), first, 'a seed replays the same faults');
    assert.notEqual(pattern(plan(8), 4000), first, 'another seed gives other faults');
    const rate = first.split('x').length / 4000;
    assert.ok(rate > 0.04 && rate < 0.06, `acted on ${(rate * 100).toFixed(1)}% instead of about 5%`);
  });

  it('strikes in bursts of consecutive matching requests once triggered', () => {
    const faults = new FaultPlan(seededRandom(3));
    faults.add({ method: 'POST', times: Infinity, chance: 0.01, burst: 6, action: { kind: 'status', status: 429 } });
    const seen = pattern(faults, 5000);
    const runs = seen.match(/x+/g) ?? [];
    assert.ok(runs.length >= 10, `only ${runs.length} bursts`);
    // Two bursts may touch; every maximal run is still a whole number of bursts.
    assert.ok(runs.every((run) => run.length % 6 === 0), runs.map((run) => run.length).join(','));
    assert.equal(faults.actionsFor('GET', IMPORTED, undefined).length, 0, 'a GET does not match a POST rule');
  });

  it('keeps counting skip and times for rules without a chance', () => {
    const faults = new FaultPlan(() => 0);
    faults.add({ skip: 2, times: 3, action: { kind: 'reset-before-commit' } });
    assert.equal(pattern(faults, 8), '..xxx...');
  });

  describe('over HTTP', () => {
    let emulator: GraphEmulator;
    let clock: FakeClock;

    beforeEach(async () => {
      clock = new FakeClock();
      emulator = await startGraphEmulator({ clock, timing: { processingDelayMs: 1000, processingJitterMs: 0 } });
    });

    afterEach(() => emulator.close());

    it('answers a redirect to another origin before committing anything, and records the fault', async () => {
      emulator.faults.add({ path: '/import', action: { kind: 'redirect', location: 'https://elsewhere.example/collect' } });
      const response = await fetch(`${emulator.url}${IMPORTED}/import`, {
        method: 'POST',
        redirect: 'manual',
        headers: { Authorization: `Bearer ${emulator.staticToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ importedWindowsAutopilotDeviceIdentities: fakeDevices(2) }),
      });
      assert.equal(response.status, 307);
      assert.equal(response.headers.get('location'), 'https://elsewhere.example/collect');
      assert.equal(emulator.state.tenant(DEFAULT_TENANT_ID).created.length, 0);
      assert.deepEqual(emulator.requests.map((r) => ({ status: r.status, committed: r.committed, faults: r.faults })), [{ status: 307, committed: false, faults: ['redirect'] }]);
    });

    it('accepts a token issued with a lifetime until it runs out, then answers 401 expired', async () => {
      const token = emulator.auth.issueToken(90_000);
      const get = () => fetch(`${emulator.url}${IMPORTED}`, { headers: { Authorization: `Bearer ${token}` } });
      assert.equal((await get()).status, 200);
      await clock.advance(89_999);
      assert.equal((await get()).status, 200);
      await clock.advance(1);
      const expired = await get();
      assert.equal(expired.status, 401);
      assert.match(((await expired.json()) as { error: { message: string } }).error.message, /expired/);
      assert.notEqual(emulator.auth.issueToken(90_000), token, 'every token issued is new');
    });
  });
});
