import * as assert from 'node:assert/strict';
import { AutopilotGraph, isProfileAssigned } from '../../../src/graph/autopilot';
import { GraphClient } from '../../../src/graph/client';
import { DirectoryGraph } from '../../../src/graph/directory';
import { GraphError } from '../../../src/graph/errors';
import { ManagedDevicesGraph, isRealManagedDeviceId } from '../../../src/graph/managedDevices';
import type { RegisteredDevice } from '../../../src/graph/types';
import { DEFAULT_TENANT_ID } from '../../emulator/auth';
import { startGraphEmulator, type GraphEmulator } from '../../emulator/server';
import type { RegisteredRecord } from '../../emulator/state';

const LIST_PATH = '/v1.0/deviceManagement/windowsAutopilotDeviceIdentities';

describe('Graph client: registered devices, managed devices, groups', function () {
  this.timeout(20_000);
  let emulator: GraphEmulator;
  let client: GraphClient;
  let graph: AutopilotGraph;

  function register(serials: readonly string[], groupTag?: string): RegisteredRecord[] {
    return serials.map((serialNumber) => emulator.state.seedRegistered(DEFAULT_TENANT_ID, { serialNumber, hardwareIdentifier: `hash-${serialNumber}`, groupTag }));
  }

  async function everything(options: Parameters<AutopilotGraph['listRegisteredDevices']>[0] = {}): Promise<RegisteredDevice[]> {
    const all: RegisteredDevice[] = [];
    for await (const page of graph.listRegisteredDevices(options)) all.push(...page);
    return all;
  }

  beforeEach(async () => {
    emulator = await startGraphEmulator({ budgets: false, timing: { profilePendingDelayMs: 0, profileAssignedDelayMs: 0, deletionLagMs: 0 } });
    client = new GraphClient({ graphRoot: emulator.url, getAccessToken: async () => emulator.staticToken, retry: { baseDelayMs: 10, maxDelayMs: 50 } });
    graph = new AutopilotGraph(client);
  });

  afterEach(async () => {
    client.dispose();
    await emulator.close();
  });

  it('lists every registered device once through the inclusive cursor, 2,001 devices in 3 requests, never with $select', async () => {
    register(Array.from({ length: 2001 }, (_, i) => `SN${String(i).padStart(5, '0')}`));
    const devices = await everything();
    assert.equal(devices.length, 2001);
    assert.equal(new Set(devices.map((d) => d.id)).size, 2001);
    const lists = emulator.requests.filter((r) => r.path === LIST_PATH);
    assert.equal(lists.length, 3);
    assert.ok(lists.every((r) => !('$select' in r.query)));
  });

  it('stops when the cursor repeats its page (two devices share a serial, one per page) and says the list is incomplete', async () => {
    register(['Default string', 'Default string', 'ZZZ']);
    let stopped: string | undefined;
    const devices = await everything({ pageSize: 1, onIncomplete: (reason) => (stopped = reason) });
    assert.equal(stopped, 'repeated-link');
    assert.deepEqual(devices.map((d) => d.serialNumber), ['Default string']);
    assert.ok(emulator.requests.filter((r) => r.path === LIST_PATH).length <= 3, 'no endless loop');
  });

  it('reads the profile assignment from beta, with the profile name', async () => {
    const [device] = register(['PROF1'], 'Sales');
    emulator.state.tenant(DEFAULT_TENANT_ID).directory.addProfile('User-driven', ['Sales'], Date.now() - 1000);
    const assignment = await graph.getProfileAssignment(device!.id);
    assert.deepEqual([assignment?.status, assignment?.profileName], ['assignedInSync', 'User-driven']);
    assert.ok(isProfileAssigned(assignment?.status) && isProfileAssigned('assignedUnkownSyncState') && !isProfileAssigned('notAssigned'));
    assert.ok(emulator.requests.some((r) => r.path.startsWith('/beta/') && r.query.$expand === 'deploymentProfile,intendedDeploymentProfile'));
    const [beta] = await everything({ apiVersion: 'beta' });
    assert.equal(beta!.deploymentProfileAssignmentStatus, 'assignedInSync');
  });

  it('deletes a registration: refused with a GraphError 400 while enrolled, then deleted after the managed device, then not-found', async () => {
    const [again] = register(['ENR1']);
    const managed = emulator.state.tenant(DEFAULT_TENANT_ID).directory.enroll(again!, Date.now());
    const listed = await graph.getRegisteredDevice(again!.id);
    assert.ok(isRealManagedDeviceId(listed?.managedDeviceId as string) && !isRealManagedDeviceId('00000000-0000-0000-0000-000000000000'));
    await assert.rejects(graph.deleteRegisteredDevice(again!.id), (error: unknown) => error instanceof GraphError && error.status === 400);

    const intune = new ManagedDevicesGraph(client);
    assert.deepEqual((await intune.findManagedDevicesBySerial('enr1')).map((d) => d.id), [managed.id]);
    assert.equal(await intune.deleteManagedDevice(managed.id), 'deleted');
    assert.equal(await intune.deleteManagedDevice(managed.id), 'not-found');
    assert.equal(await graph.deleteRegisteredDevice(again!.id), 'deleted');
    assert.equal(await graph.deleteRegisteredDevice(again!.id), 'not-found');
  });

  it('adds 45 devices to a group in three $batch requests: already-member and unknown objects are outcomes, not failures', async () => {
    const devices = register(Array.from({ length: 44 }, (_, i) => `GRP${i}`));
    const directory = emulator.state.tenant(DEFAULT_TENANT_ID).directory;
    const group = directory.addGroup('Autopilot - Pilot ring');
    const entra = new DirectoryGraph(client);
    const objectIds: string[] = [];
    for (const device of devices) objectIds.push((await entra.findDeviceByDeviceId(device.azureActiveDirectoryDeviceId))!.id);
    group.members.add(objectIds[3]!);
    const found = await entra.searchGroups('autopilot - pilot ring');
    assert.deepEqual(found.map((g) => g.id), [group.id]);

    const heard: string[] = [];
    const outcomes = await entra.addGroupMembers(group.id, [...objectIds, '11111111-2222-4333-8444-555555555555'], { onResult: (id) => heard.push(id) });
    assert.equal(emulator.requests.filter((r) => r.path === '/v1.0/$batch').length, 3);
    assert.equal(outcomes.get(objectIds[3]!)?.result, 'already-member');
    assert.equal(outcomes.get('11111111-2222-4333-8444-555555555555')?.result, 'not-found');
    assert.equal([...outcomes.values()].filter((o) => o.result === 'added').length, 43);
    assert.equal(group.members.size, 44);
    assert.equal(heard.length, 45);
  });

  it('throws a GraphError 403 when the token may not change group members', async () => {
    const [device] = register(['NOPERM']);
    const group = emulator.state.tenant(DEFAULT_TENANT_ID).directory.addGroup('G');
    const narrow = emulator.auth.mintToken({ permissions: ['DeviceManagementServiceConfig.ReadWrite.All', 'Device.Read.All', 'GroupMember.Read.All'] });
    const narrowClient = new GraphClient({ graphRoot: emulator.url, getAccessToken: async () => narrow });
    try {
      const entra = new DirectoryGraph(narrowClient);
      const object = await entra.findDeviceByDeviceId(device!.azureActiveDirectoryDeviceId);
      await assert.rejects(entra.addGroupMembers(group.id, [object!.id]), (error: unknown) => error instanceof GraphError && error.status === 403);
    } finally {
      narrowClient.dispose();
    }
  });
});
