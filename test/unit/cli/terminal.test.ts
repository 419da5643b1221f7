import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Journal } from '../../../src/import/journal';
import { DEFAULT_ENGINE_SETTINGS } from '../../../src/import/settings';
import { DEFAULT_TENANT_ID } from '../../emulator/auth';
import { fakeDevices, type FakeDevice } from '../../emulator/hashes';
import { startGraphEmulator, type GraphEmulator, type GraphEmulatorOptions } from '../../emulator/server';
import { interruptWhileUnanswered, parseJsonOutput, runCli, type CliRun, type CliRunOptions } from '../../support/cliRunner';
import { recordsPerSerial } from '../../support/engineHarness';
import { eventually } from '../../support/eventually';
import { startStrangerServer } from '../../support/strangerServer';

interface RunsDocument {
  runs: {
    id: string;
    startedAt: string;
    source: string;
    devices: { serialNumber: string; id: string | null; status: string; errorCode: number; errorName: string | null; registered: boolean }[];
    counts: { complete: number; error: number; partial: number; pending: number };
  }[];
  error?: string;
}

const IMPORT_PATH = '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import';
const FAST = { processingDelayMs: 150, processingJitterMs: 0, registrationDelayMs: 150, syncDurationMs: 100, syncMinIntervalMs: 60_000 };

