/**
 * The extension's import service and poll scheduler in plain Node, against the sandbox tenant over real HTTP(S):
 * real MSAL sign-in at the identity emulator, the real Graph client and engine against the Graph emulator. What the
 * tree shows comes from the model these feed.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { graphForbiddenMessage } from '../../../../src/auth/authErrors';
import type { AuthService } from '../../../../src/auth/authService';
import { ImportService } from '../../../../src/import/vscode/importService';
import { DEFAULT_ENGINE_SETTINGS } from '../../../../src/import/settings';
import type { ImportSettings } from '../../../../src/import/vscode/importSettings';
import { PollScheduler, type Visibility } from '../../../../src/import/vscode/pollScheduler';
import { ImportsModel } from '../../../../src/import/vscode/importsModel';
import { fakeDevices } from '../../../emulator/hashes';
import { ADELE, CONTOSO, FABRIKAM, confidentialApp } from '../../../emulator/identity/directory';
import { startSandboxTenant, type SandboxTenant } from '../../../emulator/sandboxTenant';
import { captureLog, eventually, serviceFor, signInWithDeviceCode, testTls, type CapturedLog } from '../../auth/fixtures';

const SETTINGS: ImportSettings = {
  apiVersion: 'v1.0',
  engine: { batchSize: 500, pollIntervalMs: 60, timeLimitMs: 60_000, settleMs: 150 },
  writesPer20Seconds: 100,
  askForGroupTag: false,
  syncAfterImport: false,
  waitForRegistration: true,
  removeCompletedRecords: false,
};

class FakeView implements Visibility {
  private readonly listeners = new Set<() => void>();
  constructor(public visible: boolean) {}
  onDidChangeVisibility(listener: () => void) {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }
  show(visible: boolean): void {
    this.visible = visible;
    for (const listener of this.listeners) listener();
  }
}

describe('import service and poll scheduler (sandbox tenant, real sign-in and HTTP)', function () {
  this.timeout(60_000);
  let sandbox: SandboxTenant;
  let auth: AuthService & { log: CapturedLog };
  let journalDirectory: string;
  const cleanups: (() => void)[] = [];

  function window(settings: Partial<ImportSettings> = {}, view = new FakeView(true), now?: () => number) {
    const model = new ImportsModel();
    const readSettings = () => ({ ...SETTINGS, ...settings, engine: { ...SETTINGS.engine, ...settings.engine } });
    const service = new ImportService({ auth, log: auth.log, model, journalDirectory, readSettings, userAgent: 'unit-test' });
    const scheduler = new PollScheduler({ service, log: auth.log, readSettings, view, ...(now ? { now } : {}) });
    const close = () => {
      scheduler.dispose();
      service.dispose();
    };
    cleanups.push(close);
    return { model, service, scheduler, view, close };
  }

  function requestsTo(pattern: RegExp, since = 0): number {
    return sandbox.graph.requests.slice(since).filter((request) => pattern.test(request.path)).length;
  }

  before(async () => {
    sandbox = await startSandboxTenant({
      tls: testTls(),
      identity: { deviceCodePollIntervalSeconds: 1 },
      graph: { timing: { processingDelayMs: 300, processingJitterMs: 0, registrationDelayMs: 60_000, syncDurationMs: 100, syncMinIntervalMs: 1000 } },
    });
    auth = serviceFor(sandbox.identity, { graphRoot: sandbox.graph.url, log: captureLog() });
    await signInWithDeviceCode(auth, sandbox.identity, ADELE.username, CONTOSO.domain);
  });

  beforeEach(() => {
    journalDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-service-'));
  });

  afterEach(async () => {
    for (const close of cleanups.splice(0)) close();
    fs.rmSync(journalDirectory, { recursive: true, force: true });
    const contoso = auth.accounts.find((account) => account.tenantId === CONTOSO.id);
    if (contoso && auth.activeAccount?.id !== contoso.id) await auth.selectAccount(contoso.id);
  });

  after(async () => {
    auth?.dispose();
    await sandbox?.close();
  });

  it('records the run under the signed-in tenant, named by its domain, and shows it in the model at once', async () => {
    const { model, service } = window();
    const handle = await service.startImport({ devices: fakeDevices(2, 'TENANT'), source: '/files/tenant.csv' });
    assert.deepEqual(model.run(handle.runId)?.view.tenant, { id: CONTOSO.id, label: CONTOSO.domain });
    assert.equal(model.run(handle.runId)?.activity, 'sending');
    const milestone = await handle.milestone;
    assert.equal(milestone.kind, 'processed');
    assert.equal(milestone.view.counts.complete, 2);
    await handle.finished;
    assert.equal(model.run(handle.runId)?.activity, 'idle');
  });

  it('keeps the engine a run started with while the settings change, and disposes it when the run ends', async () => {
    const engine = { ...SETTINGS.engine };
    const { service } = window({ engine, waitForRegistration: false });
    const handle = await service.startImport({ devices: fakeDevices(2, 'KEPT'), source: '/files/kept.csv' });
    engine.batchSize = 100;
    await service.findRegistered('KEPT-0');
    assert.equal(service.aliveEngines, 2, 'the run still uses the engine it started with; other work uses the new one');
    const result = await handle.finished;
    assert.equal(result?.run.counts.complete, 2, 'the replaced engine finished its run');
    assert.equal(service.aliveEngines, 1);
  });

  it('watches a restored run while the view is hidden, because Intune has not decided its devices yet', async () => {
    sandbox.graph.state.timing = { ...sandbox.graph.state.timing, processingDelayMs: 1200 };
    try {
      const first = window();
      const handle = await first.service.startImport({ devices: fakeDevices(2, 'HIDDEN'), source: '/files/hidden.csv' });
      await eventually(() => first.model.run(handle.runId)?.view.phase === 'processing', 'the devices to be sent');
      first.close(); // the window closes before Intune has decided
      await handle.finished;

      const second = window({}, new FakeView(false));
      await second.service.loadRuns();
      assert.equal(second.model.run(handle.runId)?.view.counts.pending, 2);
      assert.equal(second.model.stillProcessing(), 2, 'the badge counts them');
      await eventually(() => second.model.run(handle.runId)?.view.counts.complete === 2, 'the hidden view to keep watching processing devices', 10_000);
      assert.equal(second.model.stillProcessing(), 0);
    } finally {
      sandbox.graph.state.timing = { ...sandbox.graph.state.timing, processingDelayMs: 300 };
    }
  });

  it('checks registration only while the view is visible, and pauses again when it is hidden', async () => {
    const view = new FakeView(false);
    const { model, service, scheduler } = window({}, view);
    const handle = await service.startImport({ devices: fakeDevices(1, 'REGWAIT'), source: '/files/reg.csv' });
    await handle.finished;
    assert.equal(model.run(handle.runId)?.view.counts.complete, 1);

    // No poll armed or under way means no request until something changes: proven without waiting for a time.
    // A registration check reads the record again until it names its registration id, then looks for that device.
    const checks = /WindowsAutopilotDeviceIdentities/i;
    const start = sandbox.graph.requests.length;
    assert.equal(scheduler.active, false, 'hidden: no registration checks armed');
    assert.equal(requestsTo(checks, start), 0);

    view.show(true);
    await eventually(() => requestsTo(checks, start) >= 2, 'registration checks while visible');
    view.show(false);
    await eventually(() => !scheduler.active, 'a check already under way to finish, and no further one to be armed');
    assert.equal(scheduler.isDue(model.run(handle.runId)!), false, 'hidden again: checks paused');

    // Registration arrives (a sync brings it forward); once visible, the run shows it and polling stops.
    const record = sandbox.graph.state.tenant(CONTOSO.id).created.find((r) => r.serialNumber === 'REGWAIT000001')!;
    record.registrationIdAt = Date.now();
    sandbox.graph.state.tenant(CONTOSO.id).registered.get(record.registrationId!)!.visibleAt = Date.now();
    view.show(true);
    await eventually(() => model.run(handle.runId)?.view.devices[0]?.registered, 'the device to show as registered');
    await eventually(() => !scheduler.active, 'the last check to end');
    assert.equal(scheduler.isDue(model.run(handle.runId)!), false, 'nothing left to watch: no more requests');
  });

  it('stops watching at the time limit', async () => {
    let clock = Date.now();
    const view = new FakeView(true);
    const { model, service, scheduler } = window({ engine: { ...SETTINGS.engine, timeLimitMs: 5_000 } }, view, () => clock);
    const handle = await service.startImport({ devices: fakeDevices(1, 'LIMIT'), source: '/files/limit.csv' });
    await handle.finished;
    const entry = model.run(handle.runId)!;
    assert.equal(scheduler.isDue(entry), true, 'waiting for registration within the limit');
    clock += 6_000;
    assert.equal(scheduler.isDue(entry), false, 'past the limit');
    scheduler.extend(handle.runId);
    assert.equal(scheduler.isDue(entry), true, 'an action on the run restarts the limit');
  });

  it("never works on a run under another tenant's account, and says which tenant it belongs to", async () => {
    const { model, service, scheduler } = window();
    const handle = await service.startImport({ devices: fakeDevices(1, 'OTHERTEN'), source: '/files/other.csv' });
    await handle.finished;
    await signInWithDeviceCode(auth, sandbox.identity, ADELE.username, FABRIKAM.domain);
    assert.equal(auth.activeAccount?.tenantId, FABRIKAM.id);

    const entry = model.run(handle.runId)!;
    assert.equal(service.canWatch(entry.view), false);
    assert.equal(scheduler.isDue(entry), false);
    await assert.rejects(service.refreshRun(handle.runId), /imported into tenant contoso\.onmicrosoft\.com, but the active account is in tenant/);
    await assert.rejects(service.deleteRecords(handle.runId), /switch account/);
  });

  it('stops a run when the active account changes mid-run, instead of sending into the other tenant', async () => {
    const fabrikam = auth.accounts.find((account) => account.tenantId === FABRIKAM.id) ?? (await signInWithDeviceCode(auth, sandbox.identity, ADELE.username, FABRIKAM.domain));
    await auth.selectAccount(auth.accounts.find((account) => account.tenantId === CONTOSO.id)!.id);
    const { model, service } = window({ engine: { ...SETTINGS.engine, batchSize: 1 } });
    // The user picks the other tenant in the status bar once Graph has the first chunk (more are on their way).
    sandbox.graph.faults.add({ method: 'POST', path: '/import', action: { kind: 'after-commit', run: () => auth.selectAccount(fabrikam.id) } });
    try {
      const devices = fakeDevices(DEFAULT_ENGINE_SETTINGS.chunksInFlight + 2, 'SWITCH');
      const handle = await service.startImport({ devices, source: '/files/switch.csv' });
      const milestone = await handle.milestone;
      assert.equal(milestone.kind, 'failed');
      assert.match(String((milestone as { error: Error }).error.message), /active account changed from adele@contoso\.onmicrosoft\.com/);
      assert.equal(sandbox.graph.state.tenant(FABRIKAM.id).created.length, 0, 'nothing reached the other tenant');
      await handle.finished;
      assert.match(model.run(handle.runId)?.problem ?? '', /active account changed/);
      assert.match(model.run(handle.runId)?.view.phase ?? '', /sending/, 'the rest stays unsent, ready to continue');
    } finally {
      sandbox.graph.faults.clear();
    }
  });

  it('stops when Graph keeps cutting the connection, says so in one sentence, and Continue Import finishes without duplicates', async () => {
    const { model, service } = window({ engine: { ...SETTINGS.engine, batchSize: 2 } });
    // The first chunk goes through; then every connection is cut before Graph acts (retried, then given up).
    sandbox.graph.faults.add({ method: 'POST', path: '/import', skip: 1, times: Infinity, action: { kind: 'reset-before-commit' } });
    const devices = fakeDevices(6, 'NETFAIL');
    let handle;
    try {
      handle = await service.startImport({ devices, source: '/files/netfail.csv' });
      const milestone = await handle.milestone;
      assert.equal(milestone.kind, 'failed');
      const message = (milestone as { error: Error }).error.message;
      // Chunks 2 and 3 went unconfirmed, were settled together, and came back missing three times.
      assert.match(message, /^Graph kept failing to answer for 4 devices, so sending stopped rather than risk sending them twice\. Continue Import checks Graph first/);
      assert.ok(!message.includes('\n'), 'one line');
      await handle.finished;
      assert.equal(model.run(handle.runId)?.problem, message);
      assert.deepEqual(model.run(handle.runId)?.view.counts, { complete: 0, error: 0, partial: 0, pending: 6 });
    } finally {
      sandbox.graph.faults.clear();
    }
    const continued = await service.continueRun(handle.runId);
    assert.equal((await continued.milestone).kind, 'processed');
    const created = sandbox.graph.state.tenant(CONTOSO.id).created.filter((record) => record.serialNumber.startsWith('NETFAIL'));
    assert.deepEqual(created.map((record) => record.serialNumber).sort(), devices.map((device) => device.serialNumber), 'each device exactly once');
    assert.equal(model.run(handle.runId)?.problem, undefined, 'the problem clears once the run is worked on again');
  });

  it('ends the progress notification when a run fails and cannot even be read back from the journal', async () => {
    const { model, service } = window();
    // The run's journal disappears under it (a cleaner, a full disk): the run fails, and its view cannot be read.
    sandbox.graph.faults.add({ method: 'POST', path: '/import', action: { kind: 'before-commit', run: () => fs.rmSync(path.join(journalDirectory, 'runs'), { recursive: true, force: true }) } });
    try {
      const handle = await service.startImport({ devices: fakeDevices(1, 'UNREAD'), source: '/files/unreadable.csv' });
      // A guard against hanging forever, not a wait that proves anything: the milestone normally comes at once.
      const milestone = await Promise.race([handle.milestone, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 15_000).unref())]);
      assert.equal(milestone?.kind, 'failed', 'the milestone that ends the notification came');
      assert.match(String((milestone as { error: Error }).error.message), /ENOENT/);
      assert.equal(await handle.finished, undefined, 'the work ended without an unhandled rejection');
      assert.equal(model.run(handle.runId)?.activity, 'idle');
    } finally {
      sandbox.graph.faults.clear();
    }
  });

  it('says so when Graph cannot be reached, naming the settings to check, and sends nothing', async () => {
    const offline = serviceFor(sandbox.identity, { graphRoot: 'http://127.0.0.1:9', log: captureLog() });
    try {
      await signInWithDeviceCode(offline, sandbox.identity, ADELE.username, CONTOSO.domain);
      const model = new ImportsModel();
      const service = new ImportService({ auth: offline, log: offline.log, model, journalDirectory, readSettings: () => SETTINGS, userAgent: 'unit-test' });
      cleanups.push(() => service.dispose());
      const handle = await service.startImport({ devices: fakeDevices(1, 'OFFLINE'), source: '/files/offline.csv' });
      const milestone = await handle.milestone;
      assert.equal(milestone.kind, 'failed');
      assert.match((milestone as { error: Error }).error.message, /^Cannot reach Microsoft Graph at http:\/\/127\.0\.0\.1:9 \(ECONNREFUSED\): check the network and any proxy, and autopilot\.cloud or autopilot\.graphRoot\.$/);
      await handle.finished;
      assert.equal(model.run(handle.runId)?.view.phase, 'sending', 'nothing was sent; Continue Import can send it later');
    } finally {
      offline.dispose();
    }
  });

  it("turns Graph's 403 into the permission the app needs", async () => {
    const secret = 'no-permission~secret_0123456789';
    const app = sandbox.identity.addApp(confidentialApp({ secrets: [secret], applicationPermissions: [] }));
    await auth.signInApp({ clientId: app.clientId, tenantId: CONTOSO.id, credential: { kind: 'secret', secret } });
    try {
      const { model, service } = window();
      const handle = await service.startImport({ devices: fakeDevices(1, 'FORBID'), source: '/files/forbidden.csv' });
      const milestone = await handle.milestone;
      assert.equal(milestone.kind, 'failed');
      assert.equal((milestone as { error: Error }).error.message, graphForbiddenMessage('app'));
      await handle.finished;
      assert.equal(model.run(handle.runId)?.problem, graphForbiddenMessage('app'));
      assert.equal(sandbox.graph.state.tenant(CONTOSO.id).created.filter((r) => r.serialNumber.startsWith('FORBID')).length, 0);
    } finally {
      await auth.signOut(auth.activeAccount!.id);
    }
  });

  it('forgets runs from the journal without touching Graph, but keeps one another process is working on', async () => {
    const { model, service } = window();
    const handle = await service.startImport({ devices: fakeDevices(1, 'FORGET'), source: '/files/forget.csv' });
    await handle.finished;
    const before = sandbox.graph.requests.length;
    assert.deepEqual(await service.forget([handle.runId]), [handle.runId]);
    assert.equal(model.run(handle.runId), undefined);
    assert.ok(!fs.existsSync(path.join(journalDirectory, 'runs', handle.runId)));
    assert.equal(sandbox.graph.requests.length, before, 'Graph was not touched');

    const other = await service.startImport({ devices: fakeDevices(1, 'LOCKED'), source: '/files/locked.csv' });
    await other.finished;
    // A terminal (another process) holds the run.
    fs.writeFileSync(path.join(journalDirectory, 'runs', other.runId, 'lock'), String(process.ppid));
    assert.deepEqual(await service.forget([other.runId]), []);
    assert.ok(model.run(other.runId), 'the run stays listed');
    assert.match(auth.log.text(), /Kept import .* in the list: Run .* is being worked on by process/);
  });
});
