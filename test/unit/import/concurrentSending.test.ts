/**
 * Chunks on their way together (issue 15): at most `chunksInFlight` at once, each journaled before it leaves, the
 * fallback and Intune's throttling still right, and a cancel, a stop or a refusal mid-flight losing nothing and
 * sending nothing twice. Against the emulator as untidy as Intune.
 */
import * as assert from 'node:assert/strict';
import { GraphError } from '../../../src/graph/errors';
import { WriteBudget } from '../../../src/graph/writeBudget';
import { RunFailedError } from '../../../src/import/errors';
import type { ImportEngine } from '../../../src/import/engine';
import { systemClock } from '../../../src/common/clock';
import type { FaultedRequest } from '../../emulator/faults';
import { fakeDevices } from '../../emulator/hashes';
import { assertEachOnce, journalEntries, recordsPerSerial, startHarness, type Harness } from '../../support/engineHarness';
import { eventually } from '../../support/eventually';

const IMPORT_PATH = '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import';
const COLLECTION_PATH = '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities';

/** The serial numbers an `/import` request carried. */
function serialsOf(request: Pick<FaultedRequest, 'body'>): string[] {
  return (request.body as { importedWindowsAutopilotDeviceIdentities: { serialNumber: string }[] }).importedWindowsAutopilotDeviceIdentities.map((d) => d.serialNumber);
}

interface SendEntry {
  readonly t: string;
  readonly send: number;
  readonly devices: number[];
}

/** The run's chunks as its journal has them: each send, and whether an outcome (accepted, rejected, uncertain) followed. */
function journaledChunks(harness: Harness, runId: string): { send: SendEntry; open: boolean }[] {
  const entries = journalEntries(harness.journalDir, runId) as unknown as SendEntry[];
  const answered = new Set(entries.filter((e) => e.t === 'accepted' || e.t === 'rejected' || e.t === 'uncertain').map((e) => e.send));
  return entries.filter((e) => e.t === 'send').map((send) => ({ send, open: !answered.has(send.send) }));
}

function runIdOf(engine: ImportEngine): () => string {
  let runId = '';
  engine.events.on((event) => {
    if (event.type === 'run-started') runId = event.runId;
  });
  return () => runId;
}

