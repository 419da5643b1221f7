/**
 * Importing inside a real VS Code, against the sandbox tenant (the identity emulator for sign-in, the Graph emulator
 * for Intune), both started in this extension host. The user signs in with a device code, then imports through the
 * commands; the tree is read through its real provider, and the emulator says what really reached "Intune".
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/extension';
import type { ImportFileResult } from '../../../src/commands/importFile';
import type { ProgressRun } from '../../../src/commands/importProgress';
import { DEFAULT_ENGINE_SETTINGS } from '../../../src/import/settings';
import { ImportService } from '../../../src/import/vscode/importService';
import { readImportSettings } from '../../../src/import/vscode/importSettings';
import { PollScheduler } from '../../../src/import/vscode/pollScheduler';
import { ImportsModel } from '../../../src/import/vscode/importsModel';
import { ImportsTreeProvider, type ImportsNode } from '../../../src/views/importsTreeProvider';
import { fakeDevices } from '../../emulator/hashes';
import { CONTOSO } from '../../emulator/identity/directory';
import { sandboxDevices, type SandboxTenant } from '../../emulator/sandboxTenant';
import { openSandboxSession, type SandboxSession } from './sandboxSession';
import { eventually } from '../../support/eventually';

const SETTINGS: Record<string, unknown> = {
  cloud: 'custom',
  'poll.intervalSeconds': 1,
  'import.askForGroupTag': false,
  'import.syncAfterImport': true,
  'import.batchSize': 500,
  // Intune may commit a write it answered with a failure up to a minute later; the sandbox does within 0.4 s.
  'import.settleSeconds': 0.8,
};

function workspaceFile(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the integration tests need the fixture workspace open');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

function tooltipText(item: vscode.TreeItem): string {
  return typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? '');
}

function iconId(item: vscode.TreeItem): string {
  return item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : '';
}

/** Asserts that an import ran (was not blocked by validation) and ended as `outcome`. */
function ranTo(result: ImportFileResult | undefined, outcome: 'processed' | 'stopped'): Extract<ImportFileResult, { runId: string }> {
  assert.ok(result && result.outcome !== 'blocked', `the import ran (outcome: ${String(result?.outcome)})`);
  assert.equal(result.outcome, outcome);
  return result;
}

/** Markdown escapes punctuation; compare tooltips without the backslashes. */
function plain(markdown: string): string {
  return markdown.replace(/\\(.)/g, '$1');
}

