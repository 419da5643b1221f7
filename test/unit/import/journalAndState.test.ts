import * as assert from 'node:assert/strict';
import nodeFs, * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { listRunViews } from '../../../src/import/runSummary';
import { explainImportError } from '../../../src/import/explanations';
import { JOURNAL_VERSION, Journal, newRunId, type RunManifest } from '../../../src/import/journal';
import { defaultJournalDirectory } from '../../../src/import/journalLocation';
import { RunState } from '../../../src/import/runState';
import { engineSettings } from '../../../src/import/settings';
import { fakeDevices } from '../../emulator/hashes';
import { RunBusyError } from '../../../src/import/errors';

function manifest(id = '20250101T000000Z-000001', count = 4): RunManifest {
  return { version: JOURNAL_VERSION, id, startedAt: '2025-01-01T00:00:00.000Z', source: 'a.json', graphRoot: 'https://graph.microsoft.com', batchSize: 2, devices: fakeDevices(count) };
}

describe('journal', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-journal-unit-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads back what it wrote and ignores a torn last line (a kill mid-append)', () => {
    const journal = new Journal(dir);
    journal.createRun(manifest()).release();
    journal.append(manifest().id, { t: 'send', at: 'x', send: 1, mode: 'import', devices: [0, 1] }, true);
    fs.appendFileSync(path.join(dir, 'runs', manifest().id, 'events.jsonl'), '{"t":"accepted","at":"x","se');
    const { entries } = journal.read(manifest().id);
    assert.deepEqual(entries.map((e) => e.t), ['send']);
  });

  it('cuts a torn last line off before appending, so the run stays readable and listed (issue 11, item 4)', async () => {
    const journal = new Journal(dir);
    journal.createRun(manifest()).release();
    const events = path.join(dir, 'runs', manifest().id, 'events.jsonl');
    journal.append(manifest().id, { t: 'send', at: 'x', send: 1, mode: 'import', devices: [0, 1] }, true);
    fs.appendFileSync(events, '{"t":"accepted","at":"x","se');
    journal.append(manifest().id, { t: 'uncertain', at: 'x', send: 1, devices: [0, 1], reason: 'killed' });
    journal.append(manifest().id, { t: 'sync', at: 'x', outcome: 'started' });
    assert.deepEqual(journal.read(manifest().id).entries.map((e) => e.t), ['send', 'uncertain', 'sync']);
    assert.equal(fs.readFileSync(events, 'utf8').split('\n').length, 4, 'three whole lines, nothing glued');
    assert.deepEqual((await listRunViews(journal)).map((run) => run.id), [manifest().id]);
  });

  it('counts an entry only once its line has ended, whatever the fragment looks like', () => {
    const journal = new Journal(dir);
    journal.createRun(manifest()).release();
    const events = path.join(dir, 'runs', manifest().id, 'events.jsonl');
    // A kill between the entry and its newline: the reader and the next append agree that it never counted.
    fs.appendFileSync(events, '{"t":"sync","at":"x","outcome":"started"}');
    assert.deepEqual(journal.read(manifest().id).entries, []);
    journal.append(manifest().id, { t: 'registered', at: 'x', devices: [0] });
    assert.deepEqual(journal.read(manifest().id).entries.map((e) => e.t), ['registered']);
  });

  it('reads a journal an earlier version damaged by appending after a torn line', () => {
    const journal = new Journal(dir);
    journal.createRun(manifest()).release();
    fs.appendFileSync(path.join(dir, 'runs', manifest().id, 'events.jsonl'), '{"t":"accepted","at":"x","se{"t":"sync","at":"x","outcome":"started"}\n{"t":"registered","at":"x","devices":[0]}\n');
    assert.deepEqual(journal.read(manifest().id).entries.map((e) => e.t), ['sync', 'registered']);
  });

  it('writes a whole entry even when the operating system takes it in pieces', () => {
    const journal = new Journal(dir);
    journal.createRun(manifest()).release();
    const original = nodeFs.writeSync;
    // Short writes are allowed by POSIX (a signal, a full pipe, some network file systems).
    (nodeFs as { writeSync: unknown }).writeSync = (fd: number, data: Buffer | string, offset?: number, length?: number) => {
      const bytes = typeof data === 'string' ? Buffer.from(data) : data.subarray(offset ?? 0, (offset ?? 0) + (length ?? data.length));
      return original(fd, bytes, 0, Math.min(bytes.length, 7));
    };
    try {
      journal.append(manifest().id, { t: 'record-deleted', at: 'x', devices: [0, 1, 2, 3] });
    } finally {
      nodeFs.writeSync = original;
    }
    assert.deepEqual(journal.read(manifest().id).entries, [{ t: 'record-deleted', at: 'x', devices: [0, 1, 2, 3] }]);
  });

  it('refuses a journal damaged in the middle rather than guessing', () => {
    const journal = new Journal(dir);
    journal.createRun(manifest()).release();
    const events = path.join(dir, 'runs', manifest().id, 'events.jsonl');
    fs.appendFileSync(events, 'garbage\n{"t":"sync","at":"x","outcome":"started"}\n');
    assert.throws(() => journal.read(manifest().id), SyntaxError);
  });

  it('lists runs newest first and locks a run against a second holder, taking over after a dead one', () => {
    const journal = new Journal(dir);
    journal.createRun(manifest('20250101T000000Z-000001')).release();
    journal.createRun(manifest('20250102T000000Z-000001')).release();
    assert.deepEqual(journal.runIds(), ['20250102T000000Z-000001', '20250101T000000Z-000001']);
    const lock = journal.lock('20250101T000000Z-000001');
    assert.throws(() => journal.lock('20250101T000000Z-000001'), RunBusyError);
    lock.release();
    fs.writeFileSync(path.join(dir, 'runs', '20250101T000000Z-000001', 'lock'), '999999999');
    journal.lock('20250101T000000Z-000001').release();
    assert.deepEqual(fs.readdirSync(path.join(dir, 'runs', '20250101T000000Z-000001')).sort(), ['events.jsonl', 'manifest.json'], 'no lock or temp file left');
  });

  it('makes sortable run ids and rejects path tricks', () => {
    assert.match(newRunId(Date.UTC(2025, 4, 1, 10, 15, 0), () => 0.5), /^20250501T101500Z-[0-9a-f]{6}$/);
    assert.throws(() => new Journal(dir).read('../etc'), /Not a run id/);
  });

  it('defaults to a per-user state folder on each platform', () => {
    assert.equal(defaultJournalDirectory({}, 'linux', '/home/ann'), '/home/ann/.local/state/autopilot-devices');
    assert.equal(defaultJournalDirectory({ XDG_STATE_HOME: '/var/state' }, 'linux', '/home/ann'), '/var/state/autopilot-devices');
    assert.equal(defaultJournalDirectory({ XDG_STATE_HOME: 'relative' }, 'linux', '/home/ann'), '/home/ann/.local/state/autopilot-devices');
    assert.equal(defaultJournalDirectory({ LOCALAPPDATA: 'C:\\Users\\ann\\AppData\\Local' }, 'win32', 'C:\\Users\\ann'), 'C:\\Users\\ann\\AppData\\Local\\autopilot-devices');
    assert.equal(defaultJournalDirectory({}, 'darwin', '/Users/ann'), '/Users/ann/Library/Application Support/autopilot-devices');
  });
});

