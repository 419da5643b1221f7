import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AutopilotGraph } from '../../../../src/graph/autopilot';
import { GraphClient } from '../../../../src/graph/client';
import { DirectoryGraph } from '../../../../src/graph/directory';
import { ManagedDevicesGraph } from '../../../../src/graph/managedDevices';
import { JOURNAL_VERSION } from '../../../../src/import/journal';
import { changeItems, changeJournal, DeviceChangeEngine, foldChangeRun, viewOf, planRemoval, planUpdate, RegisteredDeviceCache, CHANGE_RUN_KIND, type ChangeRunManifest } from '../../../../src/import/lifecycle/api';
import { DEFAULT_TENANT_ID } from '../../../emulator/auth';
import { startGraphEmulator, type GraphEmulator } from '../../../emulator/server';
import type { RegisteredRecord } from '../../../emulator/state';

const UPDATE = /\/updateDeviceProperties$/;

describe('bulk changes to registered devices, journaled', function () {
  this.timeout(20_000);
  let emulator: GraphEmulator;
  let client: GraphClient;
  let dir: string;
  let cache: RegisteredDeviceCache;

  function engine(): DeviceChangeEngine {
    const autopilot = new AutopilotGraph(client);
    return new DeviceChangeEngine({
      autopilot,
      managed: new ManagedDevicesGraph(client),
      directory: new DirectoryGraph(client),
      journal: changeJournal(dir),
      graphRoot: emulator.url,
      tenant: async () => ({ id: DEFAULT_TENANT_ID, label: DEFAULT_TENANT_ID }),
      settings: { retireWaitMs: 10_000, retryIntervalMs: 50 },
    });
  }

  function register(serials: readonly string[], groupTag = 'Sales'): RegisteredRecord[] {
    return serials.map((serialNumber) => emulator.state.seedRegistered(DEFAULT_TENANT_ID, { serialNumber, hardwareIdentifier: `hash-${serialNumber}`, groupTag }));
  }

  /** An update of `serials` (group tag Sales to Kiosk) journaled as a process that was then killed left it. */
  function journaledUpdate(serials: readonly string[], id: string) {
    const devices = register(serials);
    const items = devices.map((d) => ({ serialNumber: d.serialNumber, id: d.id, changes: { groupTag: { from: 'Sales', to: 'Kiosk' } } }));
    const manifest: ChangeRunManifest = { version: JOURNAL_VERSION, id, kind: CHANGE_RUN_KIND, operation: 'update', startedAt: new Date().toISOString(), source: 'x.csv', graphRoot: emulator.url, tenant: { id: DEFAULT_TENANT_ID, label: DEFAULT_TENANT_ID }, items };
    const journal = changeJournal(dir);
    journal.createRun(manifest).release();
    return { devices, manifest, journal };
  }

  beforeEach(async () => {
    emulator = await startGraphEmulator({ budgets: false, timing: { deletionLagMs: 400 } });
    client = new GraphClient({ graphRoot: emulator.url, getAccessToken: async () => emulator.staticToken, retry: { baseDelayMs: 10, maxDelayMs: 50 } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-changes-'));
    cache = new RegisteredDeviceCache(new AutopilotGraph(client));
  });

  afterEach(async () => {
    client.dispose();
    await emulator.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('updates only what changes, one updateDeviceProperties per changed device, and journals every outcome', async () => {
    const [a, b] = register(['UPD1', 'UPD2']);
    const { index } = await cache.load();
    const plan = planUpdate(
      [
        { serialNumber: 'UPD1', groupTag: 'Kiosk', displayName: 'KIOSK-1', line: 2 },
        { serialNumber: 'UPD2', groupTag: 'Sales', line: 3 },
        { serialNumber: 'NOPE', groupTag: 'Kiosk', line: 4 },
      ],
      index,
    );
    const progress: number[] = [];
    const run = await engine().start({ operation: 'update', items: changeItems(plan, index, 'update'), source: 'changes.csv' }, { onProgress: (view) => progress.push(view.counts.pending) });
    assert.deepEqual(run.devices.map((d) => [d.serialNumber, d.result]), [['UPD1', 'updated'], ['UPD2', 'unchanged'], ['NOPE', 'not-found']]);
    assert.deepEqual(run.devices[0]!.changes, { groupTag: { from: 'Sales', to: 'Kiosk' }, displayName: { from: '', to: 'KIOSK-1' } });
    const sent = emulator.requests.filter((r) => UPDATE.test(r.path));
    assert.equal(sent.length, 1);
    assert.deepEqual(sent[0]!.body, { groupTag: 'Kiosk', displayName: 'KIOSK-1' });
    assert.equal(a!.groupTag, 'Kiosk');
    assert.equal(b!.groupTag, 'Sales');
    assert.deepEqual(progress, [2, 1, 0]);
    assert.deepEqual(await engine().unfinishedRuns(), []);
  });

  it('resumes a crashed update without repeating it: done devices skipped, a started one checked before sending', async () => {
    const { devices, manifest, journal } = journaledUpdate(['R1', 'R2', 'R3'], '20260101T000000Z-abcdef');
    // The first process updated R1 and journaled it, sent R2's update (Graph applied it), and was killed before the answer.
    journal.append(manifest.id, { t: 'start', at: '', items: [0] });
    journal.append(manifest.id, { t: 'done', at: '', item: 0, result: 'updated' });
    journal.append(manifest.id, { t: 'start', at: '', items: [1] });
    devices[0]!.groupTag = 'Kiosk';
    devices[1]!.groupTag = 'Kiosk';
    fs.appendFileSync(path.join(dir, CHANGE_RUN_KIND, 'runs', manifest.id, 'events.jsonl'), '{"t":"done","at":"","it'); // a torn last line

    const [unfinished] = await engine().unfinishedRuns();
    assert.equal(unfinished?.id, manifest.id);
    const run = await engine().resume(manifest.id);
    assert.deepEqual(run.devices.map((d) => d.result), ['updated', 'updated', 'updated']);
    const sent = emulator.requests.filter((r) => UPDATE.test(r.path));
    assert.deepEqual(sent.map((r) => r.path.split('/').at(-2)), [devices[2]!.id], 'only R3 is sent');
    assert.equal(devices[2]!.groupTag, 'Kiosk');
    await assert.rejects(
      new DeviceChangeEngine({ ...{ autopilot: new AutopilotGraph(client), managed: new ManagedDevicesGraph(client), directory: new DirectoryGraph(client) }, journal, graphRoot: emulator.url, tenant: async () => ({ id: 'other', label: 'fabrikam' }) }).resume(manifest.id),
      /fabrikam/,
    );
  });

  it('lists runs from their summaries: one without (an older version\'s), and a crash the summary lags behind, list as the journal says (issue 15)', async () => {
    const { manifest, journal } = journaledUpdate(['SUM1', 'SUM2', 'SUM3'], '20260101T000000Z-000042');
    journal.append(manifest.id, { t: 'start', at: '', items: [0] }, true);
    const summaryFile = path.join(dir, CHANGE_RUN_KIND, 'runs', manifest.id, 'summary.json');
    const replayed = async () => {
      const run = await journal.readRun(manifest.id);
      return viewOf(run.manifest, foldChangeRun(run.manifest, run.entries));
    };

    assert.deepEqual(await engine().unfinishedRuns(), [await replayed()]);
    assert.ok(fs.existsSync(summaryFile), 'a run without a summary gets one when listed');
    // The first process was killed after journaling its first device, before any summary caught up.
    journal.append(manifest.id, { t: 'done', at: '', item: 0, result: 'updated' });
    const [listed] = await engine().unfinishedRuns();
    assert.deepEqual(listed, await replayed());
    assert.equal(listed?.counts.updated, 1);
    assert.equal(listed?.counts.pending, 2);

    const finished = await engine().resume(manifest.id);
    assert.equal(finished.finished, true);
    assert.deepEqual(await journal.readSummary(manifest.id), finished, 'the summary is current when the lock goes');
    assert.deepEqual(await engine().view(manifest.id), finished);
    assert.deepEqual(await engine().unfinishedRuns(), []);
  });

  it('deletes: an enrolled device is still-enrolled (planned, or found so after a 400), never sent twice', async () => {
    const [plain, enrolled, late] = register(['DEL1', 'DEL2', 'DEL3']);
    const directory = emulator.state.tenant(DEFAULT_TENANT_ID).directory;
    directory.enroll(enrolled!, Date.now());
    const { index } = await cache.load();
    directory.enroll(late!, Date.now()); // enrolls after the plan was made
    const plan = planRemoval(['DEL1', 'DEL2', 'DEL3', 'GONE'], index);
    assert.deepEqual(plan.devices.map((d) => d.action), ['delete', 'still-enrolled', 'delete', 'not-found']);
    const run = await engine().start({ operation: 'delete', items: changeItems(plan, index, 'delete'), source: 'serials' });
    assert.deepEqual(run.devices.map((d) => d.result), ['deleted', 'still-enrolled', 'still-enrolled', 'not-found']);
    const deletes = emulator.requests.filter((r) => r.method === 'DELETE');
    assert.deepEqual(deletes.map((r) => r.path.split('/').at(-1)), [plain!.id, late!.id]);
  });

  it('retires in the documented order: the managed device, then the registration once Intune lets it go; the Entra device stays', async () => {
    const [device] = register(['RET1']);
    const directory = emulator.state.tenant(DEFAULT_TENANT_ID).directory;
    const managed = directory.enroll(device!, Date.now());
    const { index } = await cache.load();
    const plan = planRemoval(['RET1'], index, { retire: true });
    const run = await engine().start({ operation: 'retire', items: changeItems(plan, index, 'retire'), source: 'serials' });
    assert.equal(run.devices[0]!.result, 'deleted', JSON.stringify(run.devices[0]));
    const writes = emulator.requests.filter((r) => r.method === 'DELETE').map((r) => `${r.path.includes('managedDevices') ? 'managed' : 'autopilot'} ${r.status}`);
    assert.equal(writes[0], 'managed 204');
    assert.equal(writes.at(-1), 'autopilot 204');
    assert.ok(writes.slice(1, -1).every((w) => w === 'autopilot 400'), 'refused while Intune still counts it enrolled, then accepted');
    assert.ok(managed.deletedAt !== undefined && directory.entraDeviceByDeviceId(device!.azureActiveDirectoryDeviceId), 'Entra device left alone');
  });

  it('retires with the Entra device when the run asks: step 3 waits until Autopilot lets the device go, and a resume after step 2 goes straight to it', async () => {
    const [device, second] = register(['RETE1', 'RETE2']);
    const directory = emulator.state.tenant(DEFAULT_TENANT_ID).directory;
    directory.enroll(device!, Date.now());
    const entra = directory.entraDeviceByDeviceId(device!.azureActiveDirectoryDeviceId)!;
    const { index } = await cache.load();
    const entraClient = new GraphClient({ graphRoot: emulator.url, getAccessToken: async () => emulator.auth.mintToken({ permissions: ['Directory.AccessAsUser.All'] }), retry: { baseDelayMs: 10, maxDelayMs: 50 } });
    try {
      const withEntra = () => new DeviceChangeEngine({ ...{ autopilot: new AutopilotGraph(client), managed: new ManagedDevicesGraph(client), directory: new DirectoryGraph(client) }, entraDevices: new DirectoryGraph(entraClient), journal: changeJournal(dir), graphRoot: emulator.url, settings: { retireWaitMs: 10_000, retryIntervalMs: 50 } });
      const plan = planRemoval(['RETE1'], index, { retire: true });
      const run = await withEntra().start({ operation: 'retire', items: changeItems(plan, index, 'retire'), source: 'serials', deleteEntraDevices: true });
      assert.equal(run.devices[0]!.result, 'deleted', JSON.stringify(run.devices[0]));
      assert.equal(directory.entraDevices.has(entra.id), false);
      const entraDeletes = emulator.requests.filter((r) => r.method === 'DELETE' && r.path.endsWith(`/devices/${entra.id}`));
      assert.ok(entraDeletes.length >= 2 && entraDeletes[0]!.status === 403 && entraDeletes.at(-1)!.status === 204, entraDeletes.map((r) => r.status).join(' '));

      // A process that stopped right after step 2 of the second device: the resume sends only step 3.
      const secondEntra = directory.entraDeviceByDeviceId(second!.azureActiveDirectoryDeviceId)!;
      const manifest: ChangeRunManifest = { version: JOURNAL_VERSION, id: '20260101T000000Z-e0e0e0', kind: CHANGE_RUN_KIND, operation: 'retire', deleteEntraDevices: true, startedAt: new Date().toISOString(), source: 'x', graphRoot: emulator.url, items: changeItems(planRemoval(['RETE2'], index, { retire: true }), index, 'retire') };
      const journal = changeJournal(dir);
      journal.createRun(manifest).release();
      journal.append(manifest.id, { t: 'start', at: '', items: [0] });
      journal.append(manifest.id, { t: 'step', at: '', item: 0, step: 'managed-device-deleted' });
      journal.append(manifest.id, { t: 'step', at: '', item: 0, step: 'registration-deleted' });
      second!.deletedAt = Date.now() - 60_000;
      const before = emulator.requests.length;
      const resumed = await withEntra().resume(manifest.id);
      assert.equal(resumed.devices[0]!.result, 'deleted');
      assert.deepEqual(emulator.requests.slice(before).filter((r) => r.method === 'DELETE').map((r) => r.path.split('/').slice(-2).join('/')), [`devices/${secondEntra.id}`]);
    } finally {
      entraClient.dispose();
    }
  });

  it('names the step that failed: Intune never lets the registration go (step 2 of 2), Entra refuses for good (step 3 of 3)', async () => {
    const [stuck, refused] = register(['STEP2', 'STEP3']);
    const directory = emulator.state.tenant(DEFAULT_TENANT_ID).directory;
    directory.enroll(stuck!, Date.now());
    const { index } = await cache.load();
    // The managed device is deleted, but Intune keeps it enrolled longer than the retire waits.
    emulator.state.timing = { ...emulator.state.timing, deletionLagMs: 60_000 };
    const short = new DeviceChangeEngine({ autopilot: new AutopilotGraph(client), managed: new ManagedDevicesGraph(client), directory: new DirectoryGraph(client), journal: changeJournal(dir), graphRoot: emulator.url, settings: { retireWaitMs: 300, retryIntervalMs: 50 } });
    const step2 = await short.start({ operation: 'retire', items: changeItems(planRemoval(['STEP2'], index, { retire: true }), index, 'retire'), source: 'serials' });
    assert.equal(step2.devices[0]!.result, 'failed');
    assert.match(step2.devices[0]!.error!.message, /^Step 2 of 2 \(delete the Autopilot registration \(Intune still refused it/);

    // The static token may not delete Entra devices: once Autopilot lets the device go, Entra's 403 is the answer.
    emulator.state.timing = { ...emulator.state.timing, deletionLagMs: 0 };
    const step3 = await short.start({ operation: 'retire', items: changeItems(planRemoval(['STEP3'], index, { retire: true }), index, 'retire'), source: 'serials', deleteEntraDevices: true });
    assert.equal(step3.devices[0]!.result, 'failed', JSON.stringify(step3.devices[0]));
    assert.match(step3.devices[0]!.error!.message, /^Step 3 of 3 \(delete the Entra ID device\) failed: Insufficient privileges/);
    assert.equal(step3.devices[0]!.error!.status, 403);
    assert.ok(directory.entraDeviceByDeviceId(refused!.azureActiveDirectoryDeviceId), 'the Entra device is still there');
  });

  it('adds devices to a group 20 per $batch: an existing member is already-member, a device without an Entra object not-found', async () => {
    const devices = register(Array.from({ length: 25 }, (_, i) => `GRP${String(i).padStart(2, '0')}`));
    const directory = emulator.state.tenant(DEFAULT_TENANT_ID).directory;
    const group = directory.addGroup('Autopilot - Pilot ring');
    group.members.add(directory.entraDeviceByDeviceId(devices[0]!.azureActiveDirectoryDeviceId)!.id);
    directory.entraDevices.delete(directory.entraDeviceByDeviceId(devices[1]!.azureActiveDirectoryDeviceId)!.id);
    const { index } = await cache.load();
    const plan = planRemoval(devices.map((d) => d.serialNumber), index);
    const run = await engine().start({ operation: 'add-to-group', items: changeItems(plan, index, 'add-to-group'), source: 'serials', group: { id: group.id, displayName: group.displayName } });
    assert.deepEqual([run.devices[0]!.result, run.devices[1]!.result], ['already-member', 'not-found']);
    assert.equal(run.counts.added, 23);
    assert.equal(emulator.requests.filter((r) => r.path === '/v1.0/$batch').length, 2);
    assert.equal(group.members.size, 24);
  });
});
