/**
 * Crash test: the bundled terminal command importing 2,000 devices is killed with SIGKILL (its whole process group,
 * as a closed terminal, an OOM kill or a CI timeout would) at many points of the run — before a chunk reaches Graph,
 * after Graph committed it but before the answer was journaled, right after the answer left Graph, while polling,
 * during the sync, while waiting for registration, at seeded random instants, and again while `resume` itself is
 * reconciling or sending. After each crash `autopilot-devices resume --wait` must finish the run, and the emulator's
 * own records must show the same exactly-once result every time.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_TENANT_ID } from '../emulator/auth';
import { seededRandom, type FaultedRequest, type FaultRule } from '../emulator/faults';
import { fakeDevices } from '../emulator/hashes';
import { startGraphEmulator, type GraphEmulator } from '../emulator/server';
import { Journal } from '../../src/import/journal';
import { parseJsonOutput, runCli, type CliRun } from '../support/cliRunner';
import { auditRun, summarize, type ExpectedDevice, type ReportedDevice } from './audit';

const DEVICES = 2000;
const BATCH_SIZE = 100; // 20 chunks, so there are many "between" moments to die in
const SEED = 20_261_128;
const IMPORT_PATH = '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import';
const IMPORTED = '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities';
const REGISTERED = '/v1.0/deviceManagement/windowsAutopilotDeviceIdentities';
const SYNC = '/windowsAutopilotSettings/sync';
const TIMING = { processingDelayMs: 300, processingJitterMs: 200, registrationDelayMs: 300, syncDurationMs: 100, syncMinIntervalMs: 600_000 };

/** Where a process dies: a fault that kills it when Graph sees a given request, or an instant after it started. */
type KillPoint =
  | { readonly name: string; readonly when: 'request'; readonly rule: Omit<FaultRule, 'action'>; readonly moment: 'before-commit' | 'after-commit' | 'after-answer' }
  /** At a seeded fraction of an uninterrupted run's duration, or of its request count (any request, any phase). */
  | { readonly name: string; readonly when: 'time' | 'nth-request'; readonly fraction: number };

/** One crash scenario: the import and possibly its resumes, each killed at a point, then a resume that finishes. */
interface Scenario {
  readonly name: string;
  readonly kills: readonly KillPoint[];
}

const nthImport = (n: number): Omit<FaultRule, 'action'> => ({ method: 'POST', path: IMPORT_PATH, skip: n - 1 });
const random = seededRandom(SEED);
const somewhere = () => 0.05 + 0.75 * random();

const SCENARIOS: readonly Scenario[] = [
  { name: 'as the first chunk leaves, before Graph has it', kills: [{ name: 'chunk 1 before commit', when: 'request', rule: nthImport(1), moment: 'before-commit' }] },
  { name: 'after Graph committed the first chunk, before its answer was journaled', kills: [{ name: 'chunk 1 after commit', when: 'request', rule: nthImport(1), moment: 'after-commit' }] },
  { name: 'mid-file, before Graph has chunk 7', kills: [{ name: 'chunk 7 before commit', when: 'request', rule: nthImport(7), moment: 'before-commit' }] },
  { name: 'mid-file, after Graph committed chunk 13 and before the journal heard', kills: [{ name: 'chunk 13 after commit', when: 'request', rule: nthImport(13), moment: 'after-commit' }] },
  { name: 'just after Graph answered chunk 5', kills: [{ name: 'chunk 5 answered', when: 'request', rule: nthImport(5), moment: 'after-answer' }] },
  { name: 'after Graph committed the last chunk', kills: [{ name: 'chunk 20 after commit', when: 'request', rule: nthImport(20), moment: 'after-commit' }] },
  // (The first GET of the list is the look for earlier import records, before the first chunk.)
  { name: 'while polling the import states', kills: [{ name: 'first poll', when: 'request', rule: { method: 'GET', path: IMPORTED, skip: 1 }, moment: 'after-commit' }] },
  { name: 'while asking Intune to sync', kills: [{ name: 'sync', when: 'request', rule: { method: 'POST', path: SYNC }, moment: 'after-commit' }] },
  { name: 'while waiting for registration', kills: [{ name: 'registration check', when: 'request', rule: { method: 'GET', path: REGISTERED }, moment: 'after-commit' }] },
  ...[1, 2, 3].map((n): Scenario => {
    const fraction = somewhere();
    return { name: `at random instant ${n} (${(fraction * 100).toFixed(0)}% into the run)`, kills: [{ name: `instant ${n}`, when: 'time', fraction }] };
  }),
  ...[1, 2].map((n): Scenario => {
    const fraction = somewhere();
    return { name: `at random request ${n} (${(fraction * 100).toFixed(0)}% of the requests)`, kills: [{ name: `request ${n}`, when: 'nth-request', fraction }] };
  }),
  {
    name: 'three times in a row: the import, then the resume while it reconciles, then the resume while it sends',
    kills: [
      { name: 'chunk 3 after commit', when: 'request', rule: nthImport(3), moment: 'after-commit' },
      { name: 'resume reconciling', when: 'request', rule: { method: 'GET', path: IMPORTED }, moment: 'after-commit' },
      { name: 'resume sending', when: 'request', rule: nthImport(1), moment: 'before-commit' },
    ],
  },
];