describe('run state', () => {
  it('treats a send without an answer as uncertain after a restart', () => {
    const state = RunState.load(manifest(), [{ t: 'send', at: 'x', send: 1, mode: 'import', devices: [0, 1] }]);
    assert.deepEqual(state.devices.map((d) => d.progress), ['uncertain', 'uncertain', 'not-sent', 'not-sent']);
    assert.equal(state.phase(), 'sending');
    assert.equal(state.takeSendNumber(), 2);
  });

  it('folds answers, reconciles, statuses, rejections and retries into what the CLI prints', () => {
    const record = (device: number, status: string, errorCode = 0, errorName: string | null = null) => ({ device, id: `id-${device}`, status, errorCode, errorName, registrationId: status === 'complete' ? `reg-${device}` : null });
    const state = RunState.load(manifest(), [
      { t: 'send', at: 'x', send: 1, mode: 'import', devices: [0, 1] },
      { t: 'accepted', at: 'x', send: 1, records: [record(0, 'unknown'), record(1, 'unknown')] },
      { t: 'send', at: 'x', send: 2, mode: 'import', devices: [2, 3] },
      { t: 'uncertain', at: 'x', send: 2, devices: [2, 3], reason: 'reset' },
      { t: 'reconciled', at: 'x', devices: [2, 3], found: [record(2, 'unknown')] },
      { t: 'send', at: 'x', send: 3, mode: 'import', devices: [3] },
      { t: 'rejected', at: 'x', send: 3, devices: [3], error: { status: 400, code: 'BadRequest', message: "Cannot convert the literal '<redacted>' to the expected type 'Edm.Binary'." }, final: true },
      { t: 'status', at: 'x', records: [record(0, 'complete'), record(1, 'error', 806, 'ZtdDeviceAlreadyAssigned'), record(2, 'complete')] },
      { t: 'registered', at: 'x', devices: [0] },
    ]);
    const view = state.view();
    assert.deepEqual(view.counts, { complete: 2, error: 2, partial: 0, pending: 0 });
    assert.equal(view.phase, 'finished');
    assert.deepEqual(view.devices.map((d) => [d.id, d.status, d.errorCode, d.registered]), [
      ['id-0', 'complete', 0, true],
      ['id-1', 'error', 806, false],
      ['id-2', 'complete', 0, false],
      [null, 'error', 400, false],
    ]);
    assert.deepEqual(state.failed().map((d) => d.index), [1, 3]);
    state.apply({ t: 'retry', at: 'x', devices: [1, 3] });
    assert.deepEqual(state.view().counts, { complete: 2, error: 0, partial: 0, pending: 2 });
    assert.equal(state.phase(), 'sending');
  });

  it('ignores a status for a record the device no longer has', () => {
    const state = RunState.load(manifest(), [
      { t: 'accepted', at: 'x', send: 1, records: [{ device: 0, id: 'new', status: 'unknown', errorCode: 0, errorName: null, registrationId: null }] },
      { t: 'status', at: 'x', records: [{ device: 0, id: 'old', status: 'error', errorCode: 806, errorName: 'ZtdDeviceAlreadyAssigned', registrationId: null }] },
    ]);
    assert.equal(state.view().devices[0]!.status, 'unknown');
  });
});

