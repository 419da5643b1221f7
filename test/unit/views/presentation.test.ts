/** The Recent Imports model and its display rules: states, capability flags and the badge count. */
import * as assert from 'node:assert/strict';
import type { DeviceView, RunView } from '../../../src/import/runState';
import { contextValue, deviceCapabilities, deviceDisplayState, runCapabilities, runDisplayState } from '../../../src/views/importPresentation';
import { sourceName } from '../../../src/import/vscode/importsModel';
import { ImportsModel, type RunActivity, type RunEntry } from '../../../src/import/vscode/importsModel';

function device(index: number, overrides: Partial<DeviceView> = {}): DeviceView {
  return {
    index,
    serialNumber: `SN${index}`,
    fingerprint: 'abcd1234',
    id: `record-${index}`,
    status: 'complete',
    errorCode: 0,
    errorName: null,
    registered: false,
    sent: true,
    registrationId: `reg-${index}`,
    recordDeleted: false,
    groupTag: null,
    ...overrides,
  };
}

function run(id: string, devices: DeviceView[], phase: RunView['phase'] = 'finished'): RunView {
  const counts = { complete: 0, error: 0, partial: 0, pending: 0 };
  for (const d of devices) {
    if (d.status === 'complete' || d.status === 'error' || d.status === 'partial') counts[d.status]++;
    else counts.pending++;
  }
  return { id, startedAt: '2026-05-01T10:00:00.000Z', source: 'C:\\hashes\\devices.csv', graphRoot: 'https://graph.microsoft.com', tenant: { id: 't', label: 'contoso.com' }, phase, devices, counts, registrationWatched: false };
}

const entry = (view: RunView, activity: RunActivity = 'idle'): RunEntry => ({ view, activity });

describe('Recent Imports presentation', () => {
  it('names a run by its file, whatever the path style', () => {
    assert.equal(sourceName('C:\\hashes\\devices.csv'), 'devices.csv');
    assert.equal(sourceName('/home/me/devices.autopilot.json'), 'devices.autopilot.json');
    assert.equal(sourceName('Untitled-1'), 'Untitled-1');
  });

  it('shows a device by what Intune decided, and an unsent one as queued while sending, else not sent', () => {
    const view = run('r', [
      device(0, { registered: true }),
      device(1),
      device(2, { status: 'unknown' }),
      device(3, { status: 'error', errorCode: 806 }),
      device(4, { status: 'partial' }),
      device(5, { status: 'pending', sent: false, id: null }),
    ], 'sending');
    const states = (activity: RunActivity) => view.devices.map((d) => deviceDisplayState(d, entry(view, activity)));
    assert.deepEqual(states('sending'), ['registered', 'complete', 'processing', 'error', 'partial', 'queued']);
    assert.equal(states('idle')[5], 'not-sent');
  });

  it('offers each device only the actions that can work on it, and none while the run is busy', () => {
    const view = run('r', [
      device(0),
      device(1, { status: 'error', errorCode: 0, errorName: 'StorageError' }),
      device(2, { status: 'unknown' }),
      device(3, { status: 'complete', recordDeleted: true }),
      device(4, { status: 'error', errorCode: 808, errorName: 'ZtdDeviceAssignedToOtherTenant' }),
      device(5, { status: 'error', errorCode: 806, errorName: 'ZtdDeviceAlreadyAssigned' }),
    ], 'processing');
    const flags = (index: number, activity: RunActivity = 'idle') => contextValue('autopilotDevice', deviceCapabilities(view.devices[index]!, entry(view, activity)));
    assert.equal(flags(0), 'autopilotDevice;copySerial;showRecord;findRegistered;deleteRecord;');
    assert.equal(flags(1), 'autopilotDevice;copySerial;showRecord;findRegistered;retry;deleteRecord;', 'a failure on Intune\'s side is worth a retry');
    assert.equal(flags(4), 'autopilotDevice;copySerial;showRecord;findRegistered;deleteRecord;', '808: only the other tenant can help');
    assert.equal(flags(5), 'autopilotDevice;copySerial;showRecord;findRegistered;deleteRecord;', '806: show the registered device, delete the record');
    assert.equal(flags(2), 'autopilotDevice;copySerial;showRecord;findRegistered;', 'a record still processing is never deleted');
    assert.equal(flags(3), 'autopilotDevice;copySerial;showRecord;findRegistered;', 'a deleted record cannot be deleted again');
    assert.equal(flags(1, 'watching'), 'autopilotDevice;copySerial;showRecord;findRegistered;');
  });

  it('offers a run continue, retry, delete, refresh and forget as its state allows', () => {
    const interrupted = run('r', [device(0), device(1, { status: 'pending', sent: false, id: null })], 'sending');
    assert.equal(runDisplayState(entry(interrupted)), 'interrupted');
    assert.deepEqual(runCapabilities(entry(interrupted)), ['deleteRecords', 'continue', 'refresh', 'forget']);
    assert.deepEqual(runCapabilities(entry(interrupted, 'sending')), ['stop']);
    assert.deepEqual(runCapabilities(entry(interrupted, 'watching')), []);

    const failed = run('f', [device(0, { registered: true }), device(1, { status: 'error', errorCode: 806 })]);
    assert.equal(runDisplayState(entry(failed)), 'failed');
    assert.deepEqual(runCapabilities(entry(failed)), ['deleteRecords', 'forget'], 'an 806 is not worth a retry');
    const retryable = run('s', [device(0, { registered: true }), device(1, { status: 'error', errorCode: 0, errorName: 'StorageError' })]);
    assert.deepEqual(runCapabilities(entry(retryable)), ['retry', 'deleteRecords', 'forget']);

    const waiting = run('w', [device(0)]);
    assert.equal(runDisplayState(entry(waiting)), 'complete');
    assert.ok(runCapabilities(entry(waiting)).includes('refresh'), 'still waiting for registration');
  });

  it('keeps what the window is doing with a run across journal reloads, and counts devices still processing', () => {
    const model = new ImportsModel();
    const changes: (readonly string[] | undefined)[] = [];
    model.onDidChange((change) => changes.push(change.runIds));
    const sending = run('20260501T100000Z-aaaaaa', [device(0, { status: 'unknown' }), device(1, { status: 'pending', sent: false, id: null })], 'sending');
    const older = run('20260430T100000Z-bbbbbb', [device(0), device(1, { status: 'unknown' })], 'processing');
    model.replaceAll([older, sending]);
    assert.deepEqual(model.runs().map((e) => e.view.id), [sending.id, older.id], 'newest first');
    assert.equal(model.stillProcessing(), 2, 'an unsent device counts only while its run is being sent');
    model.setActivity(sending.id, 'sending');
    assert.equal(model.stillProcessing(), 3);
    model.replaceAll([older, sending]);
    assert.equal(model.run(sending.id)?.activity, 'sending');
    model.setProblem(older.id, 'Graph answered 503');
    model.update({ ...older, devices: [device(0), device(1)], phase: 'finished' });
    assert.equal(model.run(older.id)?.problem, 'Graph answered 503', 'an update keeps the problem until the next attempt');
    model.remove([older.id]);
    assert.equal(model.run(older.id), undefined);
    assert.deepEqual(changes, [undefined, [sending.id], undefined, [older.id], [older.id], undefined]);
  });
});
