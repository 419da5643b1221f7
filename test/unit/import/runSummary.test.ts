/**
 * Run summaries (issue 15, "nothing blocks the extension host"): lists read a small summary per run instead of every
 * manifest, and what they show is always what replaying the journal gives, whatever a crash left behind.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JOURNAL_VERSION, Journal, type JournalEntry, type RunManifest } from '../../../src/import/journal';
import { RunState, type RunView } from '../../../src/import/runState';
import { SummaryWriter, listRunViews, readRunView } from '../../../src/import/runSummary';
import { silentLogger } from '../../../src/common/logger';
import { fakeDevices } from '../../emulator/hashes';
import { startHarness, type Harness } from '../../support/engineHarness';

const RUN = '20250101T000000Z-000001';

function manifest(count = 4): RunManifest {
  return {
    version: JOURNAL_VERSION,
    id: RUN,
    startedAt: '2025-01-01T00:00:00.000Z',
    source: '/files/fleet.csv',
    graphRoot: 'https://graph.microsoft.com',
    batchSize: 2,
    devices: fakeDevices(count),
    tenant: { id: 'tenant-1', label: 'contoso.onmicrosoft.com' },
  };
}

const record = (device: number, status: string, registrationId: string | null = null) => ({ device, id: `rec-${device}`, status, errorCode: status === 'error' ? 806 : 0, errorName: status === 'error' ? 'ZtdDeviceAlreadyAssigned' : null, registrationId });

/** A run's life in the journal: sends, an answer lost, a reconcile, processing, a failure, a retry, registration. */
const LIFE: JournalEntry[] = [
  { t: 'existing', at: '2025-01-01T00:00:01.000Z', ids: ['old-1'] },
  { t: 'send', at: '2025-01-01T00:00:02.000Z', send: 1, mode: 'import', devices: [0, 1] },
  { t: 'accepted', at: '2025-01-01T00:00:03.000Z', send: 1, records: [record(0, 'unknown'), record(1, 'unknown')] },
  { t: 'send', at: '2025-01-01T00:00:04.000Z', send: 2, mode: 'import', devices: [2, 3] },
  { t: 'uncertain', at: '2025-01-01T00:00:05.000Z', send: 2, devices: [2, 3], reason: 'timeout' },
  { t: 'reconciled', at: '2025-01-01T00:00:06.000Z', devices: [3], found: [record(2, 'pending')] },
  { t: 'send', at: '2025-01-01T00:00:07.000Z', send: 3, mode: 'import', devices: [3] },
  { t: 'rejected', at: '2025-01-01T00:00:08.000Z', send: 3, devices: [3], error: { status: 400, code: 'BadRequest', message: 'Invalid request.' }, final: true },
  { t: 'status', at: '2025-01-01T00:00:09.000Z', records: [record(0, 'complete', 'reg-0'), record(1, 'error'), record(2, 'complete')] },
  { t: 'retry', at: '2025-01-01T00:00:10.000Z', devices: [1] },
  { t: 'sync', at: '2025-01-01T00:00:11.000Z', outcome: 'started' },
  { t: 'registered', at: '2025-01-01T00:00:12.000Z', devices: [0] },
  { t: 'record-deleted', at: '2025-01-01T00:00:13.000Z', devices: [0] },
  { t: 'registration-watched', at: '2025-01-01T00:00:14.000Z', allRegistered: false },
];

function replayed(entries: readonly JournalEntry[]): RunView {
  return RunState.load(manifest(), entries).view();
}