describe('engine settings', () => {
  it('caps chunks at 500 and needs a positive poll interval', () => {
    assert.equal(engineSettings().batchSize, 500);
    assert.equal(engineSettings({ batchSize: undefined }).pollIntervalMs, 15_000);
    assert.throws(() => engineSettings({ batchSize: 501 }), RangeError);
    assert.throws(() => engineSettings({ batchSize: 0 }), RangeError);
    assert.throws(() => engineSettings({ pollIntervalMs: 0 }), RangeError);
  });
});

describe('error explanations', () => {
  // The last column: whether sending the device again, unchanged, can succeed (so a retry is worth offering).
  const cases: [number, string | null, RegExp, RegExp, boolean][] = [
    [806, 'ZtdDeviceAlreadyAssigned', /already registered to this tenant/, /don't import it again/, false],
    [808, 'ZtdDeviceAssignedToOtherTenant', /different tenant/, /proof of ownership/, false],
    [808, 'ZtdDeviceAssignedToAnotherTenant', /different tenant/, /must deregister it/, false],
    [0, 'ZtdDeviceDuplicated', /more than once/, /remove duplicate rows/, false],
    [0, 'InvalidZtdHardwareHash', /manufacturer and the serial number/, /Capture the hash again/, false],
    [0, 'StorageError', /generic error/, /Retry the device later/, true],
    [400, "Cannot convert the literal '<redacted 10 chars>' to the expected type 'Edm.Binary'.", /padded standard Base64/, /Add the missing "=" padding/, false],
    [0, 'ImportRecordNotFound', /deleted before it finished/, /registered Autopilot devices/, true],
    [17, 'SomethingNew', /error 17 \(SomethingNew\)/, /Retry the device/, true],
  ];
  for (const [errorCode, errorName, detail, fix, retryable] of cases) {
    it(`explains ${errorCode} ${errorName} with a fix${retryable ? ', worth a retry' : ', not worth a retry'}`, () => {
      const explanation = explainImportError({ status: 'error', errorCode, errorName });
      assert.ok(explanation);
      assert.match(explanation.detail, detail);
      assert.match(explanation.fix, fix);
      assert.equal(explanation.retryable, retryable);
      assert.ok(explanation.title.length < 60);
      // The same words reach the terminal and the editor: no editor action, setting or command names.
      assert.doesNotMatch(`${explanation.title} ${explanation.fix}`, /quick fix|\bautopilot\.(cloud|authority|graphRoot|auth|import|poll|apiVersion)\b|Autopilot: |Recent Imports/i);
    });
  }

  it('has nothing to explain for devices that did not fail', () => {
    assert.equal(explainImportError({ status: 'complete', errorCode: 0, errorName: null }), undefined);
    assert.equal(explainImportError({ status: 'unknown', errorCode: 0, errorName: null }), undefined);
    assert.match(explainImportError({ status: 'partial', errorCode: 0, errorName: null })!.title, /Partially/);
  });
});
