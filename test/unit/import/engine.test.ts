import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GraphError } from '../../../src/graph/errors';

import { Journal } from '../../../src/import/journal';

import { DEFAULT_TENANT_ID } from '../../emulator/auth';
import { fakeDevices, unpadded, type FakeDevice } from '../../emulator/hashes';
import { assertEachOnce, journalEntries, recordsPerSerial, startHarness, type Harness } from '../../support/engineHarness';
import { RunBusyError, RunFailedError, RunTenantError } from '../../../src/import/errors';

const IMPORT_PATH = '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import';
const COLLECTION_PATH = '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities';

function assertNoHashInLogs(harness: Harness, devices: readonly FakeDevice[]): void {
  const text = harness.logs.join('\n');
  for (const device of devices) assert.ok(!text.includes(device.hardwareIdentifier.slice(0, 24)), `a hash of ${device.serialNumber} reached the log`);
}

describe('import engine against the emulator', function () {
  this.timeout(30_000);
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  it('sends 1,200 devices in 3 /import calls, journaling each chunk before it leaves, and watches them with the paged list', async () => {
    const devices = fakeDevices(1200);
    const journaledBeforeSend: boolean[] = [];
    let runId = '';
    const engine = harness.engine();
    engine.events.on((event) => {
      if (event.type === 'run-started') runId = event.runId;
    });
    harness.emulator.faults.add({
      path: IMPORT_PATH,
      times: 3,
      action: {
        kind: 'before-commit',
        run: (request) => {
          // The chunks go out together: this request's own devices must already be journaled as sent.
          const serials = (request.body as { importedWindowsAutopilotDeviceIdentities: { serialNumber: string }[] }).importedWindowsAutopilotDeviceIdentities.map((d) => d.serialNumber);
          const sends = journalEntries(harness.journalDir, runId).filter((e) => e.t === 'send');
          journaledBeforeSend.push(sends.some((e) => (e.devices as number[]).map((i) => devices[i]!.serialNumber).join() === serials.join()));
        },
      },
    });
    const result = await engine.startRun(devices, { source: 'big.json', wait: true });
    const imports = harness.emulator.requests.filter((r) => r.path === IMPORT_PATH);
    assert.deepEqual(
      imports.map((r) => ((r.body as { importedWindowsAutopilotDeviceIdentities: unknown[] }).importedWindowsAutopilotDeviceIdentities).length).sort((a, b) => b - a),
      [500, 500, 200],
    );
    assert.deepEqual(journaledBeforeSend, [true, true, true]);
    assert.equal(result.stopped, 'finished');
    assert.deepEqual(result.run.counts, { complete: 1200, error: 0, partial: 0, pending: 0 });
    const reads = harness.emulator.requests.filter((r) => r.method === 'GET');
    assert.ok(reads.length > 0 && reads.every((r) => r.path === COLLECTION_PATH && r.query.$top === '1000'), 'hundreds of records are watched with the paged list');
    assertEachOnce(harness, devices);
    assertNoHashInLogs(harness, devices);
  });

  it('looks up a few serials with the filter, watches a few records with one GET each, and sends what the payload says', async () => {
    const devices = fakeDevices(3).map((d, i) => ({ ...d, groupTag: `tag-${i}`, assignedUserPrincipalName: 'user@contoso.com' }));
    const result = await harness.engine().startRun(devices, { source: 'few.json', wait: true });
    assert.equal(result.run.counts.complete, 3);
    const gets = harness.emulator.requests.filter((r) => r.method === 'GET');
    const lookups = gets.filter((r) => r.query.$filter);
    assert.deepEqual(lookups.map((r) => r.query.$filter), devices.map((d) => `contains(serialNumber,'${d.serialNumber}')`), 'earlier records looked up by serial first');
    const polls = gets.filter((r) => !r.query.$filter);
    assert.ok(polls.length >= 3 && polls.every((r) => r.path.startsWith(`${COLLECTION_PATH}/`)));
    const sent = (harness.emulator.requests.find((r) => r.path === IMPORT_PATH)!.body as { importedWindowsAutopilotDeviceIdentities: Record<string, unknown>[] }).importedWindowsAutopilotDeviceIdentities;
    assert.deepEqual(sent[1], {
      '@odata.type': '#microsoft.graph.importedWindowsAutopilotDeviceIdentity',
      serialNumber: devices[1]!.serialNumber,
      hardwareIdentifier: devices[1]!.hardwareIdentifier,
      groupTag: 'tag-1',
      assignedUserPrincipalName: 'user@contoso.com',
    });
  });

  it('reconciles a chunk whose connection was reset after Graph committed it, and never sends it twice', async () => {
    const devices = fakeDevices(30);
    harness.emulator.faults.add({ path: IMPORT_PATH, skip: 1, action: { kind: 'reset-after-commit' } });
    const result = await harness.engine({ settings: { batchSize: 10 } }).startRun(devices, { source: 'reset.json', wait: true });
    assert.equal(result.run.counts.complete, 30);
    assert.equal(harness.emulator.requests.filter((r) => r.path === IMPORT_PATH).length, 3, 'the reset chunk was not re-sent');
    const reconciled = harness.events.find((e) => e.type === 'reconciled');
    assert.deepEqual(reconciled && { found: reconciled.found, missing: reconciled.missing }, { found: 10, missing: 0 });
    assertEachOnce(harness, devices);
  });

  it('re-sends a chunk whose connection was reset before Graph committed it, once', async () => {
    const devices = fakeDevices(20);
    harness.emulator.faults.add({ path: IMPORT_PATH, skip: 1, action: { kind: 'reset-before-commit' } });
    const result = await harness.engine({ settings: { batchSize: 10 } }).startRun(devices, { source: 'reset.json', wait: true });
    assert.equal(result.run.counts.complete, 20);
    assert.deepEqual(harness.emulator.requests.filter((r) => r.path === IMPORT_PATH).map((r) => r.status), [200, -1, 200]);
    assertEachOnce(harness, devices);
  });

  it('reconciles after a timeout (Graph committed but answered too late)', async () => {
    const devices = fakeDevices(12);
    harness.emulator.faults.add({ path: IMPORT_PATH, action: { kind: 'delay-after-commit', ms: 800 } });
    const result = await harness.engine({ client: { timeoutMs: 300 } }).startRun(devices, { source: 'slow.json', wait: true });
    assert.equal(result.run.counts.complete, 12);
    assert.equal(harness.emulator.requests.filter((r) => r.path === IMPORT_PATH).length, 1);
    assertEachOnce(harness, devices);
  });

  for (const status of [404, 405, 501, 400]) {
    it(`falls back to one POST per device when /import answers ${status}`, async () => {
      const devices = fakeDevices(7);
      // Graph words a missing route as a 400 that names no device.
      const message = status === 400 ? "Resource not found for the segment 'import'." : undefined;
      harness.emulator.faults.add({ path: IMPORT_PATH, times: Infinity, action: { kind: 'status', status, message } });
      const result = await harness.engine().startRun(devices, { source: 'fallback.json', wait: true });
      assert.equal(result.run.counts.complete, 7);
      assert.equal(harness.emulator.requests.filter((r) => r.method === 'POST' && r.path === COLLECTION_PATH && r.status === 201).length, 7);
      assert.ok(harness.events.some((e) => e.type === 'fallback-per-device'));
      assertEachOnce(harness, devices);
    });
  }

  it('pins an Edm.Binary 400 on the device with the unpadded hash, imports the rest, and keeps the hash out of logs', async () => {
    const devices = fakeDevices(10);
    devices[6] = { ...devices[6]!, hardwareIdentifier: unpadded(devices[6]!.hardwareIdentifier) };
    const result = await harness.engine().startRun(devices, { source: 'padding.json', wait: true });
    const bad = result.run.devices[6]!;
    assert.equal(bad.status, 'error');
    assert.equal(bad.errorCode, 400);
    assert.match(bad.errorName ?? '', /Edm\.Binary/);
    assert.ok(!(bad.errorName ?? '').includes(devices[6]!.hardwareIdentifier.slice(0, 24)), 'the hash Graph echoed is redacted');
    assert.equal(result.run.counts.complete, 9);
    assert.equal(harness.emulator.requests.filter((r) => r.path === IMPORT_PATH).length, 2, 'one refused request, one with the other nine');
    assertNoHashInLogs(harness, devices);
  });

  it('halves a chunk refused with a 400 that names no value until the refused device is isolated', async () => {
    const devices = fakeDevices(8);
    // A 400 for any request carrying device 5, without saying which value was wrong.
    const culprit = devices[5]!.serialNumber;
    harness.emulator.faults.add({
      path: IMPORT_PATH,
      times: Infinity,
      body: (body) => JSON.stringify(body ?? null).includes(culprit),
      action: { kind: 'status', status: 400, code: 'BadRequest', message: 'Invalid request.' },
    });
    const result = await harness.engine().startRun(devices, { source: 'bisect.json', wait: true });
    assert.equal(result.run.devices[5]!.status, 'error');
    assert.equal(result.run.devices[5]!.errorCode, 400);
    assert.equal(result.run.counts.complete, 7);
    assert.ok(harness.emulator.requests.filter((r) => r.path === IMPORT_PATH).length <= 7, 'halving needs at most 2·log₂(8)+1 requests');
    assertEachOnce(harness, devices.filter((d) => d.serialNumber !== culprit));
  });

  it('stops sending further chunks when cancelled, keeps watching what was sent, and resume sends the rest', async () => {
    const devices = fakeDevices(30);
    const cancel = new AbortController();
    harness.emulator.faults.add({ path: IMPORT_PATH, action: { kind: 'after-commit', run: () => cancel.abort() } });
    // One chunk at a time: the first is on its way when the user cancels (chunks in flight together: concurrentSending).
    const engine = harness.engine({ settings: { batchSize: 10, chunksInFlight: 1 } });
    const result = await engine.startRun(devices, { source: 'cancel.json', wait: true, cancel: cancel.signal });
    assert.equal(result.stopped, 'cancelled');
    assert.deepEqual(result.run.counts, { complete: 10, error: 0, partial: 0, pending: 20 }, 'the sent chunk was watched to the end');
    assert.ok(result.run.devices.slice(10).every((d) => d.id === null && d.status === 'pending'));
    assert.deepEqual((await engine.unfinishedRuns()).map((r) => r.id), [result.run.id]);

    const resumed = await harness.engine({ settings: { batchSize: 10 } }).resumeRun(result.run.id, { wait: true });
    assert.equal(resumed.stopped, 'finished');
    assert.equal(resumed.run.counts.complete, 30);
    assertEachOnce(harness, devices);
  });

  it('resumes a run stopped mid-request: reconciles the unanswered chunk, then sends only what was never sent', async () => {
    const devices = fakeDevices(30);
    const stop = new AbortController();
    harness.emulator.faults.add({ path: IMPORT_PATH, skip: 1, action: { kind: 'after-commit', run: () => stop.abort() } });
    const first = await harness.engine({ settings: { batchSize: 10 } }).startRun(devices, { source: 'stop.json', wait: true, stop: stop.signal });
    assert.equal(first.stopped, 'cancelled');
    assert.equal(first.run.phase, 'sending');
    const resumed = await harness.engine({ settings: { batchSize: 10 } }).resumeRun(first.run.id, { wait: true });
    assert.equal(resumed.run.counts.complete, 30);
    assert.equal(harness.emulator.requests.filter((r) => r.path === IMPORT_PATH && r.status !== -1).length, 3);
    assertEachOnce(harness, devices);
  });

  it('refreshes the token once when it expires mid-run', async () => {
    const devices = fakeDevices(20);
    harness.emulator.auth.addToken('first');
    harness.emulator.auth.addToken('second');
    let refreshes = 0;
    harness.emulator.faults.add({ path: IMPORT_PATH, action: { kind: 'after-commit', run: () => harness.emulator.auth.expire('first') } });
    // One chunk at a time: a chunk sent alongside could pass before the token expires, and need no refresh.
    const engine = harness.engine({
      settings: { batchSize: 10, chunksInFlight: 1 },
      client: { getAccessToken: async (request) => (request?.forceRefresh ? (refreshes++, 'second') : refreshes ? 'second' : 'first') },
    });
    const result = await engine.startRun(devices, { source: 'token.json', wait: true });
    assert.equal(result.run.counts.complete, 20);
    assert.equal(refreshes, 1);
    assert.equal(harness.emulator.requests.filter((r) => r.status === 401).length, 1);
    assertEachOnce(harness, devices);
  });

  it('stops on a 403 with the Graph error, sends nothing, and keeps no run to resume (issue 11, item 8)', async () => {
    harness.emulator.auth.addToken('read-only', { permissions: ['DeviceManagementServiceConfig.Read.All'] });
    const engine = harness.engine({ client: { getAccessToken: async () => 'read-only' } });
    const error = await engine.startRun(fakeDevices(3), { source: 'forbidden.json', wait: true }).catch((e: unknown) => e);
    assert.ok(error instanceof RunFailedError);
    assert.ok(error.cause instanceof GraphError && error.cause.status === 403);
    assert.equal(error.discarded, true);
    assert.deepEqual(await engine.listRuns(), [], 'a run whose first request was refused is not left to be resumed');
    assert.equal(recordsPerSerial(harness.emulator).size, 0);
  });

  it('keeps a run that failed after Graph had some of it, for resume to finish', async () => {
    harness.emulator.auth.addToken('first');
    // The token is revoked once the first chunk is in: the second chunk, sent after it, is refused.
    const engine = harness.engine({ settings: { batchSize: 5, chunksInFlight: 1 }, client: { getAccessToken: async () => 'first' } });
    harness.emulator.faults.add({ path: IMPORT_PATH, action: { kind: 'after-commit', run: () => harness.emulator.auth.expire('first') } });
    const error = await engine.startRun(fakeDevices(10), { source: 'half.json', wait: true }).catch((e: unknown) => e);
    assert.ok(error instanceof RunFailedError && !error.discarded);
    assert.equal((await engine.view(error.runId)).devices.filter((d) => d.sent).length, 5);
    assert.deepEqual((await engine.unfinishedRuns()).map((r) => r.id), [error.runId]);
  });

  it('never sends again on resume what a later run of the same tenant imported (issue 11, item 8)', async () => {
    const devices = fakeDevices(30);
    const cancel = new AbortController();
    harness.emulator.faults.add({ path: IMPORT_PATH, action: { kind: 'after-commit', run: () => cancel.abort() } });
    const first = await harness.engine({ settings: { batchSize: 10, chunksInFlight: 1 } }).startRun(devices, { source: 'devices.json', wait: true, cancel: cancel.signal });
    assert.equal(first.run.devices.filter((d) => d.sent).length, 10);
    // The user imported the whole file again instead of resuming.
    const again = await harness.engine().startRun(devices, { source: 'devices.json', wait: true });
    const sentBefore = harness.emulator.requests.filter((r) => r.path === IMPORT_PATH).length;

    const resumed = await harness.engine().resumeRun(first.run.id, { wait: true });
    assert.equal(harness.emulator.requests.filter((r) => r.path === IMPORT_PATH).length, sentBefore, 'nothing was sent again');
    assert.equal(resumed.run.phase, 'finished');
    assert.deepEqual(
      resumed.run.devices.slice(10).map((d) => [d.id, d.status]),
      again.run.devices.slice(10).map((d) => [d.id, d.status]),
      'the devices the later run imported are reported with its records',
    );
    assert.ok(harness.logs.some((line) => line.includes('not sent: the later run') && line.includes(again.run.id)));
  });

  it('finds what a later run imported from its summary, also when it has none or the journal has moved past it (issue 15)', async () => {
    const devices = fakeDevices(6);
    const cancel = new AbortController();
    harness.emulator.faults.add({ path: IMPORT_PATH, action: { kind: 'after-commit', run: () => cancel.abort() } });
    // One chunk at a time, so Cancel after the first chunk's commit leaves the second unsent.
    const first = await harness.engine({ settings: { batchSize: 3, chunksInFlight: 1 } }).startRun(devices, { source: 'devices.json', cancel: cancel.signal });
    assert.equal(first.run.devices.filter((d) => d.sent).length, 3);
    const again = await harness.engine().startRun(devices.slice(3), { source: 'rest.json', wait: true });
    const unrelated = await harness.engine().startRun(fakeDevices(2, 'OTHER'), { source: 'other.json' });
    const runDir = (id: string) => path.join(harness.journalDir, 'runs', id);
    // The later run as an older version left it (no summary); the unrelated one's summary lags behind its journal.
    fs.rmSync(path.join(runDir(again.run.id), 'summary.json'));
    new Journal(harness.journalDir).append(unrelated.run.id, { t: 'sync', at: new Date().toISOString(), outcome: 'started' });
    const sentBefore = harness.emulator.requests.filter((r) => r.path === IMPORT_PATH).length;

    const resumed = await harness.engine().resumeRun(first.run.id, { wait: true });
    assert.equal(harness.emulator.requests.filter((r) => r.path === IMPORT_PATH).length, sentBefore, 'nothing was sent again');
    assert.deepEqual(
      resumed.run.devices.slice(3).map((d) => [d.id, d.status]),
      again.run.devices.map((d) => [d.id, d.status]),
    );
    assert.ok(fs.existsSync(path.join(runDir(again.run.id), 'summary.json')), 'the later run got its summary');
    assert.equal((await harness.engine().view(unrelated.run.id)).lastSync, 'started', 'a lagging summary is not believed');
  });

  it('works on a run only under its own tenant, and sends nothing under another (issue 11, item 3)', async () => {
    const contoso = { id: '11111111-1111-4111-8111-111111111111', label: 'contoso.com' };
    const fabrikam = { id: '22222222-2222-4222-8222-222222222222', label: 'fabrikam.com' };
    const started = await harness.engine({ tenant: contoso }).startRun(fakeDevices(3), { source: 'tenant.json', cancel: AbortSignal.abort() });
    assert.equal(started.stopped, 'cancelled');
    assert.deepEqual((await harness.engine().view(started.run.id)).tenant, contoso);
    const requests = harness.emulator.requests.length;

    for (const engine of [harness.engine({ tenant: fabrikam }), harness.engine()]) {
      const error = await engine.resumeRun(started.run.id, { wait: true }).catch((e: unknown) => e);
      assert.ok(error instanceof RunTenantError, String(error));
      assert.equal(error.runTenant?.label, 'contoso.com');
      await assert.rejects(engine.refreshRun(started.run.id), RunTenantError);
      await assert.rejects(engine.retryFailed(started.run.id), RunTenantError);
      await assert.rejects(engine.deleteImportRecords(started.run.id, 'terminal'), RunTenantError);
    }
    assert.equal(harness.emulator.requests.length, requests, 'nothing was sent under the other tenant');
    const resumed = await harness.engine({ tenant: { ...contoso, id: contoso.id.toUpperCase() } }).resumeRun(started.run.id, { wait: true });
    assert.equal(resumed.run.counts.complete, 3);
  });

  it('takes a run’s lock before it reads the run’s state (issue 11, item 5)', async () => {
    const first = await harness.engine().startRun(fakeDevices(4), { source: 'order.json', cancel: AbortSignal.abort() });
    const runId = first.run.id;
    const order: string[] = [];
    class WatchedJournal extends Journal {
      override lock(id: string) {
        if (id === runId) order.push('lock');
        return super.lock(id);
      }
      override read(id: string) {
        if (id === runId) order.push('read');
        return super.read(id);
      }
    }
    await harness.engine({ journal: new WatchedJournal(harness.journalDir) }).resumeRun(runId);
    assert.equal(order[0], 'lock', `the journal was used in this order: ${order.join(', ')}`);
  });

  it('stops at the time limit with the run resumable', async () => {
    await harness.close();
    harness = await startHarness({ timing: { processingDelayMs: 1500, processingJitterMs: 0 } });
    const devices = fakeDevices(4);
    const result = await harness.engine({ settings: { timeLimitMs: 300 } }).startRun(devices, { source: 'slow.json', wait: true });
    assert.equal(result.stopped, 'time-limit');
    assert.equal(result.run.phase, 'processing');
    // Resuming with a wait watches until Graph has processed them, however long that takes.
    const resumed = await harness.engine().resumeRun(result.run.id, { wait: true });
    assert.equal(resumed.run.counts.complete, 4);
    assertEachOnce(harness, devices);
  });

  it('explains 806, 808, ZtdDeviceDuplicated, InvalidZtdHardwareHash and StorageError per device', async () => {
    const devices = fakeDevices(6);
    harness.emulator.state.seedRegistered(DEFAULT_TENANT_ID, { serialNumber: 'OLD', hardwareIdentifier: devices[0]!.hardwareIdentifier });
    harness.emulator.state.seedForeign(devices[1]!.hardwareIdentifier);
    devices[3] = { ...devices[3]!, hardwareIdentifier: devices[2]!.hardwareIdentifier };
    devices[4] = { ...devices[4]!, hardwareIdentifier: 'aGFyZHdhcmVJZGVudGlmaWVy' };
    harness.emulator.state.forceOutcome(devices[5]!.serialNumber, { status: 'error', errorCode: 0, errorName: 'StorageError' });
    const result = await harness.engine().startRun(devices, { source: 'errors.json', wait: true });
    const byIndex = result.run.devices.map((d) => `${d.status} ${d.errorCode} ${d.errorName ?? ''}`.trim());
    assert.deepEqual(byIndex, [
      'error 806 ZtdDeviceAlreadyAssigned',
      'error 808 ZtdDeviceAssignedToOtherTenant',
      'complete 0',
      'error 0 ZtdDeviceDuplicated',
      'error 0 InvalidZtdHardwareHash',
      'error 0 StorageError',
    ]);
    assert.equal(result.run.counts.error, 5);
  });

  it('retries only the failed devices, replacing their old import records', async () => {
    const devices = fakeDevices(5);
    harness.emulator.state.forceOutcome(devices[2]!.serialNumber, { status: 'error', errorCode: 0, errorName: 'StorageError' });
    const engine = harness.engine();
    const first = await engine.startRun(devices, { source: 'retry.json', wait: true });
    assert.equal(first.run.counts.error, 1);
    const failedRecord = first.run.devices[2]!.id!;
    harness.emulator.state.forcedOutcomes.clear();
    const retried = await engine.retryFailed(first.run.id, { wait: true });
    assert.equal(retried.run.counts.complete, 5);
    assert.notEqual(retried.run.devices[2]!.id, failedRecord);
    assert.ok(harness.emulator.requests.some((r) => r.method === 'DELETE' && r.path.endsWith(failedRecord)));
    const counts = recordsPerSerial(harness.emulator);
    assert.equal(counts.get(devices[2]!.serialNumber), 2);
    for (const device of [0, 1, 3, 4]) assert.equal(counts.get(devices[device]!.serialNumber), 1);
  });

  it('syncs after completion, waits until the devices are registered, and removes completed import records', async () => {
    await harness.close();
    harness = await startHarness({ timing: { processingDelayMs: 100, processingJitterMs: 0, registrationDelayMs: 60_000, registrationIdDelayMs: 100, syncDurationMs: 200, syncMinIntervalMs: 60_000 } });
    const devices = fakeDevices(3);
    const result = await harness.engine().startRun(devices, { source: 'sync.json', wait: true, sync: true, waitForRegistration: true, removeCompletedRecords: true });
    assert.equal(result.sync, 'started');
    assert.equal(result.allRegistered, true, 'the sync brought the devices in well before the 60 s registration delay');
    assert.ok(result.run.devices.every((d) => d.registered && d.recordDeleted));
    assert.equal(harness.emulator.state.tenant(DEFAULT_TENANT_ID).imported.size, 0);

    // A second run right away: the sync is "too soon", which is reported, not a failure.
    const again = await harness.engine().startRun(fakeDevices(2, 'NEXT'), { source: 'sync2.json', wait: true, sync: true });
    assert.equal(again.sync, 'too-soon');
    assert.equal(again.stopped, 'finished');
  });

  it('keeps a run open for a waiting resume until its wait for registration has ended, once', async () => {
    await harness.close();
    harness = await startHarness({ timing: { processingDelayMs: 50, processingJitterMs: 0, registrationDelayMs: 300, syncDurationMs: 50, syncMinIntervalMs: 60_000 } });
    // Processed but never watched until registered (as after a crash during that wait): open only for a waiting resume.
    const processed = await harness.engine().startRun(fakeDevices(2), { source: 'reg.json', wait: true });
    assert.equal(processed.run.phase, 'finished');
    assert.ok(processed.run.devices.every((d) => d.status === 'complete' && !d.registered));
    assert.deepEqual(await harness.engine().unfinishedRuns(), []);
    assert.deepEqual((await harness.engine().unfinishedRuns({ registration: true })).map((r) => r.id), [processed.run.id]);

    const resumed = await harness.engine().resumeRun(processed.run.id, { wait: true, waitForRegistration: true });
    assert.equal(resumed.allRegistered, true);
    assert.ok(resumed.run.devices.every((d) => d.registered));
    assert.deepEqual(await harness.engine().unfinishedRuns({ registration: true }), []);

    // A wait that ran out of time has ended too: a later resume does not wait for the same devices again.
    const slow = await harness.engine({ settings: { timeLimitMs: 150 } }).startRun(fakeDevices(1, 'LATE'), { source: 'late.json', wait: true, waitForRegistration: true });
    assert.equal(slow.allRegistered, false);
    assert.equal(slow.run.registrationWatched, true);
    assert.deepEqual(await harness.engine().unfinishedRuns({ registration: true }), []);
  });

  it('lets only one engine work on a run at a time', async () => {
    await harness.close();
    harness = await startHarness({ timing: { processingDelayMs: 400, processingJitterMs: 0 } });
    const first = harness.engine();
    let runId = '';
    first.events.on((e) => {
      if (e.type === 'run-started') runId = e.runId;
    });
    const running = first.startRun(fakeDevices(2), { source: 'busy.json', wait: true });
    while (!runId) await new Promise((r) => setTimeout(r, 5));
    await assert.rejects(harness.engine().resumeRun(runId, { wait: true }), RunBusyError);
    assert.equal((await running).run.counts.complete, 2);
  });
});