describe('Importing in VS Code (sandbox tenant: emulated Entra ID and Graph)', function () {
  this.timeout(120_000);
  let session: SandboxSession;
  let sandbox: SandboxTenant;
  let api: ExtensionApi;
  const configuration = () => vscode.workspace.getConfiguration('autopilot');
  const tree = () => api.importing.tree;

  /** How many import records were ever created per serial number (deleted ones included). */
  function recordsPerSerial(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const record of sandbox.graph.state.tenant(CONTOSO.id).created) counts.set(record.serialNumber, (counts.get(record.serialNumber) ?? 0) + 1);
    return counts;
  }

  async function runItems(runId: string): Promise<{ run: vscode.TreeItem; devices: vscode.TreeItem[]; nodes: ImportsNode[] }> {
    const roots = await tree().getChildren();
    const node = roots.find((candidate) => candidate.runId === runId && candidate.kind === 'run');
    assert.ok(node, `the tree shows run ${runId}`);
    const nodes = await tree().getChildren(node);
    // As hovering does: a device's tooltip is resolved when it is shown.
    return { run: tree().getTreeItem(node), devices: nodes.map((child) => tree().resolveTreeItem(tree().getTreeItem(child), child)), nodes };
  }

  /** The run's work in this window is over (sync and clean-up after processing included): its actions are offered. */
  function idle(runId: string): Promise<true> {
    return eventually(`run ${runId} to be idle`, () => api.imports.run(runId)?.activity === 'idle');
  }

  async function writeJsonPayload(name: string, devices: readonly { serialNumber: string; hardwareIdentifier: string; groupTag?: string }[]): Promise<vscode.Uri> {
    const uri = workspaceFile('imports', name);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify({ importedWindowsAutopilotDeviceIdentities: devices }, null, 2)));
    return uri;
  }

  before(async () => {
    session = await openSandboxSession({
      graph: { timing: { processingDelayMs: 1200, processingJitterMs: 0, registrationDelayMs: 1500, syncDurationMs: 300, syncMinIntervalMs: 10 * 60_000 } },
      settings: SETTINGS,
    });
    ({ api, sandbox } = session);
  });

  after(async () => {
    await session?.close();
  });

  let jsonRun = '';

  it('imports a JSON payload from its Uri: the tree shows the run, and each device ends complete or with its error explained', async () => {
    const devices = sandboxDevices(sandbox, 3, 'JSONDEV');
    const uri = await writeJsonPayload('sandbox.autopilot.json', devices);
    const result = ranTo(await vscode.commands.executeCommand<ImportFileResult>('autopilot.importFile', uri, { groupTag: null }), 'processed');
    jsonRun = result.runId;
    await idle(jsonRun);

    const { run, devices: items } = await runItems(jsonRun);
    assert.equal(run.label, 'sandbox.autopilot.json');
    // Short enough for the default side bar: what matters first, details in the tooltip.
    assert.match(String(run.description), /^2 failed$/);
    assert.match(plain(tooltipText(run)), /Tenant: contoso\.onmicrosoft\.com \(72f988bf/, 'the run names its tenant');
    assert.match(plain(tooltipText(run)), /Devices: 5 \(3 complete, 2 failed\)/);
    assert.deepEqual(items.map((item) => item.label), devices.map((device) => device.serialNumber));
    for (const item of items.slice(0, 3)) {
      assert.match(iconId(item), /^pass/, `${String(item.label)} is complete`);
      assert.match(String(item.contextValue), /^autopilotDevice;.*;deleteRecord;$/);
      assert.doesNotMatch(String(item.contextValue), /;retry;/);
    }
    const already = items[3]!;
    assert.equal(iconId(already), 'error');
    assert.equal(already.description, '806 · already here');
    assert.match(plain(tooltipText(already)), /806 · ZtdDeviceAlreadyAssigned/);
    assert.match(plain(tooltipText(already)), /Already registered in this tenant \(806\)/);
    assert.match(plain(tooltipText(already)), /\*\*Fix:\*\* Look the serial number up among registered Autopilot devices/);
    assert.match(plain(tooltipText(already)), /\*\*Here:\*\* Find Registered Device… shows the device Intune holds/);
    // Sending it again would fail the same way: no retry, but the registered device and the record's deletion.
    assert.doesNotMatch(String(already.contextValue), /;retry;/);
    assert.match(String(already.contextValue), /;findRegistered;(.*;)?deleteRecord;/);
    const resold = items[4]!;
    assert.equal(resold.description, '808 · other tenant');
    assert.match(plain(tooltipText(resold)), /\*\*Fix:\*\* An administrator of the tenant that holds the device, or the reseller or OEM that registered it, must deregister it/);
    assert.doesNotMatch(String(resold.contextValue), /;retry;/);
    assert.doesNotMatch(String(run.contextValue), /;retry;/, 'no failure of the run is worth a retry');

    // Each device reached Intune exactly once, and a sync followed the import (some devices completed).
    for (const device of devices) assert.equal(recordsPerSerial().get(device.serialNumber), 1, device.serialNumber);
    await eventually('the sync after import', () => sandbox.graph.state.tenant(CONTOSO.id).syncs.length === 1);
  });

  it('imports a UTF-16 CSV from the Explorer (a Uri) with a group tag override', async () => {
    const devices = fakeDevices(3, 'CSVU16');
    const csv = ['Device Serial Number,Windows Product ID,Hardware Hash,Group Tag', ...devices.map((d) => `${d.serialNumber},,${d.hardwareIdentifier},Sales`)].join('\r\n');
    const uri = workspaceFile('imports', 'utf16.csv');
    await vscode.workspace.fs.writeFile(uri, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${csv}\r\n`, 'utf16le')]));

    const result = ranTo(await vscode.commands.executeCommand<ImportFileResult>('autopilot.importFile', uri, { groupTag: 'Lab-7' }), 'processed');
    await idle(result.runId);
    const { run, devices: items } = await runItems(result.runId);
    assert.equal(run.label, 'utf16.csv');
    assert.match(String(run.description), /^3 (imported|registered)$/);
    for (const item of items) assert.match(String(item.description), /^(complete|registered) · Lab-7$/);
    const records = sandbox.graph.state.tenant(CONTOSO.id).created.filter((record) => record.serialNumber.startsWith('CSVU16'));
    assert.deepEqual(records.map((record) => record.groupTag), ['Lab-7', 'Lab-7', 'Lab-7'], 'the override replaced the file\'s group tag');
  });

  it('blocks a payload with errors, and sends nothing', async () => {
    const before = sandbox.graph.requests.length;
    const result = await vscode.commands.executeCommand<ImportFileResult>('autopilot.importFile', workspaceFile('payloads', 'bad-hash.autopilot.json'), { groupTag: null });
    assert.equal(result?.outcome, 'blocked');
    assert.ok(result.outcome === 'blocked' && result.errors > 0);
    // Earlier runs may still be watched (reads); no write may have happened.
    const writes = sandbox.graph.requests.slice(before).filter((request) => request.method !== 'GET');
    assert.deepEqual(writes.map((request) => `${request.method} ${request.path}`), [], 'nothing was sent to Graph');
  });

  it('asks before importing a payload with warnings, and imports it once accepted', async () => {
    const [device] = fakeDevices(1, 'WARN');
    const uri = await writeJsonPayload('warnings.autopilot.json', [{ ...device!, serialNumber: 'To Be Filled By O.E.M.' }]);
    const before = sandbox.graph.requests.length;
    // The question is modal; this test window dismisses modal dialogs, which is the user saying no.
    const declined = await vscode.commands.executeCommand<ImportFileResult | undefined>('autopilot.importFile', uri, { groupTag: null });
    assert.equal(declined, undefined, 'not imported without a yes');
    assert.equal(sandbox.graph.requests.slice(before).filter((request) => request.method !== 'GET').length, 0, 'nothing was sent');
    const accepted = ranTo(await vscode.commands.executeCommand<ImportFileResult>('autopilot.importFile', uri, { groupTag: null, acceptWarnings: true }), 'processed');
    assert.equal(accepted.run.devices[0]?.serialNumber, 'To Be Filled By O.E.M.');
    await idle(accepted.runId);
  });

  it('imports unsaved editor text as shown in the editor', async () => {
    const [first, second] = fakeDevices(2, 'UNSAVED');
    const uri = await writeJsonPayload('unsaved.autopilot.json', [first!]);
    const editor = await vscode.window.showTextDocument(uri);
    const text = JSON.stringify({ importedWindowsAutopilotDeviceIdentities: [first, second] }, null, 2);
    await editor.edit((edit) => edit.replace(new vscode.Range(0, 0, editor.document.lineCount, 0), text));
    assert.ok(editor.document.isDirty);
    const result = ranTo(await vscode.commands.executeCommand<ImportFileResult>('autopilot.importFile', uri, { groupTag: null }), 'processed');
    assert.deepEqual(result.run.devices.map((device) => device.serialNumber), ['UNSAVED000001', 'UNSAVED000002']);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('retries only the failures a retry can fix, after deleting their old records, and never sends 806 or 808 again', async () => {
    // One device fails on Intune's side (StorageError: worth a retry); 806 and 808 are not.
    const devices = [...fakeDevices(2, 'RETRY'), sandbox.registered, sandbox.foreign];
    sandbox.graph.state.forceOutcome('RETRY000002', { status: 'error', errorCode: 0, errorName: 'StorageError' });
    const uri = await writeJsonPayload('retry.autopilot.json', devices);
    // The plan names the device registered here; this test sends it anyway, to see Intune's 806.
    const result = ranTo(await vscode.commands.executeCommand<ImportFileResult>('autopilot.importFile', uri, { groupTag: null, skipRegistered: false }), 'processed');
    await idle(result.runId);
    const before = await runItems(result.runId);
    assert.match(String(before.run.contextValue), /;retry;/);
    assert.equal(before.devices[1]!.description, 'storage error');
    assert.match(String(before.devices[1]!.contextValue), /;retry;/);
    const failedBefore = sandbox.graph.state.tenant(CONTOSO.id).created.filter((record) => record.serialNumber === 'RETRY000002');

    // Retrying a device a retry cannot fix sends nothing (its menu does not offer it; a selection may include it).
    const writes = () => sandbox.graph.requests.filter((request) => request.method !== 'GET').length;
    const writesBefore = writes();
    const nothing = await vscode.commands.executeCommand<ProgressRun[]>('autopilot.retryFailed', tree().deviceNode(result.runId, 3));
    assert.deepEqual(nothing, []);
    assert.equal(writes(), writesBefore, 'nothing was sent for the 808 device');

    sandbox.graph.state.forcedOutcomes.clear();
    const runs = await vscode.commands.executeCommand<ProgressRun[]>('autopilot.retryFailed', tree().runNode(result.runId));
    assert.equal(runs?.length, 1);
    assert.equal(runs[0]!.milestone.kind, 'processed');
    await idle(result.runId);

    const counts = recordsPerSerial();
    assert.equal(counts.get('RETRY000001'), 1, 'a complete device was not sent again');
    assert.equal(counts.get('RETRY000002'), 2, 'the StorageError device was sent again');
    assert.equal(counts.get(sandbox.registered.serialNumber), 1, 'the 806 device was not sent again');
    assert.equal(counts.get(sandbox.foreign.serialNumber), 1, 'the 808 device was not sent again');
    for (const old of failedBefore) assert.ok(!sandbox.graph.state.tenant(CONTOSO.id).imported.has(old.id), 'the old record of the retried device was deleted');

    const { run, devices: items } = await runItems(result.runId);
    assert.match(String(run.description), /^2 failed$/);
    assert.match(String(items[1]!.description), /^(complete|registered)$/);
    assert.doesNotMatch(String(run.contextValue), /;retry;/);
  });

  it('says "nothing to continue" as information, without an error or a stack trace in the log', async () => {
    const logFile = vscode.Uri.joinPath(api.context.logUri, 'Autopilot.log');
    const read = async () => Buffer.from(await vscode.workspace.fs.readFile(logFile)).toString('utf8');
    const before = (await read()).length;
    assert.equal(await vscode.commands.executeCommand('autopilot.continueImport'), undefined);
    const logged = await eventually('the log to record the command', async () => {
      const added = (await read()).slice(before);
      return added.includes('autopilot.continueImport:') && added;
    });
    assert.match(logged, /\[info\] autopilot\.continueImport: Every import in Recent Imports has been sent completely\./);
    assert.doesNotMatch(logged, /\[error\]|\n\s+at /, 'no error and no stack trace');

    // A run's Continue Import (a notification's button) clicked once the run has been sent completely.
    const writes = sandbox.graph.requests.filter((request) => request.method !== 'GET').length;
    const afterFirst = (await read()).length;
    assert.equal(await vscode.commands.executeCommand('autopilot.continueImport', tree().runNode(jsonRun)), undefined);
    const again = await eventually('the log to record the second command', async () => {
      const added = (await read()).slice(afterFirst);
      return added.includes('autopilot.continueImport:') && added;
    });
    assert.match(again, /\[info\] autopilot\.continueImport: \S+ has been sent completely: there is nothing to continue\./);
    assert.doesNotMatch(again, /\[error\]|\n\s+at /, 'no error and no stack trace');
    assert.equal(sandbox.graph.requests.filter((request) => request.method !== 'GET').length, writes, 'nothing was sent');
  });

  it('deletes an import record in Intune from the tree', async () => {
    const device = api.imports.device(jsonRun, 0);
    assert.ok(device?.id);
    assert.ok(sandbox.graph.state.tenant(CONTOSO.id).imported.has(device.id));
    const deleted = await vscode.commands.executeCommand<number>('autopilot.deleteImportRecord', tree().deviceNode(jsonRun, 0));
    assert.equal(deleted, 1);
    assert.ok(!sandbox.graph.state.tenant(CONTOSO.id).imported.has(device.id), 'the record is gone from the emulator');
    const { devices } = await runItems(jsonRun);
    assert.match(plain(tooltipText(devices[0]!)), /\(deleted\)/);
    assert.doesNotMatch(String(devices[0]!.contextValue), /;deleteRecord;/);
    assert.equal(recordsPerSerial().get('JSONDEV000001'), 1, 'nothing was imported again');
  });

  it('opens an import record as read-only JSON, copies serials, and finds a device among registered devices', async () => {
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('autopilot.showRecord', tree().deviceNode(jsonRun, 1));
    assert.equal(editor?.document.uri.scheme, 'autopilot-record');
    assert.equal(editor.document.languageId, 'json');
    const record = JSON.parse(editor.document.getText()) as { serialNumber: string; state: { deviceImportStatus: string } };
    assert.equal(record.serialNumber, 'JSONDEV000002');
    assert.equal(record.state.deviceImportStatus, 'complete');

    const copied = await vscode.commands.executeCommand<string>('autopilot.copySerial', tree().deviceNode(jsonRun, 1), [tree().deviceNode(jsonRun, 1), tree().deviceNode(jsonRun, 2)]);
    assert.equal(copied, 'JSONDEV000002\nJSONDEV000003');
    assert.equal(await vscode.env.clipboard.readText(), copied);

    const found = await eventually('the device to be registered', async () => {
      const devices = await vscode.commands.executeCommand<{ serialNumber: string }[]>('autopilot.findRegisteredDevice', tree().deviceNode(jsonRun, 1));
      return devices && devices.length > 0 && devices;
    });
    assert.equal(found[0]!.serialNumber, 'JSONDEV000002');
    assert.equal(vscode.window.activeTextEditor?.document.uri.scheme, 'autopilot-record');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('explains a sync Intune refuses as "too soon" instead of failing', async () => {
    assert.equal(await vscode.commands.executeCommand('autopilot.syncAutopilot'), 'too-soon');
  });

  it('keeps one import engine alive through 50 settings changes, each followed by work for Graph', async () => {
    const before = configuration().get<number>('import.batchSize');
    try {
      for (let change = 0; change < 50; change++) {
        await configuration().update('import.batchSize', 100 + change, vscode.ConfigurationTarget.Global);
        const { devices } = await api.importing.service.findRegistered(`LEAK-${change}`);
        assert.deepEqual(devices, []);
      }
      // A replaced engine lives on while work begun before the change still holds it (a background look of an earlier
      // run may); once that work ends it is disposed. A leak keeps one per change, and this never settles to one.
      await eventually('every replaced engine to be disposed', () => api.importing.service.aliveEngines === 1);
    } finally {
      await configuration().update('import.batchSize', before, vscode.ConfigurationTarget.Global);
    }
  });

  it('stops sending further chunks when cancelled, keeps watching what was sent, and continues without duplicates', async () => {
    await configuration().update('import.batchSize', 2, vscode.ConfigurationTarget.Global);
    try {
      const devices = fakeDevices(10, 'STOPPED');
      const uri = await writeJsonPayload('stopped.autopilot.json', devices);
      // Chunks of 2 go out DEFAULT_ENGINE_SETTINGS.chunksInFlight at a time; the user presses Stop while they are on
      // their way (Graph has them, the answers have not arrived), and only then do the answers come.
      const inFlight = DEFAULT_ENGINE_SETTINGS.chunksInFlight;
      const sentCount = 2 * inFlight;
      let committed = 0;
      let stopRequested = false;
      let stopped!: () => void;
      const afterStop = new Promise<void>((resolve) => (stopped = resolve));
      sandbox.graph.faults.add({
        method: 'POST',
        path: '/import',
        times: inFlight,
        action: {
          kind: 'after-commit',
          run: async () => {
            if (++committed === inFlight) {
              const entry = api.imports.runs().find((candidate) => candidate.view.source.endsWith('stopped.autopilot.json'));
              assert.ok(entry);
              stopRequested = (await vscode.commands.executeCommand<string[]>('autopilot.stopImport', tree().runNode(entry.view.id)))?.length === 1;
              stopped();
            }
            await afterStop;
          },
        },
      });
      const result = ranTo(await vscode.commands.executeCommand<ImportFileResult>('autopilot.importFile', uri, { groupTag: null }), 'stopped');
      assert.ok(stopRequested, 'the stop request reached the run');
      const sent = [...recordsPerSerial().keys()].filter((serial) => serial.startsWith('STOPPED'));
      assert.equal(sent.length, sentCount, 'the chunks in flight finished, and no further chunk was sent');

      // What was sent is still watched: those devices complete; the rest stay "not sent".
      await eventually('the sent devices to complete', () => api.imports.run(result.runId)?.view.counts.complete === sentCount);
      await idle(result.runId);
      const { run, devices: items } = await runItems(result.runId);
      const unsent = devices.length - sentCount;
      assert.match(String(run.description), new RegExp(`^${unsent} not sent$`));
      assert.match(plain(tooltipText(run)), new RegExp(`${sentCount} complete, ${unsent} not sent`));
      assert.match(String(run.contextValue), /;continue;/);
      assert.equal(items.filter((item) => item.description === 'not sent').length, unsent);

      const continued = await vscode.commands.executeCommand<ProgressRun[]>('autopilot.continueImport', tree().runNode(result.runId));
      assert.equal(continued?.[0]?.milestone.kind, 'processed');
      const counts = recordsPerSerial();
      for (const device of devices) assert.equal(counts.get(device.serialNumber), 1, `${device.serialNumber} reached Intune exactly once`);
      assert.equal(api.imports.run(result.runId)?.view.counts.complete, 10);
    } finally {
      sandbox.graph.faults.clear();
      await configuration().update('import.batchSize', 500, vscode.ConfigurationTarget.Global);
    }
  });

  it('waits autopilot.import.settleSeconds before checking a chunk Graph answered 503 and committed later, and sends nothing twice', async () => {
    const devices = fakeDevices(4, 'SETTLE');
    const uri = await writeJsonPayload('settle.autopilot.json', devices);
    sandbox.graph.faults.add({ method: 'POST', path: '/import', action: { kind: 'status', status: 503, commitAfterMs: 400 } });
    try {
      const result = ranTo(await vscode.commands.executeCommand<ImportFileResult>('autopilot.importFile', uri, { groupTag: null }), 'processed');
      await idle(result.runId);
      assert.equal(api.imports.run(result.runId)?.view.counts.complete, 4);
      for (const device of devices) assert.equal(recordsPerSerial().get(device.serialNumber), 1, `${device.serialNumber} reached Intune exactly once`);
      const writes = sandbox.graph.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/import') && /SETTLE/.test(JSON.stringify(request.body)));
      assert.deepEqual(writes.map((request) => request.status), [503], 'found by listing after the settle time, not sent again');
      const listing = sandbox.graph.requests.find((request) => request.method === 'GET' && request.seq > writes[0]!.seq && request.query.$filter?.includes('SETTLE'));
      assert.ok(listing && listing.at - writes[0]!.at >= 800, 'listed only after the 0.8 s settle time');
    } finally {
      sandbox.graph.faults.clear();
    }
  });

  it('restores a run after a reload and resumes watching it (a second window over the same journal)', async () => {
    const journalDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-reload-'));
    const timing = sandbox.graph.state.timing;
    sandbox.graph.state.timing = { ...timing, processingDelayMs: 2500 };
    const log = api.log;
    const visible = { visible: true, onDidChangeVisibility: () => ({ dispose: () => undefined }) };
    const stack = () => {
      const model = new ImportsModel();
      const service = new ImportService({ auth: api.auth, log, model, journalDirectory, readSettings: () => readImportSettings(), userAgent: 'autopilot-devices-test' });
      return { model, service, tree: new ImportsTreeProvider(model, () => service.loadRuns()), scheduler: new PollScheduler({ service, log, readSettings: () => readImportSettings(), view: visible }) };
    };
    const first = stack();
    const second = stack();
    try {
      const devices = fakeDevices(3, 'RELOAD');
      const handle = await first.service.startImport({ devices, source: '/reload/devices.csv' });
      await eventually('every device to be sent', () => first.model.run(handle.runId)?.view.phase === 'processing');
      // The window closes while Intune is still processing.
      first.scheduler.dispose();
      first.service.dispose();
      first.tree.dispose();
      await handle.finished;
      assert.equal(sandbox.graph.state.tenant(CONTOSO.id).created.filter((record) => record.serialNumber.startsWith('RELOAD')).length, 3);

      // The next window reads the journal: the run is there, still processing, and gets watched to the end.
      const roots = await second.tree.getChildren();
      const node = roots.find((candidate) => candidate.runId === handle.runId);
      assert.ok(node, 'the reloaded tree shows the run');
      assert.equal(second.model.run(handle.runId)?.view.counts.pending, 3);
      assert.match(String(second.tree.getTreeItem(node).description), /^3 processing$/);
      await eventually('the restored run to be watched to its end', () => second.model.run(handle.runId)?.view.counts.complete === 3, 20_000);
      assert.match(String(second.tree.getTreeItem(node).description), /^3 (imported|registered)$/);
      assert.equal(sandbox.graph.state.tenant(CONTOSO.id).created.filter((record) => record.serialNumber.startsWith('RELOAD')).length, 3, 'nothing was sent again');
    } finally {
      sandbox.graph.state.timing = timing;
      second.scheduler.dispose();
      second.service.dispose();
      second.tree.dispose();
      fs.rmSync(journalDirectory, { recursive: true, force: true });
    }
  });

  it('shows the number of devices still processing as the view badge', async () => {
    const timing = sandbox.graph.state.timing;
    sandbox.graph.state.timing = { ...timing, processingDelayMs: 4000 };
    try {
      const uri = await writeJsonPayload('badge.autopilot.json', fakeDevices(2, 'BADGE'));
      const importing = vscode.commands.executeCommand<ImportFileResult>('autopilot.importFile', uri, { groupTag: null });
      await eventually('the badge to count the devices in flight', () => api.importing.view.badge?.value === 2);
      assert.match(api.importing.view.badge?.tooltip ?? '', /2 devices still processing/);
      ranTo(await importing, 'processed');
      await eventually('the badge to clear', () => api.importing.view.badge === undefined);
    } finally {
      sandbox.graph.state.timing = timing;
    }
  });
});
