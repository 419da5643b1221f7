/**
 * After the import, in a real VS Code against the sandbox tenant with a 3,000-device fleet (emulated Entra ID and
 * Graph, untidy as Intune: an inclusive paging cursor, beta-only profile status, deletes refused while enrolled):
 * the Autopilot Devices view (paging once, filter, a serial not in the list, refresh), a bulk edit from a file
 * through its plan, a delete and a retire, group membership with incremental consent, and corporate identifiers
 * written from registered devices.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/extension';
import { planSummary, type ChangeCommandResult } from '../../../src/commands/deviceChanges';
import type { ChangeRunView } from '../../../src/import/lifecycle/api';
import type { ImportFileResult } from '../../../src/commands/importFile';
import type { FilterResult } from '../../../src/commands/filterDevices';
import type { WrittenIdentifierFiles } from '../../../src/commands/identifierFiles';
import type { RegisteredDevicesNode } from '../../../src/views/registeredDevicesTreeProvider';
import { CONTOSO } from '../../emulator/identity/directory';
import type { SandboxTenant } from '../../emulator/sandboxTenant';
import { fakeDevices } from '../../emulator/hashes';
import type { RegisteredRecord } from '../../emulator/state';
import { openSandboxSession, type SandboxSession } from './sandboxSession';
import { eventually } from '../../support/eventually';

const FLEET = 3000;
const SETTINGS: Record<string, unknown> = { cloud: 'custom', 'import.askForGroupTag': false, 'poll.intervalSeconds': 1, 'import.settleSeconds': 0.8, 'auth.flow': 'deviceCode', 'retire.waitMinutes': 2, 'retire.retrySeconds': 0.3 };
const LIST_PATH = '/beta/deviceManagement/windowsAutopilotDeviceIdentities';

function workspaceFile(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the integration tests need the fixture workspace open');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

function tooltipText(item: vscode.TreeItem): string {
  return (typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? '')).replace(/\\(.)/g, '$1');
}

describe('Autopilot Devices in VS Code (sandbox tenant, 3,000 devices)', function () {
  this.timeout(180_000);
  let session: SandboxSession;
  let sandbox: SandboxTenant;
  let api: ExtensionApi;
  const tenant = () => sandbox.graph.state.tenant(CONTOSO.id);
  const listRequests = () => sandbox.graph.requests.filter((request) => request.method === 'GET' && request.path === LIST_PATH && !request.query.$filter).length;
  const record = (serial: string) => [...tenant().registered.values()].find((device) => device.serialNumber === serial && device.deletedAt === undefined);
  const node = (device: RegisteredRecord): RegisteredDevicesNode => api.devices.tree.deviceNode(device.id);
  const fleet = (predicate: (device: RegisteredRecord) => boolean) => [...tenant().registered.values()].filter((device) => device.deletedAt === undefined && predicate(device));

  /** Approves the consent sign-in the next command starts (the device-code page, as an administrator would). */
  const approveNextDeviceCode = () => session.approveNextDeviceCode();

  before(async () => {
    session = await openSandboxSession({
      graph: { timing: { processingDelayMs: 1200, processingJitterMs: 0, registrationDelayMs: 1500, deletionLagMs: 1_000, profilePendingDelayMs: 1_000, profileAssignedDelayMs: 2_000 } },
      fleet: FLEET,
      settings: SETTINGS,
    });
    ({ api, sandbox } = session);
  });

  after(async () => {
    await session?.close();
  });

  it('pages the registered devices into the view by group tag, showing what has arrived, and never pages twice', async () => {
    const before = listRequests();
    const pagesSeen: number[] = [];
    const subscription = api.devices.model.onDidChange(() => pagesSeen.push(api.devices.model.size));
    try {
      // The tree starts the listing and returns at once with what has arrived (nothing yet).
      const first = api.devices.tree.getChildren();
      assert.ok(first.length < 5);
      await eventually('the whole list', () => api.devices.model.state === 'read');
    } finally {
      subscription.dispose();
    }
    const expected = sandbox.graph.state.visibleRegistered(CONTOSO.id).length;
    assert.equal(api.devices.model.size, expected);
    assert.ok(pagesSeen.some((size) => size > 0 && size < expected), 'devices showed before the listing finished');
    const requests = listRequests() - before;
    assert.ok(requests >= 3 && requests <= 5, `3,000 devices in a few pages, not ${requests} requests`);

    const groups = api.devices.tree.getChildren();
    assert.deepEqual(
      groups.map((group) => api.devices.tree.getTreeItem(group).label),
      ['Engineering', 'Finance', 'Kiosk', 'Sales', '(no group tag)'],
    );
    const sales = groups.find((group) => api.devices.tree.getTreeItem(group).label === 'Sales')!;
    const kiosk = groups.find((group) => api.devices.tree.getTreeItem(group).label === 'Kiosk')!;
    const salesItem = api.devices.tree.getTreeItem(api.devices.tree.getChildren(sales)[0]!);
    // Short enough for the default side bar: the profile status in the row, the rest (model said once) in the tooltip.
    assert.equal(salesItem.description, 'profile assigned');
    assert.match(tooltipText(salesItem), /Model: HP EliteBook 840 G10 {2}\n/);
    const kioskItem = api.devices.tree.getTreeItem(api.devices.tree.getChildren(kiosk)[0]!);
    assert.equal(kioskItem.description, 'no profile');
    assert.match(tooltipText(kioskItem), /Model: Dell Inc\. Latitude 7440/);
    assert.match(tooltipText(kioskItem), /No deployment profile targets a group this device is in \(group tag Kiosk\)/);
    assert.equal(api.devices.view.description, CONTOSO.domain);

    // Asking again (the view shown again, a plan) uses the cached list.
    await api.devices.service.load();
    await api.devices.service.index();
    api.devices.tree.getChildren();
    assert.equal(listRequests() - before, requests);
  });

  it('filters the cached list by group tag, model or user without a request, and finds a serial registered since', async () => {
    const before = sandbox.graph.requests.length;
    const kiosk = await vscode.commands.executeCommand<FilterResult>('autopilot.filterDevices', 'tag:kiosk');
    assert.equal(kiosk.shown, fleet((device) => device.groupTag === 'Kiosk').length);
    assert.deepEqual(api.devices.tree.getChildren().map((group) => api.devices.tree.getTreeItem(group).label), ['Kiosk']);
    assert.match(String(api.devices.view.description), /of 3,00\d match "tag:kiosk"/);
    const latitude = await vscode.commands.executeCommand<FilterResult>('autopilot.filterDevices', 'model:latitude');
    assert.equal(latitude.shown, fleet((device) => device.model === 'Latitude 7440').length);
    const user = await vscode.commands.executeCommand<FilterResult>('autopilot.filterDevices', 'user:user40@');
    assert.ok(user.shown >= 1);
    assert.equal(sandbox.graph.requests.length, before, 'filtering sends nothing');

    // A device registered after the list was read: the serial filter asks Graph (contains, as eq answers 400).
    const late = sandbox.graph.state.seedRegistered(CONTOSO.id, { serialNumber: 'LATE-0001', hardwareIdentifier: 'AAAA', groupTag: 'Kiosk' });
    const found = await vscode.commands.executeCommand<FilterResult>('autopilot.filterDevices', 'serial:LATE-0001');
    assert.equal(found.lookedUp, 1);
    assert.equal(found.shown, 1);
    assert.ok(api.devices.model.device(late.id));
    await vscode.commands.executeCommand('autopilot.clearDeviceFilter');
    assert.equal(api.devices.model.filter, undefined);
  });

  it('refreshes: lists the tenant again and shows what changed there', async () => {
    const before = listRequests();
    const extra = sandbox.graph.state.seedRegistered(CONTOSO.id, { serialNumber: 'REFRESH01', hardwareIdentifier: 'BBBB', groupTag: 'Finance' });
    const size = await vscode.commands.executeCommand<number>('autopilot.refreshDevices');
    assert.ok(listRequests() > before);
    assert.equal(size, sandbox.graph.state.visibleRegistered(CONTOSO.id).length);
    assert.ok(api.devices.model.device(extra.id));
  });

  it('updates devices from a file through its plan: declined sends nothing, confirmed changes exactly what the plan said', async () => {
    const kiosk = fleet((device) => device.groupTag === 'Kiosk' && !device.managedDeviceId).slice(0, 3);
    const lines = ['Serial Number,Group Tag,Display Name', `${kiosk[0]!.serialNumber},Sales,`, `${kiosk[1]!.serialNumber},Sales,KIOSK-01`, `${kiosk[2]!.serialNumber},Kiosk,`, 'NOSUCHSERIAL,Sales,'];
    const uri = workspaceFile('updates.csv');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(`${lines.join('\r\n')}\r\n`));
    const writes = () => sandbox.graph.requests.filter((request) => request.path.endsWith('/updateDeviceProperties')).length;

    const declined = await vscode.commands.executeCommand<ChangeCommandResult | undefined>('autopilot.updateDevicesFromFile', uri);
    assert.equal(declined, undefined, 'the plan is a modal question; this window dismisses it');
    assert.equal(writes(), 0);

    const result = await vscode.commands.executeCommand<ChangeCommandResult>('autopilot.updateDevicesFromFile', uri, { confirmed: true });
    assert.deepEqual(result.plan.counts, { update: 2, unchanged: 1, 'not-found': 1, duplicate: 0 });
    assert.deepEqual(result.plan.devices[1]!.changes, { groupTag: { from: 'Kiosk', to: 'Sales' }, displayName: { from: '', to: 'KIOSK-01' } });
    assert.equal(result.run?.counts.updated, 2);
    assert.equal(writes(), 2);
    assert.equal(record(kiosk[0]!.serialNumber)!.groupTag, 'Sales');
    assert.equal(record(kiosk[1]!.serialNumber)!.displayName, 'KIOSK-01');
    // The view follows without listing again.
    assert.equal(api.devices.model.device(kiosk[0]!.id)?.groupTag, 'Sales');

    const bad = workspaceFile('updates-bad.csv');
    await vscode.workspace.fs.writeFile(bad, Buffer.from(`Serial Number,Display Name\r\n${kiosk[2]!.serialNumber},12345\r\n`));
    const refused = await vscode.commands.executeCommand<ChangeCommandResult | undefined>('autopilot.updateDevicesFromFile', bad, { confirmed: true });
    assert.equal(refused, undefined, 'a display name of digits only is refused before anything is sent');
    assert.equal(writes(), 2);
  });

  it('updates devices from a *.autopilot.json keyed by serial: its plan names the changes from → to and the serials not found', async () => {
    const kiosk = fleet((device) => device.groupTag === 'Kiosk' && !device.managedDeviceId && !device.userPrincipalName).slice(40, 43);
    const rows = [
      { serialNumber: kiosk[0]!.serialNumber, groupTag: 'Sales', userPrincipalName: '' },
      { serialNumber: kiosk[1]!.serialNumber, groupTag: 'Sales', displayName: '' },
      { serialNumber: kiosk[2]!.serialNumber, userPrincipalName: 'adele@contoso.onmicrosoft.com' },
      { serialNumber: 'NOSUCH-1', groupTag: 'Sales' },
      { serialNumber: 'NOSUCH-2', groupTag: 'Sales' },
    ];
    const uri = workspaceFile('retag.autopilot.json');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify(rows, null, 2)));
    const writes = () => sandbox.graph.requests.filter((request) => request.path.endsWith('/updateDeviceProperties'));
    const before = writes().length;
    const declined = await vscode.commands.executeCommand<ChangeCommandResult | undefined>('autopilot.updateDevicesFromFile', uri);
    assert.equal(declined, undefined, 'nothing happens until the plan is confirmed');
    assert.equal(writes().length, before);

    const result = await vscode.commands.executeCommand<ChangeCommandResult>('autopilot.updateDevicesFromFile', uri, { confirmed: true });
    assert.deepEqual(result.plan.counts, { update: 3, unchanged: 0, 'not-found': 2, duplicate: 0 });
    // An empty value leaves the device's value as it is: only the group tag of the first two changes.
    assert.deepEqual(result.plan.devices[0]!.changes, { groupTag: { from: 'Kiosk', to: 'Sales' } });
    assert.equal(planSummary(result.plan, 'update'), '2 group tags change: Kiosk → Sales; 1 assigned user changes: — → adele@contoso.onmicrosoft.com; 2 serials not found');
    assert.equal(result.run?.counts.updated, 3);
    const sent = writes().slice(before).map((request) => request.body);
    assert.deepEqual(sent[0], { groupTag: 'Sales' });
    assert.equal(record(kiosk[2]!.serialNumber)!.userPrincipalName, 'adele@contoso.onmicrosoft.com');
    assert.equal(record(kiosk[2]!.serialNumber)!.groupTag, 'Kiosk');
  });

  it('finishes a change interrupted mid-way: offers to continue it once, and repeats nothing that was done', async () => {
    const finance = fleet((device) => device.groupTag === 'Finance' && !device.managedDeviceId).slice(10, 20);
    const items = finance.map((device) => ({ serialNumber: device.serialNumber, id: device.id, changes: { groupTag: { from: 'Finance', to: 'Lab' } } }));
    const stop = new AbortController();
    let seen: ChangeRunView | undefined;
    await assert.rejects(
      api.devices.service.change(
        { operation: 'update', items, source: 'ten Finance devices' },
        {
          signal: stop.signal,
          onProgress: (view) => {
            seen = view;
            // The window goes away after four devices: the rest stay pending in the journal.
            if (view.counts.updated === 4) stop.abort();
          },
        },
      ),
    );
    assert.ok(seen);
    const runId = seen.id;
    const pending = await api.devices.service.unfinished();
    assert.deepEqual(pending.map((run) => [run.id, run.counts.updated, run.counts.pending]), [[runId, 4, 6]]);
    assert.deepEqual(await api.devices.offerToFinish(), [runId], 'the interrupted change is offered');
    assert.deepEqual(await api.devices.offerToFinish(), [], 'and only once');

    const finished = await vscode.commands.executeCommand<ChangeRunView>('autopilot.continueDeviceChange', runId);
    assert.equal(finished.counts.updated, 10);
    assert.equal(finished.finished, true);
    for (const device of finance) {
      const sent = sandbox.graph.requests.filter((request) => request.path.endsWith(`/${device.id}/updateDeviceProperties`)).length;
      assert.equal(sent, 1, `${device.serialNumber} was updated exactly once`);
      assert.equal(tenant().registered.get(device.id)!.groupTag, 'Lab');
    }
    assert.deepEqual(await api.devices.service.unfinished(), []);
  });

  it('edits a multi-selection in the view after its plan', async () => {
    const finance = fleet((device) => device.groupTag === 'Finance' && !device.managedDeviceId).slice(0, 2);
    const nodes = finance.map(node);
    const result = await vscode.commands.executeCommand<ChangeCommandResult>('autopilot.editDevices', nodes[0], nodes, { field: 'groupTag', value: 'Pilot', confirmed: true });
    assert.equal(result.run?.counts.updated, 2);
    // By id: the fleet has two devices named 'Default string', as real tenants do; the selection is what changes.
    for (const device of finance) assert.equal(tenant().registered.get(device.id)!.groupTag, 'Pilot');
    await eventually('the Pilot group in the view', () => api.devices.tree.getChildren().some((group) => api.devices.tree.getTreeItem(group).label === 'Pilot'));
  });

  it('deletes registrations, reporting a device still enrolled in Intune instead of deleting it', async () => {
    const [plain] = fleet((device) => device.groupTag === 'Engineering' && !device.managedDeviceId);
    // The fleet's enrolled devices are untagged VMware machines (serials with spaces and hyphens).
    const [enrolled] = fleet((device) => !device.groupTag && Boolean(device.managedDeviceId));
    const nodes = [node(plain!), node(enrolled!)];
    const result = await vscode.commands.executeCommand<ChangeCommandResult>('autopilot.deleteDevices', nodes[0], nodes, { confirmed: true });
    assert.deepEqual(result.plan.counts, { delete: 1, 'still-enrolled': 1, 'not-found': 0, duplicate: 0 });
    assert.equal(result.run?.counts.deleted, 1);
    assert.equal(result.run?.counts['still-enrolled'], 1);
    assert.ok(tenant().registered.get(plain!.id)?.deletedAt !== undefined);
    assert.equal(tenant().registered.get(enrolled!.id)?.deletedAt, undefined);
    assert.equal(api.devices.model.device(plain!.id), undefined, 'gone from the view at once');
  });

  it('retires an enrolled device: asks for the managed-device permission once, removes it from Intune, then the registration, and leaves the Entra device', async () => {
    const [, enrolled] = fleet((device) => !device.groupTag && Boolean(device.managedDeviceId));
    const entraBefore = tenant().directory.entraDeviceByDeviceId(enrolled!.azureActiveDirectoryDeviceId!);
    sandbox.identity.userConsentAllowed = true;
    const retired = vscode.commands.executeCommand<ChangeCommandResult>('autopilot.retireDevices', node(enrolled!), undefined, { confirmed: true });
    await approveNextDeviceCode();
    const result = await retired;
    assert.equal(result.run?.counts.deleted, 1, JSON.stringify(result.run?.devices));
    const managedDelete = sandbox.graph.requests.find((request) => request.method === 'DELETE' && request.path.includes('/managedDevices/'));
    const registrationDelete = sandbox.graph.requests.filter((request) => request.method === 'DELETE' && request.path.endsWith(`/windowsAutopilotDeviceIdentities/${enrolled!.id}`));
    assert.ok(managedDelete && registrationDelete.length >= 1 && managedDelete.seq < registrationDelete[0]!.seq, 'Intune first, then Autopilot');
    assert.ok(tenant().registered.get(enrolled!.id)?.deletedAt !== undefined);
    assert.ok(entraBefore && tenant().directory.entraDevices.has(entraBefore.id), 'the Entra device is left alone');
  });

  it('retires with the Entra device too when asked: consent for it first, then Intune, Autopilot, and Entra once Autopilot lets the device go', async () => {
    const [, , enrolled] = fleet((device) => !device.groupTag && Boolean(device.managedDeviceId));
    const entra = tenant().directory.entraDeviceByDeviceId(enrolled!.azureActiveDirectoryDeviceId!)!;
    const retired = vscode.commands.executeCommand<ChangeCommandResult>('autopilot.retireDevices', node(enrolled!), undefined, { confirmed: true, deleteEntraDevices: true });
    // Deleting Entra devices needs Directory.AccessAsUser.All, asked for now (incremental consent).
    await approveNextDeviceCode();
    const result = await retired;
    assert.equal(result.run?.counts.deleted, 1, JSON.stringify(result.run?.devices));
    assert.equal(tenant().directory.entraDevices.has(entra.id), false, 'the Entra device is gone');
    const deletes = sandbox.graph.requests.filter((request) => request.method === 'DELETE');
    const managed = deletes.find((request) => request.path.includes('/managedDevices/'))!;
    const registration = deletes.find((request) => request.path.endsWith(`/windowsAutopilotDeviceIdentities/${enrolled!.id}`))!;
    const entraDeletes = deletes.filter((request) => request.path.endsWith(`/devices/${entra.id}`));
    assert.ok(managed.seq < registration.seq && registration.seq < entraDeletes[0]!.seq, 'Intune, then Autopilot, then Entra');
    // Entra refuses while Autopilot still lists the device (the deletion lag); the retire asks again until it may.
    assert.ok(entraDeletes.length >= 2, `Entra was asked again after its refusal (${entraDeletes.length} deletes)`);
  });

  it('retire without the option leaves the Entra device: no Entra delete is sent', async () => {
    const [, , , enrolled] = fleet((device) => !device.groupTag && Boolean(device.managedDeviceId));
    const entra = tenant().directory.entraDeviceByDeviceId(enrolled!.azureActiveDirectoryDeviceId!)!;
    const result = await vscode.commands.executeCommand<ChangeCommandResult>('autopilot.retireDevices', node(enrolled!), undefined, { confirmed: true });
    assert.equal(result.run?.counts.deleted, 1);
    assert.ok(tenant().directory.entraDevices.has(entra.id));
    assert.equal(sandbox.graph.requests.filter((request) => request.method === 'DELETE' && request.path.endsWith(`/devices/${entra.id}`)).length, 0);
  });

  it('adds devices to an Entra group 20 per request: asks for consent once, and a member already there is not a failure', async () => {
    const pilot = [...tenant().directory.groups.values()].find((group) => group.displayName === 'Autopilot - Pilot ring')!;
    const devices = fleet((device) => device.groupTag === 'Kiosk' && !device.managedDeviceId).slice(3, 28);
    const already = tenant().directory.entraDeviceByDeviceId(devices[0]!.azureActiveDirectoryDeviceId!)!;
    pilot.members.add(already.id);
    const nodes = devices.map(node);
    const added = vscode.commands.executeCommand<ChangeCommandResult>('autopilot.addDevicesToGroup', nodes[0], nodes, { group: 'Autopilot - Pilot ring', confirmed: true });
    await approveNextDeviceCode();
    const result = await added;
    assert.equal(result.run?.counts.added, 24);
    assert.equal(result.run?.counts['already-member'], 1);
    assert.equal(result.run?.counts.failed, 0);
    assert.equal(pilot.members.size, 25);
    const batches = sandbox.graph.requests.filter((request) => request.path.endsWith('/$batch'));
    assert.ok(batches.length >= 2 && batches.every((request) => ((request.body as { requests: unknown[] }).requests ?? []).length <= 20));
  });

  it('writes corporate identifiers (manufacturer, model, serial) of the selected registered devices', async () => {
    const devices = fleet((device) => device.groupTag === 'Finance').slice(0, 3);
    const nodes = devices.map(node);
    const written = await vscode.commands.executeCommand<WrittenIdentifierFiles>('autopilot.writeDeviceIdentifiers', nodes[0], nodes, { target: workspaceFile('identifiers', 'finance.identifiers.csv') });
    assert.equal(written.files.length, 1);
    const text = Buffer.from(await vscode.workspace.fs.readFile(written.files[0]!)).toString('utf8');
    assert.deepEqual(
      text.trim().split(/\r?\n/),
      devices.map((device) => `${device.manufacturer},${device.model},${device.serialNumber}`).sort(),
    );
  });

  it('plans an import: devices registered here already (806) and repeated lines are named first, and skipped when the user says so', async () => {
    const [registered] = fleet((device) => device.groupTag === 'Engineering' && !device.managedDeviceId);
    const [first, second, third, fourth] = fakeDevices(4, 'PLANNED');
    const csv = [
      'Device Serial Number,Windows Product ID,Hardware Hash',
      `${first!.serialNumber},,${first!.hardwareIdentifier}`,
      `${second!.serialNumber},,${second!.hardwareIdentifier}`,
      `${registered!.serialNumber},,${third!.hardwareIdentifier}`,
      // The same serial again with another hash: a warning in the editor, a duplicate in the plan.
      `${first!.serialNumber},,${fourth!.hardwareIdentifier}`,
    ];
    const uri = workspaceFile('imports', 'planned.csv');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(`${csv.join('\r\n')}\r\n`));
    const sent = (serial: string) => sandbox.graph.requests.filter((request) => request.method === 'POST' && request.path.includes('importedWindowsAutopilotDeviceIdentities') && JSON.stringify(request.body).includes(serial)).length;

    const declined = await vscode.commands.executeCommand<ImportFileResult | undefined>('autopilot.importFile', uri, { groupTag: null, acceptWarnings: true });
    assert.equal(declined, undefined, 'the plan is a modal question; this window dismisses it, and nothing is sent');
    assert.equal(sent(first!.serialNumber), 0);

    const result = await vscode.commands.executeCommand<ImportFileResult>('autopilot.importFile', uri, { groupTag: null, acceptWarnings: true, skipRegistered: true });
    assert.ok(result && 'run' in result, JSON.stringify(result));
    assert.deepEqual(result.run.devices.map((device) => device.serialNumber).sort(), [first!.serialNumber, second!.serialNumber]);
    assert.equal(sent(registered!.serialNumber), 0, 'the registered device was not sent (it would have ended in 806)');
    assert.equal(sent(first!.serialNumber), 1, 'the repeated line was sent once');

    // Every device registered already: nothing is sent, and the result says so.
    const only = workspaceFile('imports', 'registered-only.csv');
    await vscode.workspace.fs.writeFile(only, Buffer.from(`${csv[0]}\r\n${csv[3]}\r\n`));
    const nothing = await vscode.commands.executeCommand<ImportFileResult | undefined>('autopilot.importFile', only, { groupTag: null, acceptWarnings: true, skipRegistered: true });
    assert.equal(nothing?.outcome, 'nothing-to-import');
    assert.equal(sent(registered!.serialNumber), 0);
  });

  it('follows imported devices in Recent Imports until their profile is assigned, or says why not yet', async () => {
    const [sales, kiosk] = fakeDevices(2, 'PROFILE');
    const csv = ['Device Serial Number,Windows Product ID,Hardware Hash,Group Tag', `${sales!.serialNumber},,${sales!.hardwareIdentifier},Sales`, `${kiosk!.serialNumber},,${kiosk!.hardwareIdentifier},Kiosk`];
    const uri = workspaceFile('imports', 'profiles.csv');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(`${csv.join('\r\n')}\r\n`));
    const result = await vscode.commands.executeCommand<ImportFileResult>('autopilot.importFile', uri, { groupTag: null });
    assert.ok(result && 'runId' in result, JSON.stringify(result));
    const tree = api.importing.tree;
    // Tooltips as hovering shows them (resolved when shown).
    const items = () => tree.getChildren(tree.runNode(result.runId)).then((nodes) => nodes.map((child) => tree.resolveTreeItem(tree.getTreeItem(child), child)));
    // At the default side bar width an unassigned profile takes the place of "registered"; an assigned one leaves it.
    let last = '';
    await eventually('the Sales device assigned and the Kiosk device explained', async () => {
      const [first, second] = await items();
      last = `${String(first?.description)} | ${first ? tooltipText(first) : ''} | ${String(second?.description)}`;
      return first?.description === 'registered · Sales' && /profile(&nbsp;| )assigned/.test(tooltipText(first)) && second?.description === 'no profile · Kiosk' ? true : undefined;
    }, 60_000).catch((error: unknown) => {
      throw new Error(`${(error as Error).message}; last seen: ${last}`);
    });
    const kioskItem = (await items())[1]!;
    assert.match(tooltipText(kioskItem), /No deployment profile targets a group this device is in \(group tag Kiosk\)/);
  });
});

