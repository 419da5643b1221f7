/**
 * Importing corporate identifiers over real HTTP against the emulator, as untidy as Intune: unordered answers, 429s
 * without Retry-After, writes answered with a failure and committed later, refused identifiers, crashes mid-send.
 * Every test checks the emulator's own account of writes: no identifier is written twice, none is dropped.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GraphClient, type GraphClientOptions } from '../../../src/graph/client';
import { CorporateIdentifierGraph } from '../../../src/graph/corporateIdentifiers';
import { IdentifierImporter, type IdentifierEvent, type IdentifierImportSettings } from '../../../src/import/corporateIdentifiers/identifierImporter';
import { IdentifierRunState, identifierJournal } from '../../../src/import/corporateIdentifiers/identifierRun';
import { type RunTenant } from '../../../src/import/journal';
import { DEFAULT_TENANT_ID } from '../../emulator/auth';
import type { LateAnswer } from '../../emulator/faults';
import { startGraphEmulator, type GraphEmulator } from '../../emulator/server';
import { captureLogger } from '../../support/engineHarness';
import { RunBusyError, RunFailedError, RunTenantError } from '../../../src/import/errors';

const BETA = '/beta/deviceManagement/importedDeviceIdentities';
const IMPORT_PATH = `${BETA}/importDeviceIdentityList`;
const SEARCH_PATH = `${BETA}/searchExistingIdentities`;

function identifiers(count: number, prefix = 'PF'): string[] {
  return Array.from({ length: count }, (_, index) => `Lenovo,ThinkPad T14 Gen 4,${prefix}${String(index + 1).padStart(5, '0')}`);
}

describe('corporate identifier import against an untidy Graph', function () {
  this.timeout(30_000);
  let emulator: GraphEmulator;
  let journalDir: string;
  const clients: GraphClient[] = [];
  const logs: string[] = [];
  let events: IdentifierEvent[];

  const store = () => emulator.state.tenant(DEFAULT_TENANT_ID).identities;

  function importer(settings: Partial<IdentifierImportSettings> = {}, client: Partial<GraphClientOptions> = {}, tenant?: RunTenant): IdentifierImporter {
    const graphClient = new GraphClient({ graphRoot: emulator.url, getAccessToken: async () => emulator.staticToken, logger: captureLogger(logs), retry: { baseDelayMs: 20, maxDelayMs: 200 }, ...client });
    clients.push(graphClient);
    const created = new IdentifierImporter({ graph: new CorporateIdentifierGraph(graphClient), journal: identifierJournal(journalDir), logger: captureLogger(logs), settings: { settleMs: 250, ...settings }, ...(tenant ? { tenant: () => Promise.resolve(tenant) } : {}) });
    created.events.on((event) => events.push(event));
    return created;
  }

  /** Each identifier's writes in the emulated tenant; every one must be exactly `times`. */
  function assertWrittenOnce(values: readonly string[], kind: 'created' | 'overwritten' = 'created'): void {
    const writes = store().writesPerIdentifier(kind);
    for (const value of values) assert.equal(writes.get(value.toUpperCase()) ?? 0, 1, `${value} ${kind} once`);
  }

  beforeEach(async () => {
    emulator = await startGraphEmulator({ timing: { lateCommitMaxMs: 150 } });
    journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-identifiers-'));
    events = [];
    logs.length = 0;
  });

  afterEach(async () => {
    clients.splice(0).forEach((client) => client.dispose());
    await emulator.close();
    fs.rmSync(journalDir, { recursive: true, force: true });
  });

  it('checks the tenant first, skips what it has, and imports the rest through beta only, in chunks', async () => {
    const values = identifiers(7);
    store().seed(values[1]!, Date.now(), { enrollmentState: 'enrolled', lastContactedAt: Date.parse('2026-08-01T10:00:00Z') });
    const result = await importer({ chunkSize: 3 }).start(values, { source: 'lab.identifiers.csv', overwrite: false });
    assert.equal(result.stopped, 'finished');
    assert.deepEqual(result.run.counts, { imported: 6, exists: 1, failed: 0, pending: 0 });
    assert.deepEqual(result.run.identifiers[1], {
      identifier: values[1],
      id: store().find(values[1]!)!.id,
      result: 'exists',
      enrollmentState: 'enrolled',
      lastContactedDateTime: '2026-08-01T10:00:00.000Z',
      error: null,
    });
    assert.ok(result.run.identifiers.filter((item) => item.result === 'imported').every((item) => item.enrollmentState === 'notContacted' && /^[0-9a-f-]{36}$/.test(item.id ?? '')));
    assertWrittenOnce(values.filter((_, index) => index !== 1));
    assert.equal(store().writes.length, 6, 'the identifier the tenant had was not sent');
    assert.ok(emulator.requests.every((request) => request.path.startsWith('/beta/')), 'beta only');
    const imports = emulator.requests.filter((request) => request.path === IMPORT_PATH);
    assert.deepEqual(imports.map((request) => (request.body as { importedDeviceIdentities: unknown[] }).importedDeviceIdentities.length), [3, 3]);
    assert.deepEqual((imports[0]!.body as { importedDeviceIdentities: unknown[] }).importedDeviceIdentities[0], {
      importedDeviceIdentifier: values[0],
      importedDeviceIdentityType: 'manufacturerModelSerial',
      platform: 'windows',
    });
    assert.equal((imports[0]!.body as { overwriteImportedDeviceIdentities: boolean }).overwriteImportedDeviceIdentities, false);
    const firstSearch = emulator.requests.findIndex((request) => request.path === SEARCH_PATH);
    assert.ok(firstSearch >= 0 && firstSearch < emulator.requests.findIndex((request) => request.path === IMPORT_PATH), 'searched before importing');
  });

  it('with overwrite, sends the identifiers the tenant has again with overwriteImportedDeviceIdentities', async () => {
    const values = identifiers(4);
    for (const value of values.slice(0, 2)) store().seed(value, Date.now());
    const result = await importer().start(values, { source: 'again.identifiers.csv', overwrite: true });
    assert.deepEqual(result.run.counts, { imported: 4, exists: 0, failed: 0, pending: 0 });
    assertWrittenOnce(values.slice(0, 2), 'overwritten');
    assertWrittenOnce(values.slice(2), 'created');
    const imports = emulator.requests.filter((request) => request.path === IMPORT_PATH);
    assert.equal(imports.length, 1);
    assert.equal((imports[0]!.body as { overwriteImportedDeviceIdentities: boolean }).overwriteImportedDeviceIdentities, true);
  });

  it('narrows Graph\'s 400 "Invalid Device Identifier parameter" down to the identifiers it refuses', async () => {
    const values = [...identifiers(5), 'Dell Inc.,Latitude 7440,ABC.123', 'Lenovo;ThinkPad;PF9'];
    const result = await importer().start(values, { source: 'mixed.identifiers.csv', overwrite: false });
    assert.deepEqual(result.run.counts, { imported: 5, exists: 0, failed: 2, pending: 0 });
    for (const failed of result.run.identifiers.slice(5)) {
      assert.equal(failed.result, 'failed');
      assert.match(failed.error ?? '', /^400 BadRequest: Invalid Device Identifier parameter found for 1 import records!$/);
    }
    assertWrittenOnce(values.slice(0, 5));
    assert.equal(emulator.requests.filter((request) => request.path === IMPORT_PATH).length, 1, 'the refused ones were found by the search and never sent');
  });

  const lateAnswers: { answer: LateAnswer; client?: Partial<GraphClientOptions> }[] = [{ answer: 503 }, { answer: 500 }, { answer: 'reset' }, { answer: 'timeout', client: { timeoutMs: 300 } }];
  for (const { answer, client } of lateAnswers) {
    it(`waits out the settle time after an import answered ${answer} that Graph commits later, and does not send it again`, async () => {
      const values = identifiers(6);
      emulator.faults.add({ path: IMPORT_PATH, skip: 1, action: { kind: 'commit-late', answer, afterMs: 150 } });
      const result = await importer({ chunkSize: 3 }, client).start(values, { source: 'late.identifiers.csv', overwrite: false });
      assert.deepEqual(result.run.counts, { imported: 6, exists: 0, failed: 0, pending: 0 });
      assertWrittenOnce(values);
      const imports = emulator.requests.filter((request) => request.path === IMPORT_PATH);
      assert.equal(imports.length, 2, 'the chunk Graph committed late was not sent again');
      const check = emulator.requests.find((request) => request.path === SEARCH_PATH && request.seq > imports[1]!.seq);
      assert.ok(check && imports[1]!.committedLateAt! <= check.at, 'the search came after Graph committed');
      assert.ok(events.some((event) => event.type === 'settling'));
    });
  }

  it('sends again what a 503 did not commit, once the settle time has passed and a search shows it missing', async () => {
    const values = identifiers(3);
    emulator.faults.add({ path: IMPORT_PATH, action: { kind: 'status', status: 503, commit: 'never' } });
    const result = await importer().start(values, { source: 'lost.identifiers.csv', overwrite: false });
    assert.deepEqual(result.run.counts, { imported: 3, exists: 0, failed: 0, pending: 0 });
    assertWrittenOnce(values);
    assert.equal(emulator.requests.filter((request) => request.path === IMPORT_PATH).length, 2);
  });

  it('tells an overwrite Graph committed late from the record it replaced, and does not overwrite twice', async () => {
    const values = identifiers(2);
    for (const value of values) store().seed(value, Date.now());
    emulator.faults.add({ path: IMPORT_PATH, action: { kind: 'commit-late', answer: 504, afterMs: 100 } });
    const result = await importer().start(values, { source: 'again.identifiers.csv', overwrite: true });
    assert.deepEqual(result.run.counts, { imported: 2, exists: 0, failed: 0, pending: 0 });
    assertWrittenOnce(values, 'overwritten');
    assert.equal(emulator.requests.filter((request) => request.path === IMPORT_PATH).length, 1);
  });

  it('rides out Intune throttling without Retry-After (429s are not failures)', async () => {
    const values = identifiers(4);
    emulator.faults.add({ path: IMPORT_PATH, times: 2, action: { kind: 'status', status: 429 } });
    const result = await importer().start(values, { source: 'busy.identifiers.csv', overwrite: false });
    assert.deepEqual(result.run.counts, { imported: 4, exists: 0, failed: 0, pending: 0 });
    assertWrittenOnce(values);
  });

  it('finishes a run a crash interrupted mid-send: settles, finds what Graph committed, sends only the rest', async () => {
    const values = identifiers(6);
    const stop = new AbortController();
    // The first chunk is committed, then its answer is held back while the process "dies".
    emulator.faults.add({ path: IMPORT_PATH, action: { kind: 'after-commit', run: () => stop.abort() } });
    emulator.faults.add({ path: IMPORT_PATH, action: { kind: 'delay-after-commit', ms: 2_000 } });
    const first = await importer({ chunkSize: 3 }).start(values, { source: 'crash.identifiers.csv', overwrite: false, stop: stop.signal });
    assert.equal(first.stopped, 'cancelled');
    assert.equal(first.run.counts.pending, 6);
    assertWrittenOnce(values.slice(0, 3));

    const resumer = importer({ chunkSize: 3 });
    assert.deepEqual((await resumer.unfinishedRuns()).mine.map((run) => run.id), [first.run.id]);
    const resumed = await resumer.resume(first.run.id);
    assert.deepEqual(resumed.run.counts, { imported: 6, exists: 0, failed: 0, pending: 0 });
    assertWrittenOnce(values);
    assert.deepEqual(await resumer.unfinishedRuns(), { mine: [], others: [] });
  });

  it('stops sending when cancelled and sends the rest on resume', async () => {
    const values = identifiers(6);
    const cancel = new AbortController();
    const first = importer({ chunkSize: 2 });
    first.events.on((event) => {
      if (event.type === 'sending') cancel.abort();
    });
    const stopped = await first.start(values, { source: 'later.identifiers.csv', overwrite: false, cancel: cancel.signal });
    assert.equal(stopped.stopped, 'cancelled');
    assert.deepEqual(stopped.run.counts, { imported: 2, exists: 0, failed: 0, pending: 4 });
    const resumed = await importer({ chunkSize: 2 }).resume(stopped.run.id);
    assert.deepEqual(resumed.run.counts, { imported: 6, exists: 0, failed: 0, pending: 0 });
    assertWrittenOnce(values);
  });

  it('uses a plan as the run\'s check, so the tenant is searched once', async () => {
    const values = [...identifiers(3), identifiers(1)[0]!];
    store().seed(values[2]!, Date.now());
    const run = importer();
    const plan = await run.plan(values);
    assert.equal(plan.repeats, 1);
    assert.deepEqual(plan.existing.map((snapshot) => snapshot.item), [2]);
    const searches = emulator.requests.filter((request) => request.path === SEARCH_PATH).length;
    const result = await run.start(values, { source: 'plan.identifiers.csv', overwrite: false, plan });
    assert.deepEqual(result.run.counts, { imported: 2, exists: 1, failed: 0, pending: 0 });
    assert.equal(emulator.requests.filter((request) => request.path === SEARCH_PATH).length, searches, 'no second search');
  });

  const tenantA: RunTenant = { id: 'tenant-a', label: 'a.example' };
  const tenantB: RunTenant = { id: 'tenant-b', label: 'b.example' };

  it('a run belongs to its tenant: another tenant\'s credentials neither see it as theirs nor finish it, and nothing is sent', async () => {
    const values = identifiers(2);
    const cancel = new AbortController();
    cancel.abort();
    const run = await importer({}, {}, tenantA).start(values, { source: 'a.identifiers.csv', overwrite: false, cancel: cancel.signal });
    assert.deepEqual(run.run.tenant, tenantA);
    const other = importer({}, {}, tenantB);
    assert.deepEqual(await other.unfinishedRuns(), { mine: [], others: [await importer().view(run.run.id)] });
    const before = emulator.requests.length;
    const refused = await other.resume(run.run.id).then(
      () => assert.fail('resumed in another tenant'),
      (error: unknown) => error,
    );
    assert.ok(refused instanceof RunTenantError);
    assert.match(refused.message, /belongs to tenant a\.example, but the credentials are for tenant b\.example; nothing was sent/);
    // Credentials that name no tenant cannot finish a run that has one either.
    await assert.rejects(importer().resume(run.run.id), RunTenantError);
    assert.equal(emulator.requests.length, before);
    const finished = await importer({}, {}, tenantA).resume(run.run.id);
    assert.deepEqual(finished.run.counts, { imported: 2, exists: 0, failed: 0, pending: 0 });
    assertWrittenOnce(values);
  });

  it('lists runs from their summaries: an older version\'s run without one, and a crash the summary lags behind, list as the journal says (issue 15)', async () => {
    const values = identifiers(3);
    const run = await importer({}, {}, tenantA).start(values, { source: 'summary.identifiers.csv', overwrite: false, cancel: AbortSignal.abort() });
    const journal = identifierJournal(journalDir);
    const summaryFile = path.join(journalDir, 'corporate-identifiers', 'runs', run.run.id, 'summary.json');
    assert.deepEqual(await journal.readSummary(run.run.id), run.run, 'the run keeps its summary as it works');
    const replayed = async () => {
      const { manifest, entries } = await journal.readRun(run.run.id);
      return IdentifierRunState.load(manifest, entries).view();
    };

    // As an older version left it: no summary. It lists, and gets one.
    fs.rmSync(summaryFile);
    assert.deepEqual((await importer({}, {}, tenantA).unfinishedRuns()).mine, [await replayed()]);
    assert.ok(fs.existsSync(summaryFile));

    // A crash between an append and the summary: the chunk went out and was answered, the summary still says pending.
    journal.append(run.run.id, { t: 'send', at: new Date().toISOString(), send: 1, items: [0] }, true);
    journal.append(run.run.id, { t: 'accepted', at: new Date().toISOString(), send: 1, results: [{ item: 0, id: 'identity-0', enrollmentState: 'notContacted', lastContactedDateTime: null, lastModifiedDateTime: null, status: true }] });
    fs.appendFileSync(path.join(path.dirname(summaryFile), 'events.jsonl'), '{"t":"send","at":"","se'); // and a torn last line
    const [listed] = (await importer({}, {}, tenantA).unfinishedRuns()).mine;
    assert.deepEqual(listed, await replayed());
    assert.deepEqual(listed?.counts, { imported: 1, exists: 0, failed: 0, pending: 2 });
    assert.deepEqual(await importer().view(run.run.id), listed);

    const finished = await importer({}, {}, tenantA).resume(run.run.id);
    assert.deepEqual(finished.run.counts, { imported: 3, exists: 0, failed: 0, pending: 0 });
    assert.deepEqual(await journal.readSummary(run.run.id), finished.run, 'the summary is current when the lock goes');
    assert.deepEqual(await importer({}, {}, tenantA).unfinishedRuns(), { mine: [], others: [] });
  });

  it('a run that fails before any identifier could reach Graph is not kept (nothing to resume)', async () => {
    emulator.faults.add({ path: IMPORT_PATH, action: { kind: 'status', status: 403 } });
    const failed = await importer({}, {}, tenantA)
      .start(identifiers(2), { source: 'forbidden.identifiers.csv', overwrite: false })
      .then(
        () => assert.fail('imported without permission'),
        (error: unknown) => error,
      );
    assert.ok(failed instanceof RunFailedError && failed.discarded, String(failed));
    assert.deepEqual(identifierJournal(journalDir).runIds(), []);
    assert.equal(store().writes.length, 0);
  });

  it('one process works on a run at a time, and a torn last journal line does not make it unreadable', async () => {
    const values = identifiers(4);
    const cancel = new AbortController();
    cancel.abort();
    const run = await importer({}, {}, tenantA).start(values, { source: 'torn.identifiers.csv', overwrite: false, cancel: cancel.signal });
    const journal = identifierJournal(journalDir);
    fs.appendFileSync(path.join(journalDir, 'corporate-identifiers', 'runs', run.run.id, 'events.jsonl'), '{"t":"send","at":"2026-');
    const held = journal.lock(run.run.id);
    const before = emulator.requests.length;
    await assert.rejects(importer({}, {}, tenantA).resume(run.run.id), RunBusyError);
    assert.equal(emulator.requests.length, before);
    held.release();
    const finished = await importer({}, {}, tenantA).resume(run.run.id);
    assert.deepEqual(finished.run.counts, { imported: 4, exists: 0, failed: 0, pending: 0 });
    assertWrittenOnce(values);
    assert.ok(fs.readFileSync(path.join(journalDir, 'corporate-identifiers', 'runs', run.run.id, 'events.jsonl'), 'utf8').split('\n').slice(0, -1).every((line) => JSON.parse(line)));
  });

  it('v1.0 has no importedDeviceIdentities: the emulator answers 400 as Graph does', async () => {
    const client = new GraphClient({ graphRoot: emulator.url, getAccessToken: async () => emulator.staticToken });
    clients.push(client);
    await assert.rejects(client.get('deviceManagement/importedDeviceIdentities'), /400 BadRequest.*Resource not found for the segment 'importedDeviceIdentities'/);
  });
});