describe('sending chunks together', function () {
  this.timeout(30_000);
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  it('keeps at most chunksInFlight chunks on their way, each journaled before it leaves', async () => {
    const devices = fakeDevices(100);
    const engine = harness.engine({ settings: { batchSize: 10, chunksInFlight: 3 } });
    const runId = runIdOf(engine);
    // Graph holds every chunk until all the chunks the engine has on its way (by its journal) have arrived.
    let held: { readonly request: FaultedRequest; readonly commit: () => void }[] = [];
    const waves: number[] = [];
    const mostOpen: number[] = [];
    const problems: string[] = [];
    const releaseWhenAllArrived = () => {
      if (!held.length) return;
      const open = journaledChunks(harness, runId()).filter((chunk) => chunk.open);
      mostOpen.push(open.length);
      if (held.length < open.length) return;
      waves.push(held.length);
      for (const { commit } of held) commit();
      held = [];
    };
    engine.events.on(releaseWhenAllArrived);
    harness.emulator.faults.add({
      path: IMPORT_PATH,
      times: Infinity,
      action: {
        kind: 'before-commit',
        run: (request) =>
          new Promise<void>((commit) => {
            const chunk = journaledChunks(harness, runId()).find(({ send }) => send.devices.map((i) => devices[i]!.serialNumber).join() === serialsOf(request).join());
            if (!chunk?.open) problems.push(`request ${request.seq} arrived without an open send entry for its devices`);
            held.push({ request, commit });
            releaseWhenAllArrived();
          }),
      },
    });
    const result = await engine.startRun(devices, { source: 'bounded.json', wait: true });
    assert.deepEqual(problems, []);
    assert.equal(result.run.counts.complete, 100);
    assert.equal(Math.max(...mostOpen), 3, `chunks open in the journal at each look: ${mostOpen.join(', ')}`);
    assert.equal(Math.max(...waves), 3, `chunks Graph had at once: ${waves.join(', ')}`);
    assert.equal(waves.reduce((sum, n) => sum + n, 0), 10);
    assertEachOnce(harness, devices);
  });

  it('falls back to one POST per device once, however many chunks met the missing /import', async () => {
    const devices = fakeDevices(30);
    harness.emulator.faults.add({ path: IMPORT_PATH, times: Infinity, action: { kind: 'status', status: 404 } });
    const result = await harness.engine({ settings: { batchSize: 10, chunksInFlight: 3 } }).startRun(devices, { source: 'fallback.json', wait: true });
    assert.equal(result.run.counts.complete, 30);
    assert.equal(harness.events.filter((e) => e.type === 'fallback-per-device').length, 1);
    assert.equal(harness.emulator.requests.filter((r) => r.method === 'POST' && r.path === COLLECTION_PATH && r.status === 201).length, 30);
    assertEachOnce(harness, devices);
  });

  for (const retryAfter of [true, false]) {
    it(`waits out Intune's throttling ${retryAfter ? 'for its Retry-After' : 'with back-off (no Retry-After)'} with chunks in flight, and holds every write during a pause`, async () => {
      await harness.close();
      // Intune allows 2 writes per 400 ms here, and the client's own budget does not know: four chunks at once meet 429s.
      harness = await startHarness({ budgets: { windowMs: 400, appWrites: 2 }, tidy: { retryAfterOnThrottle: retryAfter } });
      const grants: { at: number; resumesAt: number }[] = [];
      class WatchedBudget extends WriteBudget {
        override async acquire(signal?: AbortSignal): Promise<() => void> {
          const release = await super.acquire(signal);
          grants.push({ at: systemClock.now(), resumesAt: this.resumesAt });
          return release;
        }
      }
      const budget = new WatchedBudget({ limit: 100, windowMs: 400 }, systemClock);
      const devices = fakeDevices(40);
      const result = await harness
        .engine({ settings: { batchSize: 5, chunksInFlight: 4 }, client: { writeBudget: budget, retry: { baseDelayMs: 100, maxDelayMs: 400, maxRetries: 8 } } })
        .startRun(devices, { source: 'throttled.json', wait: true });
      assert.equal(result.run.counts.complete, 40);
      const imports = harness.emulator.requests.filter((r) => r.path === IMPORT_PATH);
      const throttled = imports.filter((r) => r.status === 429);
      assert.ok(throttled.length > 0, 'Graph throttled some chunks');
      for (const answer of throttled) {
        const again = imports.find((r) => r.seq > answer.seq && r.clientRequestId === answer.clientRequestId);
        assert.ok(again, `the chunk throttled in request ${answer.seq} went again`);
        if (answer.retryAfter !== undefined) {
          assert.ok(again.at - answer.at >= Number(answer.retryAfter) * 1000, `request ${answer.seq} asked for ${answer.retryAfter} s; the retry came after ${again.at - answer.at} ms`);
        }
      }
      assert.ok(grants.every((grant) => grant.at >= grant.resumesAt), 'no write started while Graph had asked for quiet');
      assertEachOnce(harness, devices);
    });
  }

  it('after a cancel, lets the chunks on their way finish, starts no other, and a resume sends only the rest', async () => {
    const devices = fakeDevices(60);
    const cancel = new AbortController();
    const engine = harness.engine({ settings: { batchSize: 10, chunksInFlight: 3 } });
    harness.emulator.faults.add({ path: IMPORT_PATH, action: { kind: 'before-commit', run: () => cancel.abort() } });
    const result = await engine.startRun(devices, { source: 'cancel.json', wait: true, cancel: cancel.signal });
    assert.equal(result.stopped, 'cancelled');
    const chunks = journaledChunks(harness, result.run.id);
    assert.equal(chunks.length, 3, 'the three chunks on their way when the user cancelled, and no other');
    assert.ok(chunks.every((chunk) => !chunk.open));
    const sent = new Set(chunks.flatMap((chunk) => chunk.send.devices));
    assert.deepEqual(result.run.counts, { complete: 30, error: 0, partial: 0, pending: 30 }, 'what was sent is watched to the end');
    assert.ok(result.run.devices.every((device) => (device.status === 'complete') === sent.has(device.index)));
    assert.equal(recordsPerSerial(harness.emulator).size, 30);

    const before = harness.emulator.requests.length;
    const resumed = await harness.engine({ settings: { batchSize: 10, chunksInFlight: 3 } }).resumeRun(result.run.id, { wait: true });
    assert.equal(resumed.run.counts.complete, 60);
    const resent = harness.emulator.requests.slice(before).filter((r) => r.path === IMPORT_PATH).flatMap(serialsOf);
    assert.deepEqual(resent.sort(), devices.filter((d) => !sent.has(devices.indexOf(d))).map((d) => d.serialNumber).sort(), 'only the devices never sent');
    assertEachOnce(harness, devices);
  });

  it('after a stop mid-flight, journals every chunk on its way as unconfirmed, and a resume finds what Graph committed late instead of sending it again', async () => {
    const devices = fakeDevices(60);
    const stop = new AbortController();
    const engine = harness.engine({ settings: { batchSize: 10, chunksInFlight: 3 } });
    // Graph holds the three chunks until the user has stopped, and commits them after the engine has hung up.
    const held: (() => void)[] = [];
    harness.emulator.faults.add({
      path: IMPORT_PATH,
      times: 3,
      action: {
        kind: 'before-commit',
        run: () =>
          new Promise<void>((commit) => {
            held.push(commit);
            if (held.length === 3) stop.abort();
          }),
      },
    });
    const first = await engine.startRun(devices, { source: 'stop.json', wait: true, stop: stop.signal });
    assert.equal(first.stopped, 'cancelled');
    const entries = journalEntries(harness.journalDir, first.run.id);
    assert.equal(entries.filter((e) => e.t === 'send').length, 3);
    assert.deepEqual(
      entries.filter((e) => e.t === 'uncertain').map((e) => [e.send, e.reason]).sort(),
      [[1, 'stopped'], [2, 'stopped'], [3, 'stopped']],
      'each chunk on its way was journaled as unconfirmed before the run let go',
    );
    for (const commit of held) commit();
    await eventually('Graph to commit the held chunks', () => recordsPerSerial(harness.emulator).size === 30);

    const before = harness.emulator.requests.length;
    const resumed = await harness.engine({ settings: { batchSize: 10, chunksInFlight: 3 } }).resumeRun(first.run.id, { wait: true });
    assert.equal(resumed.run.counts.complete, 60);
    const resent = harness.emulator.requests.slice(before).filter((r) => r.path === IMPORT_PATH).flatMap(serialsOf);
    assert.equal(resent.length, 30, 'only the 30 devices never sent went out');
    assertEachOnce(harness, devices);
  });

  it('when Graph refuses one chunk, journals the outcome of the others on their way, then stops; a resume finishes the run', async () => {
    const devices = fakeDevices(60);
    harness.emulator.faults.add({ path: IMPORT_PATH, skip: 1, action: { kind: 'status', status: 403, code: 'Forbidden', message: 'Application is not authorized to perform this operation.' } });
    const engine = harness.engine({ settings: { batchSize: 10, chunksInFlight: 3 } });
    const error = await engine.startRun(devices, { source: 'refused.json', wait: true }).catch((e: unknown) => e);
    assert.ok(error instanceof RunFailedError && !error.discarded, String(error));
    assert.ok(error.cause instanceof GraphError && error.cause.status === 403);
    const entries = journalEntries(harness.journalDir, error.runId);
    const refusal = entries.findIndex((e) => e.t === 'rejected');
    assert.ok(refusal > 0 && entries.slice(refusal).every((e) => e.t !== 'send'), `no chunk started after the refusal: ${entries.map((e) => e.t).join(', ')}`);
    const chunks = journaledChunks(harness, error.runId);
    assert.ok(chunks.length >= 3 && chunks.length < 6, `${chunks.length} chunks were sent`);
    assert.ok(chunks.every((chunk) => !chunk.open), 'the chunks sent alongside were answered and journaled');
    assert.equal((await engine.view(error.runId)).devices.filter((d) => d.sent).length, (chunks.length - 1) * 10, 'all but the refused chunk reached Graph');

    const resumed = await harness.engine().resumeRun(error.runId, { wait: true });
    assert.equal(resumed.run.counts.complete, 60);
    assertEachOnce(harness, devices);
  });
});
