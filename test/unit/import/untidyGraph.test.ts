/**
 * The engine against Graph as untidy as Intune: writes answered with a failure that are committed later anyway,
 * records of earlier imports for the same serials, answers without the hash, lists in no useful order, `complete`
 * before registration. Each test reproduces a way the engine used to send a device twice, report another run's
 * record, or call a device registered too early.
 */
import * as assert from 'node:assert/strict';
import { DEFAULT_TENANT_ID } from '../../emulator/auth';
import type { LateAnswer } from '../../emulator/faults';
import { fakeDevices, type FakeDevice } from '../../emulator/hashes';
import { journalEntries, startHarness, type Harness } from '../../support/engineHarness';
import { eventually } from '../../support/eventually';

const IMPORT_PATH = '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import';
const COLLECTION_PATH = '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities';
const REGISTERED_PATH = '/v1.0/deviceManagement/windowsAutopilotDeviceIdentities';

/** The records this test's run made for each device (the emulator's own account, deleted ones included). */
function recordsOf(harness: Harness, device: FakeDevice) {
  return harness.emulator.state.tenant(DEFAULT_TENANT_ID).created.filter((record) => record.serialNumber === device.serialNumber);
}

describe('import engine against an untidy Graph', function () {
  this.timeout(30_000);
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  const answers: { answer: LateAnswer; client?: { timeoutMs: number } }[] = [
    { answer: 503 },
    { answer: 504 },
    { answer: 500 },
    { answer: 'reset' },
    { answer: 'timeout', client: { timeoutMs: 300 } },
  ];
  for (const { answer, client } of answers) {
    it(`waits out the settle time after a write answered ${answer} that Graph commits later, then finds it instead of sending it again`, async () => {
      const devices = fakeDevices(6);
      // Graph answers the second chunk with a failure and commits it 150 ms later; the engine's settle time is 250 ms.
      harness.emulator.faults.add({ path: IMPORT_PATH, skip: 1, action: { kind: 'commit-late', answer, afterMs: 150 } });
      const result = await harness.engine({ settings: { batchSize: 3 }, ...(client ? { client } : {}) }).startRun(devices, { source: 'late.json', wait: true });
      assert.deepEqual(result.run.counts, { complete: 6, error: 0, partial: 0, pending: 0 });
      for (const device of devices) assert.equal(recordsOf(harness, device).length, 1, `${device.serialNumber} imported once`);
      const imports = harness.emulator.requests.filter((r) => r.path === IMPORT_PATH);
      assert.equal(imports.length, 2, 'the late-committed chunk was not sent again');
      const late = imports[1]!;
      const lookedAgain = harness.emulator.requests.find((r) => r.method === 'GET' && r.query.$filter && r.seq > late.seq);
      assert.ok(lookedAgain && late.committedLateAt! <= lookedAgain.at, 'the listing came after Graph committed');
      const reconciled = harness.events.find((e) => e.type === 'reconciled');
      assert.deepEqual(reconciled && { found: reconciled.found, missing: reconciled.missing }, { found: 3, missing: 0 });
      assert.ok(harness.events.some((e) => e.type === 'settling'), 'the wait was announced');
    });
  }

  it('sends a write answered 503 that Graph never committed again, once, after the settle time', async () => {
    const devices = fakeDevices(4);
    harness.emulator.faults.add({ path: IMPORT_PATH, action: { kind: 'status', status: 503, commit: 'never' } });
    const result = await harness.engine().startRun(devices, { source: 'never.json', wait: true });
    assert.equal(result.run.counts.complete, 4);
    const imports = harness.emulator.requests.filter((r) => r.path === IMPORT_PATH);
    assert.deepEqual(imports.map((r) => r.status), [503, 200]);
    assert.ok(imports[1]!.at - imports[0]!.at >= 250, `re-sent ${imports[1]!.at - imports[0]!.at} ms after the 503, before the settle time`);
    for (const device of devices) assert.equal(recordsOf(harness, device).length, 1);
  });

  it('never adopts a record of an earlier import: reconcile and the report use only this run’s records', async () => {
    const devices = fakeDevices(8);
    const { state } = harness.emulator;
    const earlier = new Set<string>();
    const failBefore = (device: FakeDevice) => earlier.add(state.seedImported(DEFAULT_TENANT_ID, device, { status: 'error', errorCode: 0, errorName: 'StorageError' }).id);
    // Earlier failures (some twice), and an earlier success whose device is registered: importing it now gives 806.
    devices.forEach((device, index) => (index === 3 ? earlier.add(state.seedImported(DEFAULT_TENANT_ID, device, { status: 'complete', errorCode: 0, errorName: null }).id) : failBefore(device)));
    devices.filter((_, index) => index % 2 === 0).forEach(failBefore);
    // The run is stopped while its chunk is committed but unanswered, and resumed once Graph has decided the new
    // records: reconcile then sees every record of each serial decided, old and new alike.
    const stop = new AbortController();
    harness.emulator.faults.add({ path: IMPORT_PATH, action: { kind: 'after-commit', run: () => stop.abort() } });
    const stopped = await harness.engine().startRun(devices, { source: 'again.json', wait: true, groupTag: 'Again', stop: stop.signal });
    assert.equal(stopped.stopped, 'cancelled');
    const created = () => state.tenant(DEFAULT_TENANT_ID).created;
    await eventually('Graph to decide the new records', () => created().length === 8 && created().every((record) => record.readyAt <= Date.now()));
    const result = await harness.engine().resumeRun(stopped.run.id, { wait: true });

    for (const [index, device] of devices.entries()) {
      const [mine, ...others] = recordsOf(harness, device);
      assert.equal(others.length, 0, `${device.serialNumber}: one new record`);
      assert.equal(result.run.devices[index]!.id, mine!.id, `${device.serialNumber} is reported by this run's record, not an earlier one`);
      assert.equal(mine!.groupTag, 'Again', 'the new group tag was sent');
    }
    assert.deepEqual(
      result.run.devices.map((d) => `${d.status} ${d.errorCode}`),
      ['complete 0', 'complete 0', 'complete 0', 'error 806', 'complete 0', 'complete 0', 'complete 0', 'complete 0'],
    );
    const existing = journalEntries(harness.journalDir, result.run.id).find((e) => e.t === 'existing');
    assert.deepEqual([...(existing?.ids as string[])].sort(), [...earlier].sort(), 'the earlier records were noted before the first send');
    assert.ok(harness.emulator.requests.findIndex((r) => r.method === 'GET') < harness.emulator.requests.findIndex((r) => r.path === IMPORT_PATH));
  });

  it('notes earlier records with the paged list when Graph refuses the serial filter', async () => {
    const devices = fakeDevices(3).map((d, i) => ({ ...d, serialNumber: `SN-${i}-A1B2` }));
    const before = harness.emulator.state.seedImported(DEFAULT_TENANT_ID, devices[1]!, { status: 'error', errorCode: 0, errorName: 'StorageError' });
    harness.emulator.faults.add({ method: 'GET', path: /Identities$/, action: { kind: 'status', status: 400, message: 'An error has occurred - The request is malformed or incorrect.' } });
    const result = await harness.engine().startRun(devices, { source: 'hyphens.json', wait: true });
    assert.equal(result.run.counts.complete, 3);
    const gets = harness.emulator.requests.filter((r) => r.method === 'GET' && r.path === COLLECTION_PATH);
    assert.deepEqual(gets.slice(0, 2).map((r) => [r.status, r.query.$filter !== undefined]), [[400, true], [200, false]], 'the filter, then the list');
    assert.deepEqual(journalEntries(harness.journalDir, result.run.id).find((e) => e.t === 'existing')?.ids, [before.id]);
    assert.notEqual(result.run.devices[1]!.id, before.id);
  });

  it('reports a device by its first record, and says so, when a write Graph committed after the settle time made a second one', async () => {
    await harness.close();
    harness = await startHarness({ timing: { processingDelayMs: 900 } });
    const [device] = fakeDevices(1);
    // Committed 600 ms after the 503: after the engine's 250 ms settle time, its listing and its second send.
    harness.emulator.faults.add({ path: IMPORT_PATH, action: { kind: 'status', status: 503, commitAfterMs: 600 } });
    const result = await harness.engine().startRun([device!], { source: 'twice.json', wait: true });
    const [first, late, ...more] = recordsOf(harness, device!); // in the order Graph made them
    assert.ok(first && late && !more.length, 'Graph made two records');
    assert.ok(late.createdAt > first.createdAt);
    assert.equal(result.run.devices[0]!.id, first.id, 'reported by the record the engine got first');
    const duplicate = journalEntries(harness.journalDir, result.run.id).find((e) => e.t === 'duplicate');
    assert.deepEqual(duplicate && { device: duplicate.device, id: duplicate.id }, { device: 0, id: late.id });
    assert.match(harness.logs.join('\n'), new RegExp(`${device!.serialNumber} has a second import record \\(${late.id}.*reports the device by its first record, ${first.id}`));
  });

  it('calls a device registered only once Graph lists it, not when its record turns complete', async () => {
    await harness.close();
    // complete at 100 ms, registration id at 700 ms, listed at 1,100 ms.
    harness = await startHarness({ timing: { processingDelayMs: 100, registrationIdDelayMs: 600, registrationDelayMs: 1000 } });
    const devices = fakeDevices(2);
    const result = await harness.engine().startRun(devices, { source: 'registered.json', wait: true, waitForRegistration: true });
    assert.equal(result.allRegistered, true);
    const listed = new Set(harness.emulator.state.visibleRegistered(DEFAULT_TENANT_ID).map((d) => d.id));
    for (const device of result.run.devices) {
      assert.ok(device.registered && device.registrationId && listed.has(device.registrationId), `${device.serialNumber} registered and listed`);
    }
    const firstSeenComplete = harness.events.find((e) => e.type === 'progress' && e.counts.complete === 2);
    assert.ok(firstSeenComplete && firstSeenComplete.type === 'progress' && firstSeenComplete.registered === 0, 'complete came first, unregistered');
    assert.ok(harness.emulator.requests.some((r) => r.path.startsWith(`${REGISTERED_PATH}/`) && r.status === 200), 'found among registered devices');
  });

  it('keeps a complete record without a registration id waiting for registration, and says not all are registered at the time limit', async () => {
    await harness.close();
    harness = await startHarness({ timing: { processingDelayMs: 50, registrationIdDelayMs: 60_000, registrationDelayMs: 60_000 } });
    const result = await harness.engine({ settings: { timeLimitMs: 600 } }).startRun(fakeDevices(1), { source: 'slow.json', wait: true, waitForRegistration: true });
    assert.equal(result.run.devices[0]!.status, 'complete');
    assert.equal(result.allRegistered, false);
    assert.equal(result.run.devices[0]!.registered, false);
    assert.ok(harness.emulator.requests.filter((r) => r.method === 'GET' && r.path.startsWith(`${COLLECTION_PATH}/`)).length >= 3, 'the record was read again for its registration id');
  });
});
