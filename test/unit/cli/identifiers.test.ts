/**
 * `autopilot-devices identifiers import|list|delete` and `validate` on corporate-identifier files: the bundled CLI as
 * a child process against the emulator (untidy by default), as a pipeline would run it.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { identifierJournal } from '../../../src/import/corporateIdentifiers/identifierRun';
import { DEFAULT_TENANT_ID } from '../../emulator/auth';
import { startGraphEmulator, type GraphEmulator, type GraphEmulatorOptions } from '../../emulator/server';
import { interruptWhileUnanswered, parseJsonOutput, runCli, type CliRun, type CliRunOptions } from '../../support/cliRunner';
import { ENCODINGS, encodeAs } from '../payload/fixtures';

interface IdentifiersDocument {
  identifiers: { identifier: string; id: string | null; result?: string; enrollmentState: string | null; lastContactedDateTime?: string | null; error?: string }[];
  error?: string;
}

interface ValidateDocument {
  files: { path: string; format: string; encoding: string; devices: number; problems: { severity: string; code: string; message: string; line: number; column: number }[] }[];
}

const BETA = '/beta/deviceManagement/importedDeviceIdentities';
const IMPORT_PATH = `${BETA}/importDeviceIdentityList`;

const LAB = ['Lenovo,ThinkPad T14 Gen 4,PF4ABC01', 'Dell Inc.,Latitude 7440,7XK2QY3', 'Microsoft Corporation,Surface Laptop 5,0F12345678901', 'HP,HP EliteBook 840 G10,5CG3210XYZ'];

describe('autopilot-devices identifiers (bundled CLI, child process, emulator)', function () {
  this.timeout(60_000);
  let emulator: GraphEmulator;
  let dir: string;
  let journal: string;

  const store = () => emulator.state.tenant(DEFAULT_TENANT_ID).identities;

  function file(name: string, lines: readonly string[]): string {
    const target = path.join(dir, name);
    fs.writeFileSync(target, `${lines.join('\r\n')}\r\n`);
    return target;
  }

  function cli(args: string[], extraEnv: Record<string, string | undefined> = {}, onSpawn?: CliRunOptions['onSpawn']): Promise<CliRun> {
    const env = { AUTOPILOT_GRAPH_ROOT: emulator.url, AUTOPILOT_ACCESS_TOKEN: emulator.staticToken, AUTOPILOT_SETTLE_SECONDS: '0.3', ...extraEnv };
    // Only `identifiers import` journals (and takes --journal).
    return runCli([...args, ...(args[1] === 'import' ? ['--journal', journal] : [])], { env, onSpawn, cwd: dir });
  }

  async function restart(options: GraphEmulatorOptions): Promise<void> {
    await emulator.close();
    emulator = await startGraphEmulator(options);
  }

  beforeEach(async () => {
    emulator = await startGraphEmulator({ timing: { lateCommitMaxMs: 200 } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-identifiers-cli-'));
    journal = path.join(dir, 'journal');
  });

  afterEach(async () => {
    await emulator.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const encoding of ENCODINGS) {
    it(`validate recognises a ${encoding} identifier file and reports format "corporate-identifiers"`, async () => {
      const text = ['Medion,Akoya E15 Büro,MD0001', 'Lenovo,ThinkPad T14,PF.0002', ''].join('\r\n');
      fs.writeFileSync(path.join(dir, 'devices.csv'), encodeAs(text, encoding));
      const run = await runCli(['validate', 'devices.csv', '--json'], { cwd: dir });
      assert.equal(run.code, 1, run.stderr);
      const [result] = parseJsonOutput<ValidateDocument>(run).files;
      assert.deepEqual(
        { format: result!.format, encoding: result!.encoding, devices: result!.devices },
        { format: 'corporate-identifiers', encoding, devices: 2 },
      );
      assert.deepEqual(
        result!.problems.map(({ severity, code, line, column }) => ({ severity, code, line, column })),
        [
          { severity: 'warning', code: 'identifiers-character', line: 1, column: 19 },
          { severity: 'error', code: 'identifiers-serial-period', line: 2, column: 21 },
        ],
      );
      assert.match(result!.problems[1]!.message, /Remove all periods, if applicable, from the serial number/);
    });
  }

  it('imports without --overwrite: checks first, skips what Intune has, one JSON document with a result per identifier', async () => {
    store().seed(LAB[1]!, Date.now(), { enrollmentState: 'enrolled', lastContactedAt: Date.parse('2026-08-20T08:30:00Z') });
    const run = await cli(['identifiers', 'import', file('lab.identifiers.csv', LAB), '--json']);
    assert.equal(run.code, 0, run.stderr);
    const document = parseJsonOutput<IdentifiersDocument>(run);
    assert.deepEqual(document.identifiers.map((line) => Object.keys(line)), Array(4).fill(['identifier', 'id', 'result', 'enrollmentState']));
    assert.deepEqual(document.identifiers.map((line) => [line.identifier, line.result, line.enrollmentState]), [
      [LAB[0], 'imported', 'notContacted'],
      [LAB[1], 'exists', 'enrolled'],
      [LAB[2], 'imported', 'notContacted'],
      [LAB[3], 'imported', 'notContacted'],
    ]);
    assert.equal(document.identifiers[1]!.id, store().find(LAB[1]!)!.id);
    assert.deepEqual([...store().writesPerIdentifier().values()], [1, 1, 1]);
    assert.ok(emulator.requests.every((request) => request.path.startsWith(BETA)), 'beta only');
    assert.match(run.stderr, /warning identifiers-period/, 'the file warnings are shown on stderr');

    const human = await cli(['identifiers', 'import', file('lab.identifiers.csv', LAB)]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /4 corporate identifiers: imported 0, already in Intune 4 \(skipped; --overwrite replaces them\), failed 0, pending 0/);
  });

  it('imports with --overwrite: the identifiers Intune has are sent with overwriteImportedDeviceIdentities and replaced once', async () => {
    for (const identifier of LAB.slice(0, 2)) store().seed(identifier, Date.now());
    const run = await cli(['identifiers', 'import', file('lab.identifiers.csv', LAB), '--overwrite', '--api-version', 'v1.0', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(parseJsonOutput<IdentifiersDocument>(run).identifiers.map((line) => line.result), ['imported', 'imported', 'imported', 'imported']);
    assert.deepEqual([...store().writesPerIdentifier('overwritten').values()], [1, 1]);
    assert.deepEqual([...store().writesPerIdentifier('created').values()], [1, 1]);
    const imports = emulator.requests.filter((request) => request.path === IMPORT_PATH);
    assert.deepEqual(imports.map((request) => (request.body as { overwriteImportedDeviceIdentities: boolean }).overwriteImportedDeviceIdentities), [true]);
  });

  it('reports the identifiers Graph refuses as failed (exit 3), with its words, and imports the rest', async () => {
    // The model is `ThinkPad "X1"`, quotes and all: which characters Intune takes is unsettled, so the file only warns.
    const run = await cli(['identifiers', 'import', file('quoted.identifiers.csv', [...LAB.slice(0, 2), 'Lenovo,"ThinkPad ""X1""",PF9']), '--json']);
    assert.equal(run.code, 3, run.stderr);
    const document = parseJsonOutput<IdentifiersDocument>(run);
    assert.deepEqual(document.identifiers.map((line) => line.result), ['imported', 'imported', 'failed']);
    assert.match(document.identifiers[2]!.error ?? '', /Invalid Device Identifier parameter found for 1 import records!/);
    assert.match(run.stderr, /warning identifiers-character/);
  });

  it('exits 1 and sends nothing when an identifier file has errors', async () => {
    const run = await cli(['identifiers', 'import', file('broken.csv', ['Manufacturer,Model,Serial Number', ...LAB]), '--json']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /broken\.csv:1:1: error identifiers-header: This is a header line/);
    assert.match(parseJsonOutput<IdentifiersDocument>(run).error ?? '', /Nothing was sent/);
    assert.equal(emulator.requests.length, 0);
  });

  it('imports exactly once when Graph answers 503 and commits the chunk later anyway', async () => {
    emulator.faults.add({ path: IMPORT_PATH, action: { kind: 'status', status: 503, commitAfterMs: 150 } });
    const run = await cli(['identifiers', 'import', file('lab.identifiers.csv', LAB), '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(parseJsonOutput<IdentifiersDocument>(run).identifiers.map((line) => line.result), Array(4).fill('imported'));
    assert.deepEqual([...store().writesPerIdentifier().values()], [1, 1, 1, 1]);
    assert.equal(emulator.requests.filter((request) => request.path === IMPORT_PATH).length, 1, 'not sent again');
  });

  it('survives SIGKILL mid-import: the next identifiers import finishes the run first, each identifier written once', async () => {
    const many = Array.from({ length: 30 }, (_, index) => `Lenovo,ThinkPad T14,PF${String(index).padStart(6, '0')}`);
    let childPid = 0;
    emulator.faults.add({ path: IMPORT_PATH, skip: 1, action: { kind: 'after-commit', run: () => void process.kill(-childPid, 'SIGKILL') } });
    const source = file('many.identifiers.csv', many);
    const crashed = await cli(['identifiers', 'import', source, '--batch-size', '10', '--json'], {}, (child) => (childPid = child.pid!));
    assert.equal(crashed.signal, 'SIGKILL');

    const again = await cli(['identifiers', 'import', source, '--batch-size', '10', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /finishing the interrupted import of 30 identifiers/);
    const document = parseJsonOutput<IdentifiersDocument>(again);
    assert.equal(document.identifiers.length, 30);
    assert.ok(document.identifiers.every((line) => line.result === 'imported'), JSON.stringify(document.identifiers.filter((line) => line.result !== 'imported')));
    const writes = store().writesPerIdentifier();
    assert.equal(writes.size, 30);
    assert.ok([...writes.values()].every((count) => count === 1), 'no identifier written twice');
    assert.deepEqual(
      emulator.requests.filter((request) => request.path === IMPORT_PATH).map((request) => (request.body as { importedDeviceIdentities: unknown[] }).importedDeviceIdentities.length),
      [10, 10, 10],
      'chunk 2 was found by checking, not sent again',
    );
  });

  it('keeps an interrupted import in its tenant: another tenant\'s token leaves it alone, says so, and sends nothing for it', async () => {
    const many = Array.from({ length: 20 }, (_, index) => `Lenovo,ThinkPad T14,PT${String(index).padStart(6, '0')}`);
    let childPid = 0;
    emulator.faults.add({ path: IMPORT_PATH, action: { kind: 'after-commit', run: () => void process.kill(-childPid, 'SIGKILL') } });
    const source = file('tenant.identifiers.csv', many);
    const crashed = await cli(['identifiers', 'import', source, '--batch-size', '10', '--json'], {}, (child) => (childPid = child.pid!));
    assert.equal(crashed.signal, 'SIGKILL');

    const otherTenant = '22222222-2222-4222-8222-222222222222';
    const other = emulator.auth.mintToken({ tenantId: otherTenant });
    const elsewhere = await cli(['identifiers', 'import', file('other.identifiers.csv', ['HP,HP EliteBook 840 G10,5CG0000001']), '--json'], { AUTOPILOT_ACCESS_TOKEN: other });
    assert.equal(elsewhere.code, 0, elsewhere.stderr);
    assert.match(elsewhere.stderr, new RegExp(`the interrupted import of corporate identifiers \\S+ belongs to tenant ${DEFAULT_TENANT_ID}, not to these credentials; it is left for that tenant`));
    assert.deepEqual(parseJsonOutput<IdentifiersDocument>(elsewhere).identifiers.map((line) => line.identifier), ['HP,HP EliteBook 840 G10,5CG0000001'], 'the other tenant\'s run was not reported as its own');
    assert.deepEqual(
      emulator.requests.filter((request) => request.tenantId === otherTenant && request.path === IMPORT_PATH).map((request) => (request.body as { importedDeviceIdentities: unknown[] }).importedDeviceIdentities.length),
      [1],
      'only its own file went to the other tenant',
    );
    assert.equal(store().writes.length, 10, 'nothing more was written to the first tenant');

    // While another process holds the run, its own tenant's import says who holds it, exits 1 and sends nothing.
    const [runId] = identifierJournal(journal).runIds().filter((id) => identifierJournal(journal).read(id).manifest.identifiers.length === 20);
    const held = identifierJournal(journal).lock(runId!);
    const before = emulator.requests.length;
    const busy = await cli(['identifiers', 'import', source, '--batch-size', '10', '--json']);
    held.release();
    assert.equal(busy.code, 1, busy.stderr);
    assert.match(busy.stderr, new RegExp(`Run ${runId} is being worked on by another autopilot-devices process \\(pid ${process.pid}\\)`));
    assert.equal(emulator.requests.slice(before).filter((request) => request.path.startsWith(BETA)).length, 0, 'nothing sent while it was held');

    const own = await cli(['identifiers', 'import', source, '--batch-size', '10', '--json']);
    assert.equal(own.code, 0, own.stderr);
    assert.match(own.stderr, /finishing the interrupted import of 20 identifiers/);
    assert.ok([...store().writesPerIdentifier().values()].every((count) => count === 1));
    assert.equal(store().writesPerIdentifier().size, 20);
  });

  it('keeps no run when the import fails before anything could reach Graph (403), so nothing is resumed later', async () => {
    const reader = emulator.auth.mintToken({ permissions: ['DeviceManagementServiceConfig.Read.All'] });
    const refused = await cli(['identifiers', 'import', file('lab.identifiers.csv', LAB), '--json'], { AUTOPILOT_ACCESS_TOKEN: reader });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, /403 Forbidden/);
    assert.deepEqual(parseJsonOutput<IdentifiersDocument>(refused).identifiers, []);
    assert.deepEqual(fs.existsSync(path.join(journal, 'corporate-identifiers', 'runs')) ? fs.readdirSync(path.join(journal, 'corporate-identifiers', 'runs')) : [], []);
    assert.equal(store().writes.length, 0);
  });

  it('stops on SIGINT with exit 4 and the pending identifiers in its JSON', async () => {
    // Ctrl-C while the first chunk is committed but unanswered.
    const interrupt = interruptWhileUnanswered();
    emulator.faults.add({ path: IMPORT_PATH, action: { kind: 'after-commit', run: interrupt.hold } });
    const source = file('lab.identifiers.csv', LAB);
    const interrupted = await cli(['identifiers', 'import', source, '--batch-size', '2', '--json'], {}, interrupt.onSpawn);
    assert.equal(interrupted.code, 4, interrupted.stderr);
    assert.deepEqual(parseJsonOutput<IdentifiersDocument>(interrupted).identifiers.map((line) => line.result), Array(4).fill('pending'));
    assert.match(interrupted.stderr, /running the same 'autopilot-devices identifiers import' again finishes it/);
    const finished = await cli(['identifiers', 'import', source, '--json']);
    assert.equal(finished.code, 0, finished.stderr);
    assert.deepEqual([...store().writesPerIdentifier().values()], [1, 1, 1, 1]);
  });

  it('lists every identifier once across pages, with enrollment state and last contact (null when never)', async () => {
    await restart({ paging: { maxPageSize: 2 } });
    store().seed(LAB[0]!, Date.now(), { enrollmentState: 'enrolled', lastContactedAt: Date.parse('2026-08-21T12:00:00Z') });
    store().seed(LAB[1]!, Date.now(), { enrollmentState: 'failed', lastContactedAt: Date.parse('2026-08-19T07:15:00Z') });
    store().seed(LAB[2]!, Date.now());
    const run = await cli(['identifiers', 'list', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const lines = parseJsonOutput<IdentifiersDocument>(run).identifiers;
    assert.deepEqual(
      lines.map(({ identifier, enrollmentState, lastContactedDateTime }) => [identifier, enrollmentState, lastContactedDateTime]),
      [
        [LAB[1], 'failed', '2026-08-19T07:15:00.000Z'],
        [LAB[0], 'enrolled', '2026-08-21T12:00:00.000Z'],
        [LAB[2], 'notContacted', null],
      ],
    );
    assert.ok(emulator.requests.filter((request) => request.method === 'GET').length >= 2, 'paged');
    const human = await cli(['identifiers', 'list']);
    assert.match(human.stdout, /Microsoft Corporation,Surface Laptop 5,0F12345678901 +not contacted +never contacted/);
  });

  it('deletes with --yes, one call per identifier, and says which were not there', async () => {
    for (const identifier of LAB.slice(0, 2)) store().seed(identifier, Date.now());
    const run = await cli(['identifiers', 'delete', LAB[0]!, LAB[1]!, LAB[3]!, '--yes', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(parseJsonOutput<IdentifiersDocument>(run).identifiers.map((line) => [line.identifier, line.result]), [
      [LAB[0], 'deleted'],
      [LAB[1], 'deleted'],
      [LAB[3], 'not-found'],
    ]);
    assert.equal(store().records.size, 0);
    assert.equal(emulator.requests.filter((request) => request.method === 'DELETE').length, 2);
  });

  it('refuses to delete without --yes when there is no terminal to ask on: exit 2, nothing sent', async () => {
    store().seed(LAB[0]!, Date.now());
    const run = await cli(['identifiers', 'delete', LAB[0]!, '--json']);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /pass --yes/);
    assert.equal(emulator.requests.length, 0);
    assert.equal(store().records.size, 1);
  });

  it('usage errors exit 2: an unknown action, a flag of another action, list with arguments', async () => {
    for (const args of [['identifiers', 'export'], ['identifiers', 'list', '--overwrite'], ['identifiers', 'list', 'x.csv'], ['identifiers', 'import'], ['identifiers']]) {
      const run = await runCli(args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    }
  });
});