interface RunsDocument {
  readonly runs: readonly { readonly id: string; readonly devices: readonly ReportedDevice[]; readonly counts: Record<string, number> }[];
}

/** What a run ends with, without record ids (each scenario has its own emulator): the result every crash must reach. */
const outcome = (devices: readonly ReportedDevice[]) => devices.map((d) => `${d.serialNumber} ${d.status} ${d.errorCode} ${d.errorName ?? ''} ${d.registered}`);

describe('crash test: the terminal command killed with SIGKILL mid-import, then resumed', function () {
  this.timeout(60_000);
  let emulator: GraphEmulator;
  let dir: string;
  let expected: ExpectedDevice[];
  /** The uninterrupted run: how long it takes, how many requests it makes, and what it ends with. */
  let reference: { durationMs: number; requests: number; outcome: string[] };

  async function setUp(): Promise<void> {
    emulator = await startGraphEmulator({ timing: TIMING, random: seededRandom(SEED + 1) });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-crash-'));
    const devices = fakeDevices(DEVICES, 'CRASH');
    // A realistic file has a few devices Intune refuses: some already registered here (806), some in another tenant (808).
    for (const i of [17, 480, 1333, 1999]) emulator.state.seedRegistered(DEFAULT_TENANT_ID, { serialNumber: `OLD-${i}`, hardwareIdentifier: devices[i]!.hardwareIdentifier });
    for (const i of [250, 1024]) emulator.state.seedForeign(devices[i]!.hardwareIdentifier);
    expected = devices.map((device) => ({ serialNumber: device.serialNumber }));
    fs.writeFileSync(path.join(dir, 'devices.autopilot.json'), JSON.stringify(devices));
  }

  async function tearDown(): Promise<void> {
    await emulator.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  function cli(args: readonly string[], kill?: KillPoint, extraEnv: Record<string, string> = {}): Promise<CliRun & { killed: boolean; struck?: FaultedRequest }> {
    let pid = 0;
    let killed = false;
    /** The request whose fault killed the process. */
    let struck: FaultedRequest | undefined;
    let timer: NodeJS.Timeout | undefined;
    let instantCame!: () => void;
    const instant = new Promise<void>((resolve) => (instantCame = resolve));
    const die = () => {
      if (killed || !pid) return;
      killed = true;
      process.kill(-pid, 'SIGKILL');
    };
    const dieAt = (request: FaultedRequest) => {
      if (!killed) struck = request;
      die();
    };
    if (kill?.when === 'request') {
      if (kill.moment === 'before-commit') {
        // The request left the client, which dies; Graph never gets to commit it (the connection is gone).
        emulator.faults.add({ ...kill.rule, action: { kind: 'before-commit', run: dieAt } });
        emulator.faults.add({ ...kill.rule, action: { kind: 'reset-before-commit' } });
      } else if (kill.moment === 'after-commit') {
        emulator.faults.add({ ...kill.rule, action: { kind: 'after-commit', run: dieAt } });
      } else {
        // Graph's answer is on its way (written right after this hook); the client dies as it arrives.
        emulator.faults.add({ ...kill.rule, action: { kind: 'after-commit', run: (request) => void setImmediate(() => dieAt(request)) } });
      }
    } else if (kill?.when === 'nth-request') {
      const skip = Math.floor(kill.fraction * reference.requests);
      emulator.faults.add({ skip, action: { kind: 'after-commit', run: die } });
      // How many polls a run makes depends on how busy the machine is: a run that reaches its last phase (the
      // registration checks) before making that many requests dies there instead of finishing unkilled.
      emulator.faults.add({ method: 'GET', path: REGISTERED, times: Infinity, action: { kind: 'before-commit', run: die } });
    } else if (kill?.when === 'time') {
      // The instant is a share of the uninterrupted run's duration, and this run may be quicker (a machine less busy
      // than during the reference): its last phase (the registration checks) waits for the instant, so the process
      // is always still running when it comes.
      emulator.faults.add({ method: 'GET', path: REGISTERED, times: Infinity, action: { kind: 'before-commit', run: () => instant } });
    }
    // A resume waits out the settle time for a send a crash left unconfirmed: 0.2 s here (nothing commits later).
    const env = { AUTOPILOT_GRAPH_ROOT: emulator.url, AUTOPILOT_ACCESS_TOKEN: emulator.staticToken, AUTOPILOT_POLL_INTERVAL_SECONDS: '0.1', AUTOPILOT_SETTLE_SECONDS: '0.2', ...extraEnv };
    const run = runCli([...args, '--journal', path.join(dir, 'journal')], {
      env,
      cwd: dir,
      onSpawn: (child) => {
        pid = child.pid!;
        if (kill?.when === 'time') {
          timer = setTimeout(() => {
            die();
            instantCame();
          }, kill.fraction * reference.durationMs);
        }
      },
    });
    return run.then((result) => {
      clearTimeout(timer);
      instantCame();
      emulator.faults.clear();
      return { ...result, killed, struck };
    });
  }

  /** Runs the journal holds (none when the process died before it journaled the run). */
  function journaledRuns(): string[] {
    const runs = path.join(dir, 'journal', 'runs');
    return fs.existsSync(runs) ? fs.readdirSync(runs) : [];
  }

  /** The (only) run's event file. */
  function eventsFile(): string {
    const runs = path.join(dir, 'journal', 'runs');
    const [runId] = fs.readdirSync(runs);
    return path.join(runs, runId!, 'events.jsonl');
  }

  /**
   * How the (only) run's journal, as a restart reads it, holds the chunk `request` carried: `open` when it is journaled
   * as sent and nothing about its answer is (chunks go out together, so other chunks' entries may come after it).
   */
  function journaledChunk(request: FaultedRequest | undefined): 'open' | 'answered' | 'not journaled' {
    const [runId] = journaledRuns();
    const { manifest, entries } = new Journal(path.join(dir, 'journal')).read(runId!);
    const serials = (request?.body as { importedWindowsAutopilotDeviceIdentities?: { serialNumber: string }[] } | undefined)?.importedWindowsAutopilotDeviceIdentities?.map((d) => d.serialNumber).join();
    const send = entries.find((e) => e.t === 'send' && e.devices.map((i) => manifest.devices[i]!.serialNumber).join() === serials);
    if (!send || send.t !== 'send') return 'not journaled';
    return entries.some((e) => (e.t === 'accepted' || e.t === 'rejected' || e.t === 'uncertain') && e.send === send.send) ? 'answered' : 'open';
  }

  /** Kills the import just after Graph committed chunk `n` (before its answer was journaled). */
  async function crashAfterChunk(n: number): Promise<void> {
    const crashed = await cli(importArgs(), { name: `chunk ${n} after commit`, when: 'request', rule: nthImport(n), moment: 'after-commit' });
    assert.ok(crashed.killed && crashed.signal === 'SIGKILL', crashed.stderr.slice(-2000));
    assert.equal(journaledChunk(crashed.struck), 'open');
  }

  /** The finished run, audited against the emulator's records and compared with the uninterrupted run. */
  function assertFinished(run: CliRun): void {
    assert.equal(run.code, 3, `the run ends like the uninterrupted import, some devices refused (exit 3):\n${run.stderr.slice(-2000)}`);
    const { runs } = parseJsonOutput<RunsDocument>(run);
    assert.equal(runs.length, 1, 'the one interrupted run was resumed');
    const problems = auditRun(emulator, DEFAULT_TENANT_ID, expected, runs[0]!.devices);
    assert.deepEqual(problems, [], summarize(problems));
    assert.deepEqual(outcome(runs[0]!.devices), reference.outcome, 'the same result as the uninterrupted run');
  }

  const importArgs = () => ['import', path.join(dir, 'devices.autopilot.json'), '--batch-size', String(BATCH_SIZE), '--wait', '--json'];

  before(async () => {
    await setUp();
    try {
      const started = Date.now();
      const run = await cli(importArgs());
      assert.equal(run.code, 3, `an uninterrupted import with some refused devices exits 3:\n${run.stderr.slice(-2000)}`);
      const [result] = parseJsonOutput<RunsDocument>(run).runs;
      const problems = auditRun(emulator, DEFAULT_TENANT_ID, expected, result!.devices);
      assert.deepEqual(problems, [], summarize(problems));
      assert.deepEqual(result!.counts, { complete: DEVICES - 6, error: 6, partial: 0, pending: 0 });
      reference = { durationMs: Date.now() - started, requests: emulator.requests.length, outcome: outcome(result!.devices) };
    } finally {
      await tearDown();
    }
  });

  beforeEach(setUp);
  afterEach(tearDown);

  for (const scenario of SCENARIOS) {
    it(`dies ${scenario.name}; resume (or, if it died before journaling anything, a new import) finishes with every device exactly once`, async () => {
      for (const [index, kill] of scenario.kills.entries()) {
        const crashed = await cli(index === 0 ? importArgs() : ['resume', '--wait', '--json'], kill);
        assert.ok(crashed.killed && crashed.signal === 'SIGKILL', `${kill.name}: the process was not killed there (exit ${crashed.code}):\n${crashed.stderr.slice(-2000)}`);
        assert.equal(crashed.stdout, '', 'a killed process printed nothing');
        if (kill.when === 'request' && kill.rule.path === IMPORT_PATH && kill.moment !== 'after-answer') {
          assert.equal(journaledChunk(crashed.struck), 'open', `${kill.name}: the process died between journaling the send and journaling its answer`);
        }
      }

      // Killed while still starting (reading and validating the file): nothing was journaled, so nothing may have been
      // sent, and there is nothing to resume; the user runs the import again.
      const neverStarted = journaledRuns().length === 0;
      if (neverStarted) {
        assert.equal(emulator.requests.length, 0, 'a run that was never journaled sent nothing');
        const nothing = await cli(['resume', '--wait', '--json']);
        assert.deepEqual(parseJsonOutput(nothing), { runs: [] });
      }
      assertFinished(await cli(neverStarted ? importArgs() : ['resume', '--wait', '--json']));

      const again = await cli(['resume', '--wait', '--json']);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(parseJsonOutput(again), { runs: [] }, 'nothing is left to resume');
    });
  }
  it('dies while journaling an answer (a torn last line), then two resumes start at the same instant: one finishes it, nothing is sent twice', async () => {
    await crashAfterChunk(5);
    // Killed in the middle of writing Graph's answer to chunk 5: the journal ends with half an entry.
    fs.appendFileSync(eventsFile(), '{"t":"accepted","at":"2026-01-01T00:00:00.000Z","send":5,"records":[{"device":400,"id":"');
    const [a, b] = await Promise.all([cli(['resume', '--wait', '--json']), cli(['resume', '--wait', '--json'])]);
    const [winner, other] = a.code === 3 ? [a, b] : [b, a];
    assertFinished(winner);
    // The other one either found the run locked (and said by whom), or found it already finished.
    if (other.code === 1) {
      assert.match(other.stderr, /^autopilot-devices: Run \S+ is being worked on by another autopilot-devices process \(pid \d+\); wait for it to finish\.\n$/);
    } else if (other.code === 0) {
      assert.deepEqual(parseJsonOutput(other), { runs: [] });
    } else {
      assertFinished(other);
    }
    const again = await cli(['resume', '--wait', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(parseJsonOutput(again), { runs: [] }, 'the journal is whole and nothing is left to resume');
  });

  it('dies, then a resume with another tenant’s token is refused (exit 1, nothing sent to that tenant), and one with the right token finishes', async () => {
    await crashAfterChunk(8);
    const otherTenant = '33333333-3333-4333-8333-333333333333';
    const before = emulator.requests.length;
    const refused = await cli(['resume', '--wait', '--json'], undefined, { AUTOPILOT_ACCESS_TOKEN: emulator.auth.mintToken({ tenantId: otherTenant }) });
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(refused.stderr, new RegExp(`^autopilot-devices: Run \\S+ belongs to tenant ${DEFAULT_TENANT_ID}, but the credentials are for tenant ${otherTenant}; nothing was sent`));
    assert.equal(refused.stderr.trim().split('\n').length, 1, 'one sentence');
    assert.equal(emulator.requests.length, before, 'not one request was made with the other tenant’s token');
    assert.equal(emulator.state.tenant(otherTenant).created.length, 0);
    assertFinished(await cli(['resume', '--wait', '--json']));
  });
});
