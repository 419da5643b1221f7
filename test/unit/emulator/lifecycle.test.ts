import * as assert from 'node:assert/strict';
import fetch from 'node-fetch';
import { DEFAULT_TENANT_ID } from '../../emulator/auth';
import { seedFleet } from '../../emulator/fleet';
import { startGraphEmulator, type GraphEmulator, type GraphEmulatorOptions } from '../../emulator/server';
import type { RegisteredRecord } from '../../emulator/state';
import { FakeClock } from '../../support/fakeClock';

const REGISTERED = '/v1.0/deviceManagement/windowsAutopilotDeviceIdentities';
const REGISTERED_BETA = '/beta/deviceManagement/windowsAutopilotDeviceIdentities';

describe('Graph emulator: registered devices, managed devices, Entra groups (raw HTTP)', function () {
  this.timeout(10_000);
  let emulator: GraphEmulator;
  let clock: FakeClock;

  async function start(options: GraphEmulatorOptions = {}): Promise<void> {
    clock = new FakeClock();
    emulator = await startGraphEmulator({ clock, budgets: false, timing: { profilePendingDelayMs: 10_000, profileAssignedDelayMs: 60_000, deletionLagMs: 30_000 }, ...options });
  }

  async function call(method: string, path: string, body?: unknown, token = emulator.staticToken): Promise<{ status: number; body: Record<string, unknown> }> {
    const url = /^https?:/.test(path) ? path : `${emulator.url}${path}`;
    const response = await fetch(url, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  function register(serials: readonly string[], groupTag?: string): RegisteredRecord[] {
    return serials.map((serialNumber) => emulator.state.seedRegistered(DEFAULT_TENANT_ID, { serialNumber, hardwareIdentifier: `hash-${serialNumber}`, groupTag }));
  }

  async function allRows(path: string, maxPages = 20): Promise<{ serials: string[]; pages: number; looped: boolean }> {
    const serials: string[] = [];
    let next: string | undefined = path;
    let pages = 0;
    let previous: string | undefined;
    while (next && pages < maxPages) {
      if (next === previous) return { serials, pages, looped: true };
      const page = await call('GET', next);
      assert.equal(page.status, 200, JSON.stringify(page.body));
      serials.push(...(page.body.value as { serialNumber: string }[]).map((d) => d.serialNumber));
      previous = next.startsWith('http') ? next : `${emulator.url}${next}`;
      next = page.body['@odata.nextLink'] as string | undefined;
      pages++;
    }
    return { serials, pages, looped: false };
  }

  beforeEach(() => start());
  afterEach(() => emulator.close());

  it("pages with Intune's inclusive serial cursor: the boundary device comes again, and $top=1 loops on the same link", async () => {
    register(['E5', 'A1', 'C3', 'B2', 'D4']);
    const two = await allRows(`${REGISTERED}?$top=2`);
    assert.deepEqual(two.serials, ['A1', 'B2', 'B2', 'C3', 'C3', 'D4', 'D4', 'E5']);
    const first = await call('GET', `${REGISTERED}?$top=1`);
    const link = first.body['@odata.nextLink'] as string;
    assert.match(decodeURIComponent(link), /\$skiptoken=LastSerialNumber='A1'/);
    const second = await call('GET', link);
    assert.equal(second.body['@odata.nextLink'], link, 'the next link of the next page is the request itself');
    assert.deepEqual((second.body.value as { serialNumber: string }[]).map((d) => d.serialNumber), ['A1']);
  });

  it('gives each device once with the tidy exclusive cursor, asked for by name', async () => {
    await emulator.close();
    await start({ tidy: { exclusiveCursor: true } });
    register(['E5', 'A1', 'C3', 'B2', 'D4']);
    const rows = await allRows(`${REGISTERED}?$top=2`);
    assert.deepEqual([...rows.serials].sort(), ['A1', 'B2', 'C3', 'D4', 'E5']);
  });

  it('answers $select with 500, eq and hyphenated contains with 400, and a plain contains with the matches', async () => {
    register(['ABC-123', 'XYZ123']);
    assert.equal((await call('GET', `${REGISTERED}?$select=id,serialNumber`)).status, 500);
    assert.equal((await call('GET', `${REGISTERED_BETA}?$select=serialNumber`)).status, 500);
    assert.equal((await call('GET', `${REGISTERED}?$filter=${encodeURIComponent("serialNumber eq 'XYZ123'")}`)).status, 400);
    assert.equal((await call('GET', `${REGISTERED}?$filter=${encodeURIComponent("contains(serialNumber,'ABC-123')")}`)).status, 400);
    const found = await call('GET', `${REGISTERED}?$filter=${encodeURIComponent("contains(serialNumber,'123')")}`);
    assert.deepEqual((found.body.value as { serialNumber: string }[]).map((d) => d.serialNumber).sort(), ['ABC-123', 'XYZ123']);
  });

  it('moves the beta-only profile status notAssigned → pending → assignedInSync only when a profile targets the group tag', async () => {
    const [sales] = register(['SALES1'], 'Sales');
    const [other] = register(['OTHER1'], 'Warehouse');
    emulator.state.tenant(DEFAULT_TENANT_ID).directory.addProfile('Profile', ['sales'], clock.now());
    const status = async (device: RegisteredRecord) => (await call('GET', `${REGISTERED_BETA}/${device.id}`)).body.deploymentProfileAssignmentStatus;
    const v1 = (await call('GET', `${REGISTERED}/${sales!.id}`)).body;
    assert.ok(!('deploymentProfileAssignmentStatus' in v1) && !('azureAdDeviceId' in v1), 'v1.0 has no profile status');
    assert.equal(await status(sales!), 'notAssigned');
    await clock.advance(10_000);
    assert.equal(await status(sales!), 'pending');
    await clock.advance(50_000);
    assert.equal(await status(sales!), 'assignedInSync');
    assert.equal(await status(other!), 'notAssigned');
    const expanded = await call('GET', `${REGISTERED_BETA}/${sales!.id}?$expand=deploymentProfile,intendedDeploymentProfile`);
    assert.equal((expanded.body.deploymentProfile as { displayName: string }).displayName, 'Profile');

    // A new group tag that the profile targets starts the assignment over.
    assert.equal((await call('POST', `${REGISTERED}/${other!.id}/updateDeviceProperties`, { groupTag: 'Sales' })).status, 204);
    assert.equal(await status(other!), 'notAssigned');
    await clock.advance(60_000);
    assert.equal(await status(other!), 'assignedInSync');
    assert.equal((await call('POST', `${REGISTERED}/${other!.id}/updateDeviceProperties`, { groupTag: 'X', colour: 'red' })).status, 400, 'unknown property');
  });

  it('refuses to delete the registration of an enrolled device (400), until the managed device is deleted and the lag has passed', async () => {
    const [device] = register(['ENROLLED1']);
    const managed = emulator.state.tenant(DEFAULT_TENANT_ID).directory.enroll(device!, clock.now());
    const view = (await call('GET', `${REGISTERED}/${device!.id}`)).body;
    assert.deepEqual([view.enrollmentState, view.managedDeviceId], ['enrolled', managed.id]);
    const refused = await call('DELETE', `${REGISTERED}/${device!.id}`);
    assert.equal(refused.status, 400);
    assert.match(JSON.stringify(refused.body), /Operation ID/);

    const found = await call('GET', `/v1.0/deviceManagement/managedDevices?$filter=${encodeURIComponent("serialNumber eq 'ENROLLED1'")}`);
    assert.deepEqual((found.body.value as { id: string }[]).map((d) => d.id), [managed.id]);
    assert.equal((await call('DELETE', `/v1.0/deviceManagement/managedDevices/${managed.id}`)).status, 204);
    assert.equal((await call('DELETE', `${REGISTERED}/${device!.id}`)).status, 400, 'Intune still counts it as enrolled');
    await clock.advance(30_000);
    assert.equal((await call('DELETE', `${REGISTERED}/${device!.id}`)).status, 204);
    assert.equal((await call('GET', `${REGISTERED}/${device!.id}`)).status, 200, 'deregistration takes a while');
    assert.equal((await call('DELETE', `${REGISTERED}/${device!.id}`)).status, 204, 'deleting again meanwhile is accepted');
    await clock.advance(30_000);
    assert.equal((await call('GET', `${REGISTERED}/${device!.id}`)).status, 404);

    const narrow = emulator.auth.mintToken({ permissions: ['DeviceManagementServiceConfig.ReadWrite.All'] });
    assert.equal((await call('GET', '/v1.0/deviceManagement/managedDevices', undefined, narrow)).status, 403);
  });

  it('finds Entra devices and groups, adds members with $ref (400 when already a member) and in batches of at most 20', async () => {
    const devices = register(['M1', 'M2', 'M3']);
    const directory = emulator.state.tenant(DEFAULT_TENANT_ID).directory;
    const group = directory.addGroup('Autopilot - Sales devices');
    directory.addGroup('Finance laptops');
    const objectOf = async (device: RegisteredRecord) => {
      const found = await call('GET', `/v1.0/devices?$filter=${encodeURIComponent(`deviceId eq '${device.azureActiveDirectoryDeviceId}'`)}`);
      return (found.body.value as { id: string }[])[0]!.id;
    };
    const ids = await Promise.all(devices.map(objectOf));
    const groups = await call('GET', `/v1.0/groups?$filter=${encodeURIComponent("startswith(displayName,'autopilot')")}`);
    assert.deepEqual((groups.body.value as { displayName: string }[]).map((g) => g.displayName), ['Autopilot - Sales devices']);

    const ref = (id: string) => ({ '@odata.id': `https://graph.microsoft.com/v1.0/directoryObjects/${id}` });
    assert.equal((await call('POST', `/v1.0/groups/${group.id}/members/$ref`, ref(ids[0]!))).status, 204);
    const again = await call('POST', `/v1.0/groups/${group.id}/members/$ref`, ref(ids[0]!));
    assert.equal(again.status, 400);
    assert.match(JSON.stringify(again.body), /already exist/);

    const batch = await call('POST', '/v1.0/$batch', {
      requests: ids.map((id, i) => ({ id: String(i + 1), method: 'POST', url: `/groups/${group.id}/members/$ref`, headers: { 'Content-Type': 'application/json' }, body: ref(id) })),
    });
    assert.equal(batch.status, 200);
    assert.deepEqual((batch.body.responses as { id: string; status: number }[]).map((r) => [r.id, r.status]), [['1', 400], ['2', 204], ['3', 204]]);
    assert.equal(group.members.size, 3);
    const tooMany = await call('POST', '/v1.0/$batch', { requests: Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/groups' })) });
    assert.equal(tooMany.status, 400);

    const readOnly = emulator.auth.mintToken({ permissions: ['DeviceManagementServiceConfig.ReadWrite.All', 'Device.Read.All'] });
    const denied = await call('POST', `/v1.0/groups/${group.id}/members/$ref`, ref(ids[1]!), readOnly);
    assert.equal(denied.status, 403);
    assert.match(JSON.stringify(denied.body), /Authorization_RequestDenied/);
  });

  it('seeds a fleet of 3,000 devices in several group tags with one profile, listed in 4 pages of 1,000 with repeats', async () => {
    const fleet = seedFleet(emulator.state, DEFAULT_TENANT_ID, { count: 3000 });
    assert.equal(fleet.devices.length, 3000);
    assert.ok(new Set(fleet.devices.map((d) => d.groupTag)).size >= 4);
    const rows = await allRows(REGISTERED);
    assert.equal(rows.pages, 4, 'three full pages, each repeating its boundary device on the next');
    assert.equal(rows.serials.length, 3003);
    const statuses = new Set<string>();
    for (const device of fleet.devices.slice(0, 10)) statuses.add(String((await call('GET', `${REGISTERED_BETA}/${device.id}`)).body.deploymentProfileAssignmentStatus));
    assert.deepEqual([...statuses].sort(), ['assignedInSync', 'notAssigned']);
  });
});
