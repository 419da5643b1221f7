import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEFAULT_TENANT_ID } from '../../emulator/auth';
import { seedFleet } from '../../emulator/fleet';
import { fakeDevices, fakeHardwareHash } from '../../emulator/hashes';
import { startGraphEmulator, type GraphEmulator } from '../../emulator/server';
import type { RegisteredRecord } from '../../emulator/state';
import { parseJsonOutput, runCli, type CliRun, type CliRunOptions } from '../../support/cliRunner';

interface ResultsDocument {
  devices: { serialNumber: string; id: string | null; changes?: Record<string, { from: string; to: string }>; result: string; error?: string }[];
  error?: string;
}

interface PlanDocument {
  devices: { serialNumber: string; action: string; registeredId: string | null; changes?: Record<string, { from: string; to: string }> }[];
  counts: Record<string, number>;
}

const FAST = { processingDelayMs: 150, processingJitterMs: 0, registrationDelayMs: 150, syncDurationMs: 100, syncMinIntervalMs: 60_000, profilePendingDelayMs: 100, profileAssignedDelayMs: 300, deletionLagMs: 300 };
const UPDATE = /\/updateDeviceProperties$/;

describe('autopilot-devices after the import (bundled CLI, child process)', function () {
  this.timeout(60_000);
  let emulator: GraphEmulator;
  let dir: string;
  let journal: string;

  function cli(args: string[], extraEnv: Record<string, string | undefined> = {}, onSpawn?: CliRunOptions['onSpawn']): Promise<CliRun> {
    const env = { AUTOPILOT_GRAPH_ROOT: emulator.url, AUTOPILOT_ACCESS_TOKEN: emulator.staticToken, AUTOPILOT_POLL_INTERVAL_SECONDS: '0.05', AUTOPILOT_SETTLE_SECONDS: '0.3', ...extraEnv };
    const journaled = !['devices', 'plan'].includes(args[0]!);
    return runCli(journaled ? [...args, '--journal', journal] : args, { env, onSpawn, cwd: dir });
  }

  function file(name: string, text: string): string {
    const target = path.join(dir, name);
    fs.writeFileSync(target, text);
    return target;
  }

  function register(serials: readonly string[], groupTag = 'Sales'): RegisteredRecord[] {
    return serials.map((serialNumber) => emulator.state.seedRegistered(DEFAULT_TENANT_ID, { serialNumber, hardwareIdentifier: `hash-${serialNumber}`, groupTag }));
  }

  beforeEach(async () => {
    emulator = await startGraphEmulator({ timing: FAST });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-lifecycle-'));
    journal = path.join(dir, 'journal');
  });

  afterEach(async () => {
    await emulator.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('devices --json: every registered device once through the repeating cursor, with the beta profile status; --group-tag and --serial filter', async () => {
    const fleet = seedFleet(emulator.state, DEFAULT_TENANT_ID, { count: 2500 });
    const run = await cli(['devices', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const { devices } = parseJsonOutput<{ devices: Record<string, unknown>[] }>(run);
    assert.equal(devices.length, 2500);
    assert.equal(new Set(devices.map((d) => d.id)).size, 2500);
    assert.deepEqual(Object.keys(devices[0]!), ['id', 'serialNumber', 'groupTag', 'displayName', 'userPrincipalName', 'manufacturer', 'model', 'enrollmentState', 'profileStatus', 'lastContactedDateTime']);
    assert.ok(devices.some((d) => d.profileStatus === 'assignedInSync') && devices.some((d) => d.profileStatus === 'notAssigned'));
    const lists = emulator.requests.filter((r) => r.path.endsWith('/windowsAutopilotDeviceIdentities'));
    assert.equal(lists.length, 3);
    assert.ok(lists.every((r) => r.path.startsWith('/beta/') && !('$select' in r.query)));

    const kiosk = parseJsonOutput<{ devices: { groupTag: string }[] }>(await cli(['devices', '--group-tag', 'kiosk', '--json']));
    assert.equal(kiosk.devices.length, fleet.devices.filter((d) => d.groupTag === 'Kiosk').length);
    const vmware = fleet.devices.find((d) => d.serialNumber.startsWith('VMware-'))!;
    const one = parseJsonOutput<{ devices: { id: string }[] }>(await cli(['devices', '--serial', vmware.serialNumber, '--json']));
    assert.deepEqual(one.devices.map((d) => d.id), [vmware.id], 'a serial with spaces and hyphens is found despite the filter quirks');
  });

  it('plan --json: import files (import, skip-registered, duplicate) and update files (update, unchanged, not-found) without sending anything', async () => {
    const [registered] = register(['REG0001']);
    const fresh = fakeDevices(2, 'NEW');
    const payload = file('devices.autopilot.json', JSON.stringify([...fresh, { serialNumber: 'REG0001', hardwareIdentifier: fresh[0]!.hardwareIdentifier.replace(/^./, 'B') }, { serialNumber: 'NEW000002', hardwareIdentifier: fakeHardwareHash('another', 1021) }]));
    const updates = file('changes.csv', 'Serial Number,Group Tag,Display Name,Assigned User\nREG0001,Kiosk,,\nMISSING,Kiosk,,\n');
    const run = await cli(['plan', payload, updates, '--json']);
    assert.equal(run.code, 0, run.stderr);
    const plan = parseJsonOutput<PlanDocument>(run);
    assert.deepEqual(plan.devices.map((d) => [d.serialNumber, d.action]), [['NEW000001', 'import'], ['NEW000002', 'import'], ['REG0001', 'skip-registered'], ['NEW000002', 'duplicate'], ['REG0001', 'update'], ['MISSING', 'not-found']]);
    assert.equal(plan.devices[2]!.registeredId, registered!.id);
    assert.deepEqual(plan.devices[4]!.changes, { groupTag: { from: 'Sales', to: 'Kiosk' } });
    assert.deepEqual(plan.counts, { import: 2, 'skip-registered': 1, duplicate: 1, update: 1, unchanged: 0, 'not-found': 1 });
    assert.ok(emulator.requests.every((r) => r.method === 'GET'));
  });

  it('update: --dry-run and a missing --yes change nothing (exit 0 and 2), --yes applies the plan, a bad display name stops it before any change', async () => {
    const [a, b] = register(['UPD-1', 'UPD-2']);
    const updates = file('changes.autopilot.json', JSON.stringify([{ serialNumber: 'UPD-1', groupTag: 'Kiosk', displayName: 'KIOSK-01' }, { serialNumber: 'UPD-2', groupTag: 'Sales' }, { serialNumber: 'GONE', groupTag: 'X' }]));
    const dry = await cli(['update', updates, '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(parseJsonOutput<PlanDocument>(dry).counts, { update: 1, unchanged: 1, 'not-found': 1, duplicate: 0 });
    const unconfirmed = await cli(['update', updates, '--json']);
    assert.equal(unconfirmed.code, 2);
    assert.match(unconfirmed.stderr, /--yes/);
    assert.ok(!emulator.requests.some((r) => UPDATE.test(r.path)));

    const run = await cli(['update', updates, '--yes', '--json']);
    assert.equal(run.code, 3, run.stderr);
    const document = parseJsonOutput<ResultsDocument>(run);
    assert.deepEqual(document.devices, [
      { serialNumber: 'UPD-1', id: a!.id, changes: { groupTag: { from: 'Sales', to: 'Kiosk' }, displayName: { from: '', to: 'KIOSK-01' } }, result: 'updated' },
      { serialNumber: 'UPD-2', id: b!.id, changes: {}, result: 'unchanged' },
      { serialNumber: 'GONE', id: null, changes: {}, result: 'not-found' },
    ]);
    assert.deepEqual([a!.groupTag, a!.displayName], ['Kiosk', 'KIOSK-01']);
    assert.equal(emulator.requests.filter((r) => UPDATE.test(r.path)).length, 1);

    const bad = await cli(['update', file('bad.csv', 'Serial Number,Display Name\nUPD-2,1234567\nUPD-1,NAME_WITH_UNDERSCORE\n'), '--yes']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /bad\.csv:2: error display-name: .*not only digits/);
    assert.match(bad.stderr, /bad\.csv:3: error display-name/);
    assert.equal(emulator.requests.filter((r) => UPDATE.test(r.path)).length, 1);
  });

  it('update finishes a run a SIGKILL interrupted when run again, without updating any device twice', async () => {
    const devices = register(Array.from({ length: 6 }, (_, i) => `KILL-${i}`));
    const updates = file('changes.csv', `Serial Number,Group Tag\n${devices.map((d) => `${d.serialNumber},Kiosk`).join('\n')}\n`);
    let childPid = 0;
    emulator.faults.add({ path: UPDATE, method: 'POST', skip: 2, action: { kind: 'after-commit', run: () => void process.kill(-childPid, 'SIGKILL') } });
    const crashed = await cli(['update', updates, '--yes', '--json'], {}, (child) => (childPid = child.pid!));
    assert.equal(crashed.signal, 'SIGKILL');
    const again = await cli(['update', updates, '--yes', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /finishing update run .* interrupted/);
    assert.ok(devices.every((d) => d.groupTag === 'Kiosk'));
    const perDevice = new Map<string, number>();
    for (const r of emulator.requests.filter((r) => UPDATE.test(r.path) && r.committed)) perDevice.set(r.path, (perDevice.get(r.path) ?? 0) + 1);
    assert.deepEqual([...perDevice.values()], [1, 1, 1, 1, 1, 1], 'each device updated exactly once');
    assert.deepEqual(parseJsonOutput<ResultsDocument>(again).devices.map((d) => d.result), Array(6).fill('unchanged'), 'the new plan finds nothing left to do');
  });

  it('delete: an enrolled device is reported still-enrolled (exit 3), the others deleted; --file reads serials', async () => {
    const [plain, enrolled] = register(['DEL-1', 'DEL-2']);
    emulator.state.tenant(DEFAULT_TENANT_ID).directory.enroll(enrolled!, Date.now());
    const run = await cli(['delete', '--file', file('serials.txt', 'DEL-1\nDEL-2\nNOPE\n'), '--yes', '--json']);
    assert.equal(run.code, 3, run.stderr);
    assert.deepEqual(parseJsonOutput<ResultsDocument>(run).devices, [
      { serialNumber: 'DEL-1', id: plain!.id, result: 'deleted' },
      { serialNumber: 'DEL-2', id: enrolled!.id, result: 'still-enrolled' },
      { serialNumber: 'NOPE', id: null, result: 'not-found' },
    ]);
    assert.deepEqual(emulator.requests.filter((r) => r.method === 'DELETE').map((r) => r.path.split('/').at(-1)), [plain!.id]);
    const usage = await cli(['delete', 'DEL-1', '--file', 'x.txt']);
    assert.equal(usage.code, 2);
  });

  it('add-to-group by name: 20 per $batch, already a member is not a failure; a 403 names the missing permissions', async () => {
    const devices = register(Array.from({ length: 22 }, (_, i) => `GRP-${i}`));
    const directory = emulator.state.tenant(DEFAULT_TENANT_ID).directory;
    const group = directory.addGroup('Autopilot - Pilot ring');
    directory.addGroup('Autopilot - Pilot ring 2');
    group.members.add(directory.entraDeviceByDeviceId(devices[0]!.azureActiveDirectoryDeviceId)!.id);
    const run = await cli(['add-to-group', 'autopilot - pilot ring', ...devices.map((d) => d.serialNumber), '--json']);
    assert.equal(run.code, 0, run.stderr);
    const results = parseJsonOutput<ResultsDocument>(run).devices.map((d) => d.result);
    assert.deepEqual([results[0], results.filter((r) => r === 'added').length], ['already-member', 21]);
    assert.equal(emulator.requests.filter((r) => r.path === '/v1.0/$batch').length, 2);
    assert.equal(group.members.size, 22);

    const narrow = emulator.auth.mintToken({ permissions: ['DeviceManagementServiceConfig.ReadWrite.All', 'Device.Read.All', 'GroupMember.Read.All'] });
    const denied = await cli(['add-to-group', group.id, 'GRP-1', '--json'], { AUTOPILOT_ACCESS_TOKEN: narrow });
    assert.equal(denied.code, 1, denied.stderr);
    assert.match(parseJsonOutput<ResultsDocument>(denied).error ?? '', /GroupMember\.ReadWrite\.All and Device\.Read\.All/);
  });

  it('import --skip-registered --wait-profile: skipped devices listed as skipped, then waits for each profile (exit 0), or exit 3 when none targets the tag', async () => {
    emulator.state.tenant(DEFAULT_TENANT_ID).directory.addProfile('User-driven', ['Sales'], Date.now());
    const [registered] = register(['ALREADY-1']);
    const devices = fakeDevices(2, 'PROF');
    const payload = file('devices.autopilot.json', JSON.stringify([...devices.map((d) => ({ ...d, groupTag: 'Sales' })), { serialNumber: 'ALREADY-1', hardwareIdentifier: devices[0]!.hardwareIdentifier.replace(/^./, 'C') }]));
    const run = await cli(['import', payload, '--skip-registered', '--wait-profile', '--json', '--timeout', '30']);
    assert.equal(run.code, 0, run.stderr);
    const [result] = parseJsonOutput<{ runs: { devices: { serialNumber: string; id: string | null; status: string; profileStatus?: string | null }[] }[] }>(run).runs;
    assert.deepEqual(result!.devices.map((d) => [d.serialNumber, d.status, d.profileStatus ?? null]), [['PROF000001', 'complete', 'assignedInSync'], ['PROF000002', 'complete', 'assignedInSync'], ['ALREADY-1', 'skipped', null]]);
    assert.equal(result!.devices[2]!.id, registered!.id);
    const sent = emulator.requests.filter((r) => r.path.endsWith('/import')).flatMap((r) => (r.body as { importedWindowsAutopilotDeviceIdentities: { serialNumber: string }[] }).importedWindowsAutopilotDeviceIdentities.map((d) => d.serialNumber));
    assert.deepEqual(sent, ['PROF000001', 'PROF000002']);

    const untargeted = file('other.autopilot.json', JSON.stringify(fakeDevices(1, 'NOPROF').map((d) => ({ ...d, groupTag: 'Warehouse' }))));
    const waited = await cli(['import', untargeted, '--wait-profile', '--timeout', '5']);
    assert.equal(waited.code, 3, waited.stderr);
    assert.match(waited.stderr, /profile notAssigned — no profile targets its group tag/);
  });
});