describe('run summaries', () => {
  let dir: string;
  let journal: Journal;
  const runDir = () => path.join(dir, 'runs', RUN);
  const eventsFile = () => path.join(runDir(), 'events.jsonl');
  const summaryFile = () => path.join(runDir(), 'summary.json');

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-summary-unit-'));
    journal = new Journal(dir);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('loads a run an earlier version journaled without a summary, writes its summary then, and lists from it alone afterwards', async () => {
    journal.createRun(manifest()).release();
    for (const entry of LIFE) journal.append(RUN, entry);
    assert.equal(fs.existsSync(summaryFile()), false, 'an older run has no summary');

    assert.deepEqual(await listRunViews(journal), [replayed(LIFE)]);
    assert.ok(fs.existsSync(summaryFile()), 'the summary is written once it has been folded');
    const summary = fs.readFileSync(summaryFile(), 'utf8');
    for (const device of manifest().devices) assert.ok(!summary.includes(device.hardwareIdentifier), 'no hash in the summary');

    // The manifest (hashes and all) is not read again to list the run: even a manifest gone bad is not noticed.
    fs.writeFileSync(path.join(runDir(), 'manifest.json'), '{"version":1,"id":"x","devices":"not read"}');
    assert.deepEqual(await listRunViews(journal), [replayed(LIFE)]);
  });

  it('agrees with the replayed journal after a crash at any point: any journal prefix, torn or not, with any older summary or none', async () => {
    journal.createRun(manifest()).release();
    const lengths = [fs.statSync(eventsFile()).size];
    for (const entry of LIFE) lengths.push(journal.append(RUN, entry));
    const events = fs.readFileSync(eventsFile());
    const summaries = lengths.map((length, count) => ({ version: 1, eventsBytes: length, summary: replayed(LIFE.slice(0, count)) }));

    for (let whole = 0; whole <= LIFE.length; whole++) {
      // Every summary the writer may have left (one per earlier length, or none), with or without a torn append after.
      for (let summarised = -1; summarised <= whole; summarised++) {
        for (const torn of [0, 17]) {
          const end = Math.min(lengths[whole]! + torn, events.length);
          fs.writeFileSync(eventsFile(), events.subarray(0, end));
          fs.rmSync(summaryFile(), { force: true });
          if (summarised >= 0) fs.writeFileSync(summaryFile(), JSON.stringify(summaries[summarised]));
          const expected = replayed(LIFE.slice(0, whole));
          const label = `${whole} entries, summary of ${summarised}, ${end - lengths[whole]!} torn bytes`;
          assert.deepEqual(await readRunView(journal, RUN), expected, label);
          if (end === lengths[whole]) assert.deepEqual(await journal.readSummary(RUN), expected, `${label}: the summary is current afterwards`);
        }
      }
    }
  });

  it('is not believed when it is damaged, of another version, or for a journal that has moved on', async () => {
    journal.createRun(manifest()).release();
    const length = journal.append(RUN, LIFE[1]!);
    await journal.writeSummary(RUN, replayed(LIFE.slice(1, 2)), length);
    assert.deepEqual(await journal.readSummary(RUN), replayed(LIFE.slice(1, 2)));
    journal.append(RUN, LIFE[2]!);
    assert.equal(await journal.readSummary(RUN), undefined, 'the journal has an entry the summary lacks');
    fs.writeFileSync(summaryFile(), '{"version":1,"eventsBy');
    assert.equal(await journal.readSummary(RUN), undefined, 'cut short');
    fs.writeFileSync(summaryFile(), JSON.stringify({ version: 99, eventsBytes: fs.statSync(eventsFile()).size, summary: {} }));
    assert.equal(await journal.readSummary(RUN), undefined, 'another version');
    assert.deepEqual(await readRunView(journal, RUN), replayed(LIFE.slice(1, 3)));
  });

  it('keeps up with a run as it is worked on, and writes the last state when flushed', async () => {
    journal.createRun(manifest()).release();
    const state = RunState.load(manifest(), []);
    const writer = new SummaryWriter(journal, state, silentLogger, 60_000);
    for (const entry of LIFE) {
      const length = journal.append(RUN, entry);
      state.apply(entry);
      writer.changed(length);
    }
    await writer.flush();
    assert.deepEqual(await journal.readSummary(RUN), replayed(LIFE), 'the summary folds every entry, though writes were at most one a minute');
    assert.deepEqual(fs.readdirSync(runDir()).filter((name) => name.startsWith('summary.json.')), [], 'no temporary file left');
  });

  describe('written by the engine', function () {
    this.timeout(30_000);
    let harness: Harness;
    beforeEach(async () => (harness = await startHarness()));
    afterEach(async () => harness.close());

    it('is current when an import ends, and after it was stopped and resumed, and lists what replaying the journal gives', async () => {
      const engine = harness.engine({ settings: { batchSize: 5 } });
      const cancel = new AbortController();
      harness.emulator.faults.add({ path: '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import', action: { kind: 'after-commit', run: () => cancel.abort() } });
      const stopped = await engine.startRun(fakeDevices(12, 'SUM'), { source: 'summary.json', wait: true, cancel: cancel.signal });
      const engineJournal = new Journal(harness.journalDir);
      const fold = () => {
        const { manifest: written, entries } = engineJournal.read(stopped.run.id);
        return RunState.load(written, entries).view();
      };
      assert.deepEqual(await engineJournal.readSummary(stopped.run.id), fold(), 'current after a stop');
      assert.deepEqual(await engineJournal.readSummary(stopped.run.id), stopped.run);
      const resumed = await harness.engine({ settings: { batchSize: 5 } }).resumeRun(stopped.run.id, { wait: true });
      assert.equal(resumed.run.counts.complete, 12);
      assert.deepEqual(await engineJournal.readSummary(stopped.run.id), fold(), 'current after the resume');
      assert.deepEqual(await listRunViews(engineJournal), [resumed.run]);
    });
  });
});
