import * as assert from 'node:assert/strict';
import fetch from 'node-fetch';
import { DEFAULT_TENANT_ID } from '../../emulator/auth';
import { FaultPlan, seededRandom } from '../../emulator/faults';
import { fakeDevices } from '../../emulator/hashes';
import { startGraphEmulator, type GraphEmulator } from '../../emulator/server';
import { eventually } from '../../support/eventually';
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
      emulator = await startGraphEmulator({ clock, timing: { processingDelayMs: 1000, processingJitterMs: 0, lateCommitMaxMs: 60_000 } });
    });

    afterEach(() => emulator.close());

    const created = () => emulator.state.tenant(DEFAULT_TENANT_ID).created.length;
    const post = (body: unknown, signal?: AbortSignal) =>
      fetch(`${emulator.url}${IMPORTED}/import`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${emulator.staticToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: signal as never,
      });

    it('commits a write answered 503 up to a minute later by default, and never when the rule or the test says so', async () => {
      emulator.faults.add({ method: 'POST', action: { kind: 'status', status: 503, commitAfterMs: 45_000 } });
      const answer = await post({ importedWindowsAutopilotDeviceIdentities: fakeDevices(2) });
      assert.equal(answer.status, 503);
      assert.equal(created(), 0, 'nothing yet when the 503 arrives');
      await clock.advance(44_999);
      assert.equal(created(), 0);
      await clock.advance(1);
      assert.equal(created(), 2, 'the backend committed it after all');
      assert.ok(emulator.requests[0]!.committed && emulator.requests[0]!.committedLateAt === clock.now());

      // Without a delay the commit comes at a random time within timing.lateCommitMaxMs.
      emulator.faults.add({ method: 'POST', action: { kind: 'status', status: 504 } });
      assert.equal((await post({ importedWindowsAutopilotDeviceIdentities: fakeDevices(1, 'LATER') })).status, 504);
      await clock.advance(60_000);
      assert.equal(created(), 3);

      emulator.faults.add({ method: 'POST', action: { kind: 'status', status: 503, commit: 'never' } });
      emulator.faults.add({ method: 'GET', action: { kind: 'status', status: 500 } });
      assert.equal((await post({ importedWindowsAutopilotDeviceIdentities: fakeDevices(1, 'NEVER') })).status, 503);
      assert.equal((await fetch(`${emulator.url}${IMPORTED}`, { headers: { Authorization: `Bearer ${emulator.staticToken}` } })).status, 500);
      await clock.advance(120_000);
      assert.equal(created(), 3);

      await emulator.close();
      emulator = await startGraphEmulator({ clock, tidy: { noLateCommits: true } });
      emulator.faults.add({ method: 'POST', action: { kind: 'status', status: 502 } });
      assert.equal((await post({ importedWindowsAutopilotDeviceIdentities: fakeDevices(1, 'TIDY') })).status, 502);
      await clock.advance(120_000);
      assert.equal(created(), 0);
    });

    it('commits a write after cutting the connection, or after the client gave up waiting for an answer', async () => {
      emulator.faults.add({ method: 'POST', action: { kind: 'commit-late', answer: 'reset', afterMs: 10_000 } });
      assert.equal(((await post({ importedWindowsAutopilotDeviceIdentities: fakeDevices(1, 'CUT') }).catch((e: unknown) => e)) as { code?: string }).code, 'ECONNRESET');
      await clock.advance(10_000);
      assert.equal(created(), 1);

      emulator.faults.add({ method: 'POST', action: { kind: 'commit-late', answer: 'timeout', afterMs: 30_000 } });
      const giveUp = new AbortController();
      const sent = post({ importedWindowsAutopilotDeviceIdentities: fakeDevices(1, 'SILENT') }, giveUp.signal).catch((e: unknown) => e);
      await eventually('the request to arrive', () => emulator.requests.length === 2);
      await clock.advance(600_000);
      assert.equal(created(), 1, 'nothing while the client still waits');
      giveUp.abort();
      assert.equal(((await sent) as Error).name, 'AbortError');
      await eventually('the emulator to hear the client hang up', () => clock.sleeping > 0);
      await clock.advance(29_999);
      assert.equal(created(), 1);
      await clock.advance(1);
      assert.equal(created(), 2, 'committed 30 s after the client gave up');
    });

    it('answers a list page whose nextLink is the request itself', async () => {
      await post({ importedWindowsAutopilotDeviceIdentities: fakeDevices(3) });
      emulator.faults.add({ method: 'GET', action: { kind: 'repeat-next-link' } });
      const url = `${emulator.url}${IMPORTED}?$top=1`;
      const page = (await (await fetch(url, { headers: { Authorization: `Bearer ${emulator.staticToken}` } })).json()) as Record<string, unknown>;
      assert.equal(page['@odata.nextLink'], url);
    });

    it('answers 400 for a route Graph does not have, and 200 for deleting an import record that is already gone', async () => {
      const call = (method: string, path: string) => fetch(`${emulator.url}${path}`, { method, headers: { Authorization: `Bearer ${emulator.staticToken}` } });
      const wrongMethod = await call('GET', `${IMPORTED}/import`);
      assert.equal(wrongMethod.status, 400);
      assert.match(((await wrongMethod.json()) as { error: { message: string } }).error.message, /^No method match route template/);
      const unknownAction = await call('POST', `${IMPORTED}/some-id/retry`);
      assert.equal(unknownAction.status, 400);
      assert.match(((await unknownAction.json()) as { error: { message: string } }).error.message, /^Resource not found for the segment 'retry'/);
      assert.equal((await call('PATCH', '/v1.0/deviceManagement/windowsAutopilotDeviceIdentities')).status, 400);

      const [record] = ((await (await post({ importedWindowsAutopilotDeviceIdentities: fakeDevices(1) })).json()) as { value: { id: string }[] }).value;
      assert.equal((await call('DELETE', `${IMPORTED}/${record!.id}`)).status, 204);
      assert.equal((await call('DELETE', `${IMPORTED}/${record!.id}`)).status, 200, 'already gone');
    });

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