describe('autopilot-devices against the emulator (bundled CLI, child process)', function () {
  this.timeout(60_000);
  let emulator: GraphEmulator;
  let dir: string;
  let journal: string;

  async function restart(options: GraphEmulatorOptions): Promise<void> {
    await emulator.close();
    emulator = await startGraphEmulator({ timing: FAST, ...options });
  }

  function payload(devices: readonly FakeDevice[], name = 'devices.autopilot.json'): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(devices));
    return file;
  }

  function env(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
    // Unconfirmed writes are settled for 0.3 s here instead of 60 s (nothing here commits a write later than that).
    return { AUTOPILOT_GRAPH_ROOT: emulator.url, AUTOPILOT_ACCESS_TOKEN: emulator.staticToken, AUTOPILOT_POLL_INTERVAL_SECONDS: '0.05', AUTOPILOT_SETTLE_SECONDS: '0.3', ...extra };
  }

  function cli(args: string[], extraEnv: Record<string, string | undefined> = {}, onSpawn?: CliRunOptions['onSpawn']): Promise<CliRun> {
    return runCli([...args, '--journal', journal], { env: env(extraEnv), onSpawn, cwd: dir });
  }

  beforeEach(async () => {
    emulator = await startGraphEmulator({ timing: FAST });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-cli-'));
    journal = path.join(dir, 'journal');
  });

  afterEach(async () => {
    await emulator.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('imports without --wait: exit 0 once Graph accepted the devices, exactly one JSON document on stdout', async () => {
    const devices = fakeDevices(3);
    const run = await cli(['import', payload(devices), '--json']);
    assert.equal(run.code, 0, run.stderr);
    const document = parseJsonOutput<RunsDocument>(run);
    assert.equal(document.runs.length, 1);
    const [result] = document.runs;
    assert.deepEqual(Object.keys(result!), ['id', 'startedAt', 'source', 'devices', 'counts']);
    assert.ok(result!.source.endsWith('devices.autopilot.json'));
    assert.deepEqual(result!.devices.map((d) => Object.keys(d)), Array(3).fill(['serialNumber', 'id', 'status', 'errorCode', 'errorName', 'registered']));
    assert.ok(result!.devices.every((d) => d.status === 'unknown' && typeof d.errorCode === 'number' && /^[0-9a-f-]{36}$/.test(d.id ?? '')));
    assert.deepEqual(result!.counts, { complete: 0, error: 0, partial: 0, pending: 3 });
  });

  it('imports with --wait: watches to the end, explains errors, reports registration, and exits 3 when some failed', async () => {
    const devices = fakeDevices(4);
    emulator.state.seedRegistered(DEFAULT_TENANT_ID, { serialNumber: 'OLD', hardwareIdentifier: devices[3]!.hardwareIdentifier });
    const run = await cli(['import', '--wait', payload(devices), '--json']);
    assert.equal(run.code, 3, run.stderr);
    const [result] = parseJsonOutput<RunsDocument>(run).runs;
    assert.deepEqual(result!.counts, { complete: 3, error: 1, partial: 0, pending: 0 });
    assert.deepEqual(result!.devices[3], { serialNumber: devices[3]!.serialNumber, id: result!.devices[3]!.id, status: 'error', errorCode: 806, errorName: 'ZtdDeviceAlreadyAssigned', registered: false });
    assert.ok(result!.devices.slice(0, 3).every((d) => d.status === 'complete' && d.registered));
    assert.ok(emulator.requests.some((r) => r.path === '/beta/deviceManagement/windowsAutopilotSettings/sync'), 'synced after completion');

    const human = await cli(['status']);
    assert.equal(human.code, 0);
    assert.match(human.stdout, /complete 3, error 1, partial 0, pending 0, registered 3/);
    assert.match(human.stdout, /ZtdDeviceAlreadyAssigned — Already registered in this tenant \(806\)\. Look the serial number up/);
  });

  it('skips the sync with --no-sync and applies --group-tag to every device', async () => {
    const devices = fakeDevices(2).map((d) => ({ ...d, groupTag: 'FromFile' }));
    const run = await cli(['import', '--group-tag', 'Kiosk', payload(devices), '--wait', '--no-sync']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!emulator.requests.some((r) => r.path.endsWith('/sync')));
    const sent = (emulator.requests.find((r) => r.path === IMPORT_PATH)!.body as { importedWindowsAutopilotDeviceIdentities: { groupTag: string }[] }).importedWindowsAutopilotDeviceIdentities;
    assert.deepEqual(sent.map((d) => d.groupTag), ['Kiosk', 'Kiosk']);
  });

  it('exits 1 and sends nothing when the payload has errors', async () => {
    const file = path.join(dir, 'broken.autopilot.json');
    fs.writeFileSync(file, JSON.stringify([{ serialNumber: 'NOHASH' }]));
    const run = await cli(['import', file, '--json']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /broken\.autopilot\.json:1:2: error missing-property/);
    assert.match(parseJsonOutput<RunsDocument>(run).error ?? '', /Nothing was sent/);
    assert.equal(emulator.requests.length, 0);
  });

  it('names AUTOPILOT_ACCESS_TOKEN in one sentence when the token is refused, after one retry, and leaves nothing to resume', async () => {
    const expired = emulator.auth.mintToken();
    emulator.auth.expire(expired);
    const file = payload(fakeDevices(3));
    const run = await cli(['import', file], { AUTOPILOT_ACCESS_TOKEN: expired });
    assert.equal(run.code, 1);
    const lines = run.stderr.trim().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /^autopilot-devices: Graph rejected the access token \(401 InvalidAuthenticationToken: .+\): set AUTOPILOT_ACCESS_TOKEN to a valid token for http:\/\/127\.0\.0\.1:\d+/);
    assert.equal(emulator.requests.length, 2, 'one request, one retry with a refreshed token, then stop');

    // Issue 11, item 8: the user fixes the token and imports the file again; a later resume must not send it a third time.
    const imported = await cli(['import', file, '--json']);
    assert.equal(imported.code, 0, imported.stderr);
    const resumed = await cli(['resume', '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const [importedRun] = parseJsonOutput<RunsDocument>(imported).runs;
    assert.deepEqual(parseJsonOutput<RunsDocument>(resumed).runs.map((r) => r.id), [importedRun!.id], 'the refused import left no run behind');
    assert.equal(emulator.requests.filter((r) => r.path === IMPORT_PATH && r.status === 200).length, 1);
    assert.deepEqual([...recordsPerSerial(emulator).values()], [1, 1, 1]);
  });

  it('refuses a token that does not say which tenant it is for, before sending anything', async () => {
    const run = await cli(['import', payload(fakeDevices(1)), '--json'], { AUTOPILOT_ACCESS_TOKEN: 'not-a-token' });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^autopilot-devices: AUTOPILOT_ACCESS_TOKEN does not say which tenant it is for \(no tid claim\)/);
    assert.equal(emulator.requests.length, 0);
    assert.equal(fs.existsSync(path.join(journal, 'runs')), false, 'no run was journaled');
  });

  it('says which credentials to set when there are none', async () => {
    const run = await cli(['import', payload(fakeDevices(1))], { AUTOPILOT_ACCESS_TOKEN: undefined });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /No credentials: set AUTOPILOT_ACCESS_TOKEN; or AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE; or pass --managed-identity; or set AUTOPILOT_CLIENT_ID/);
    assert.equal(emulator.requests.length, 0);
  });

  it('names the missing permission in one sentence on a 403, and keeps no run that sent nothing', async () => {
    const reader = emulator.auth.mintToken({ permissions: ['DeviceManagementServiceConfig.Read.All'] });
    const run = await cli(['import', payload(fakeDevices(2)), '--json'], { AUTOPILOT_ACCESS_TOKEN: reader });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^autopilot-devices: Graph refused access \(403 Forbidden\): the account or app lacks the Microsoft Graph permission DeviceManagementServiceConfig\.ReadWrite\.All; grant it \(with admin consent\) and try again \(request-id [0-9a-f-]{36}, .+\)\.\n$/);
    const document = parseJsonOutput<RunsDocument>(run);
    assert.deepEqual(document.runs, []);
    assert.match(document.error ?? '', /403 Forbidden/);
    assert.deepEqual(parseJsonOutput(await cli(['status', '--json'])), { runs: [] });
  });

  it('keeps a run in its tenant: resume and status refuse it with another tenant’s token, naming both, and send nothing (issue 11, item 3)', async () => {
    await restart({ timing: { ...FAST, processingDelayMs: 60_000 } });
    const imported = await cli(['import', payload(fakeDevices(2)), '--json']);
    assert.equal(imported.code, 0, imported.stderr);
    const [run] = parseJsonOutput<RunsDocument>(imported).runs;
    const otherTenant = '22222222-2222-4222-8222-222222222222';
    const other = emulator.auth.mintToken({ tenantId: otherTenant });

    for (const command of [['resume', '--wait', '--json'], ['status', '--json']]) {
      const refused = await cli(command, { AUTOPILOT_ACCESS_TOKEN: other });
      assert.equal(refused.code, 1, `${command[0]}: ${refused.stderr}`);
      const lines = refused.stderr.trim().split('\n');
      assert.equal(lines.length, 1, refused.stderr);
      assert.equal(lines[0], `autopilot-devices: Run ${run!.id} belongs to tenant ${DEFAULT_TENANT_ID}, but the credentials are for tenant ${otherTenant}; nothing was sent: use credentials for tenant ${DEFAULT_TENANT_ID} to work on it.`);
      assert.deepEqual(parseJsonOutput(refused), { runs: [] });
    }
    assert.deepEqual(emulator.requests.filter((r) => r.tenantId === otherTenant), [], 'not one request went to the other tenant');
    const own = await cli(['status', '--json']);
    assert.equal(own.code, 0, own.stderr);
    assert.equal(parseJsonOutput<RunsDocument>(own).runs[0]!.id, run!.id);
  });

  it('names the host and what to check when Graph is unreachable', async () => {
    const run = await cli(['import', payload(fakeDevices(1))], { AUTOPILOT_GRAPH_ROOT: 'http://127.0.0.1:9' });
    assert.equal(run.code, 1);
    assert.equal(run.stderr, 'autopilot-devices: Cannot reach Graph at http://127.0.0.1:9 (ECONNREFUSED): check the Graph root (--graph-root / AUTOPILOT_GRAPH_ROOT), the network and any proxy.\n');
  });

  it('refuses a plain-http Graph root that is not loopback, before sending anything', async () => {
    const run = await cli(['status', '--graph-root', 'http://graph.example.com']);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /Refusing plain-http Graph root http:\/\/graph\.example\.com/);
  });

  it('ends non-zero naming the other origin when a nextLink leaves the Graph root, and sends nothing there', async () => {
    const sink = await startStrangerServer();
    const sinkOrigin = sink.origin;
    try {
      await restart({ paging: { defaultPageSize: 10, maxPageSize: 10 } });
      emulator.nextLinkOrigin = sinkOrigin;
      const run = await cli(['import', payload(fakeDevices(30)), '--wait', '--json']);
      assert.notEqual(run.code, 0);
      assert.ok(run.stderr.includes(sinkOrigin), run.stderr);
      assert.match(run.stderr, /refusing to follow it, so no request or token went there/);
      assert.deepEqual(sink.requests, []);
      assert.ok(parseJsonOutput<RunsDocument>(run).error?.includes(sinkOrigin));
    } finally {
      sink.close();
    }
  });

  it('ends naming the target when Graph redirects, sends nothing there, and leaves no run behind to send twice', async () => {
    const sink = await startStrangerServer();
    const sinkOrigin = sink.origin;
    try {
      emulator.faults.add({ path: IMPORT_PATH, action: { kind: 'redirect', status: 302, location: `${sinkOrigin}/login` } });
      const devices = fakeDevices(3);
      const run = await cli(['import', payload(devices), '--json']);
      assert.notEqual(run.code, 0);
      assert.ok(run.stderr.includes(`Graph answered 302 redirecting to ${sinkOrigin}/login; redirects are not followed, so no request or token went there.`), run.stderr);
      assert.deepEqual(sink.requests, []);

      const resumed = await cli(['resume', '--json']);
      assert.equal(resumed.code, 0, resumed.stderr);
      assert.deepEqual(parseJsonOutput(resumed), { runs: [] }, 'nothing reached Graph, so nothing is left to resume');
      const again = await cli(['import', payload(devices), '--json']);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual([...recordsPerSerial(emulator).values()], [1, 1, 1]);
      assert.deepEqual(sink.requests, []);
    } finally {
      sink.close();
    }
  });

  it('survives SIGKILL of its process group mid-run: resume finishes with every device exactly once', async () => {
    const devices = fakeDevices(1200);
    let killed = false;
    let childPid = 0;
    emulator.faults.add({
      path: IMPORT_PATH,
      skip: 1,
      action: {
        kind: 'after-commit',
        run: () => {
          // Graph has committed a second chunk; the client dies before hearing about it.
          process.kill(-childPid, 'SIGKILL');
          killed = true;
        },
      },
    });
    const crashed = await cli(['import', payload(devices), '--wait', '--json'], {}, (child) => (childPid = child.pid!));
    assert.ok(killed);
    assert.equal(crashed.signal, 'SIGKILL');
    assert.equal(crashed.stdout, '');

    const resumed = await cli(['resume', '--wait', '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    const document = parseJsonOutput<RunsDocument>(resumed);
    assert.equal(document.runs.length, 1);
    assert.deepEqual(document.runs[0]!.counts, { complete: 1200, error: 0, partial: 0, pending: 0 });
    // Chunks go out together, so they may reach Graph in any order; each reaches it once: a committed one is reconciled.
    assert.deepEqual(
      emulator.requests
        .filter((r) => r.path === IMPORT_PATH)
        .map((r) => (r.body as { importedWindowsAutopilotDeviceIdentities: unknown[] }).importedWindowsAutopilotDeviceIdentities.length)
        .sort((a, b) => a - b),
      [200, 500, 500],
      'the chunk committed before the crash was reconciled, not re-sent',
    );
    const counts = recordsPerSerial(emulator);
    assert.equal(counts.size, 1200);
    assert.ok([...counts.values()].every((n) => n === 1));

    const nothingLeft = await cli(['resume', '--json']);
    assert.equal(nothingLeft.code, 0);
    assert.deepEqual(parseJsonOutput(nothingLeft), { runs: [] });
  });

  it('stops on SIGINT with exit 4 and its JSON, and resume picks the run up', async () => {
    // Chunks of 10 go out DEFAULT_ENGINE_SETTINGS.chunksInFlight at a time; two more wait their turn. Ctrl-C once the
    // chunks on their way are committed but unanswered; the answers come only after the client gave up on them.
    const inFlight = DEFAULT_ENGINE_SETTINGS.chunksInFlight;
    const devices = fakeDevices(10 * (inFlight + 2));
    const interrupt = interruptWhileUnanswered(inFlight);
    emulator.faults.add({ path: IMPORT_PATH, times: inFlight, action: { kind: 'after-commit', run: interrupt.hold } });
    const interrupted = await cli(['import', payload(devices), '--batch-size', '10', '--wait', '--json'], {}, interrupt.onSpawn);
    assert.equal(interrupted.code, 4, interrupted.stderr);
    const [run] = parseJsonOutput<RunsDocument>(interrupted).runs;
    assert.ok(run!.devices.every((d) => d.id === null && d.status === 'pending'), 'the chunks on their way are unconfirmed and the rest was never sent');
    assert.match(interrupted.stderr, /SIGINT: stopping; the run is saved and 'autopilot-devices resume' continues it/);
    assert.equal(emulator.requests.filter((r) => r.path === IMPORT_PATH).length, inFlight);

    const resumed = await cli(['resume', '--wait', '--json']);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.equal(parseJsonOutput<RunsDocument>(resumed).runs[0]!.counts.complete, devices.length);
    const resent = emulator.requests
      .filter((r) => r.path === IMPORT_PATH)
      .slice(inFlight)
      .flatMap((r) => (r.body as { importedWindowsAutopilotDeviceIdentities: { serialNumber: string }[] }).importedWindowsAutopilotDeviceIdentities.map((d) => d.serialNumber));
    assert.deepEqual(resent.sort(), devices.slice(10 * inFlight).map((d) => d.serialNumber).sort(), 'the unconfirmed chunks were found by reconciling; only the devices never sent went out');
    assert.ok([...recordsPerSerial(emulator).values()].every((n) => n === 1));
  });

  it('exits 4 when --timeout passes with devices still processing', async () => {
    await restart({ timing: { ...FAST, processingDelayMs: 10 * 60_000 } });
    const run = await cli(['import', payload(fakeDevices(2)), '--wait', '--timeout', '0.3', '--json']);
    assert.equal(run.code, 4, run.stderr);
    assert.equal(parseJsonOutput<RunsDocument>(run).runs[0]!.counts.pending, 2);
  });

  it('honours a fractional --poll-interval and AUTOPILOT_POLL_INTERVAL_SECONDS, and rejects a bad one', async () => {
    // Processing outlasts several polls even when a busy machine delays some of them.
    await restart({ timing: { ...FAST, processingDelayMs: 2000 } });
    const slow = await cli(['import', payload(fakeDevices(1)), '--wait', '--no-sync', '--poll-interval', '0.25']);
    assert.equal(slow.code, 0, slow.stderr);
    const polls = emulator.requests.filter((r) => r.method === 'GET' && r.path.includes('importedWindowsAutopilotDeviceIdentities/'));
    const gaps = polls.slice(1).map((r, i) => r.at - polls[i]!.at);
    // Never sooner than asked; and a quarter second, not rounded up to a whole one (a busy machine may stretch some gaps).
    assert.ok(polls.length >= 2 && gaps.every((gap) => gap >= 240) && Math.min(...gaps) < 1000, `poll gaps ${gaps.join(', ')}`);

    const bad = await cli(['import', payload(fakeDevices(1, 'BAD')), '--wait'], { AUTOPILOT_POLL_INTERVAL_SECONDS: 'soon' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /AUTOPILOT_POLL_INTERVAL_SECONDS must be a positive number of seconds/);
  });

  it('logs to stderr with --verbose, never a hash or token, and keeps stdout for the JSON', async () => {
    const devices = fakeDevices(2);
    const run = await cli(['import', payload(devices), '--verbose', '--json']);
    assert.equal(run.code, 0);
    assert.match(run.stderr, /\[debug\] POST \/v1\.0\/deviceManagement\/importedWindowsAutopilotDeviceIdentities\/import → 200/);
    assert.match(run.stderr, /client-request-id [0-9a-f-]{36}, request-id [0-9a-f-]{36}/);
    for (const device of devices) assert.ok(!run.stderr.includes(device.hardwareIdentifier.slice(0, 24)));
    assert.ok(!run.stderr.includes(emulator.staticToken));
    parseJsonOutput(run);
    const quiet = await cli(['status', '--json'], { AUTOPILOT_LOG: 'error' });
    assert.equal(quiet.stderr, '');
  });

  it('shows runs with status, even without credentials, and refreshes them when it can', async () => {
    await restart({ timing: { ...FAST, processingDelayMs: 300 } });
    const imported = await cli(['import', payload(fakeDevices(2))]);
    assert.equal(imported.code, 0);
    assert.match(imported.stdout, /Accepted; Graph processes imports in a few minutes/);
    const offline = await cli(['status', '--json'], { AUTOPILOT_ACCESS_TOKEN: undefined });
    assert.equal(offline.code, 0);
    assert.match(offline.stderr, /No credentials: showing the journal/);
    assert.equal(parseJsonOutput<RunsDocument>(offline).runs[0]!.devices[0]!.status, 'unknown');
    // With credentials, status asks Graph: once Graph has processed the records, it says so.
    await eventually('status to report both devices complete', async () => {
      const online = await cli(['status', '--json']);
      assert.equal(online.code, 0, online.stderr);
      return parseJsonOutput<RunsDocument>(online).runs[0]!.counts.complete === 2;
    });
  });

  it('leaves runs of another Graph root alone on resume, and says how to resume them', async () => {
    await restart({ timing: { ...FAST, processingDelayMs: 5000 } });
    const other = emulator.url;
    await cli(['import', payload(fakeDevices(1))]);
    await restart({});
    const run = await cli(['resume', '--json']);
    assert.equal(run.code, 0);
    assert.deepEqual(parseJsonOutput(run), { runs: [] });
    assert.ok(run.stderr.includes(`resume it with --graph-root ${other}`), run.stderr);
  });

  it('exits 1 naming the process that holds a run, sends nothing for it, and resumes it once free (issue 11, item 5)', async () => {
    await restart({ timing: { ...FAST, processingDelayMs: 60_000 } });
    const imported = await cli(['import', payload(fakeDevices(2)), '--json']);
    const [run] = parseJsonOutput<RunsDocument>(imported).runs;
    const held = new Journal(journal).lock(run!.id);
    let busy;
    try {
      const requests = emulator.requests.length;
      busy = await cli(['resume', '--json']);
      assert.equal(emulator.requests.length, requests, 'nothing was sent for a run another process holds');
    } finally {
      held.release();
    }
    assert.equal(busy.code, 1, busy.stderr);
    assert.equal(busy.stderr, `autopilot-devices: Run ${run!.id} is being worked on by another autopilot-devices process (pid ${process.pid}); wait for it to finish.\n`);
    assert.deepEqual(parseJsonOutput(busy), { runs: [] });
    const free = await cli(['resume', '--json']);
    assert.equal(free.code, 0, free.stderr);
    assert.equal(parseJsonOutput<RunsDocument>(free).runs[0]!.id, run!.id);
  });

  it('triggers a sync, and reports 409 as already running', async () => {
    // The sync outlasts the start of a second process however busy the machine is.
    await restart({ timing: { ...FAST, syncDurationMs: 10 * 60_000, syncMinIntervalMs: 10 * 60_000 } });
    const first = await runCli(['sync'], { env: env() });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, 'Autopilot sync started.\n');
    const second = await runCli(['sync', '--json'], { env: env() });
    assert.equal(second.code, 0);
    assert.deepEqual(parseJsonOutput(second), { sync: 'already-running' });
  });

  it('puts its journal in the per-user state folder by default', async () => {
    const state = path.join(dir, 'state');
    const run = await runCli(['import', payload(fakeDevices(1))], { env: { ...env(), XDG_STATE_HOME: state }, cwd: dir });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(fs.readdirSync(path.join(state, 'autopilot-devices', 'runs')).length, 1);
    const manifest = fs.readdirSync(path.join(state, 'autopilot-devices', 'runs'))[0]!;
    const mode = fs.statSync(path.join(state, 'autopilot-devices', 'runs', manifest, 'manifest.json')).mode & 0o777;
    assert.equal(mode, 0o600, 'the journal holds hashes: readable by the user only');
  });
});
