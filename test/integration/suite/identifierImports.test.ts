/**
 * Corporate identifiers in a real VS Code against the sandbox tenant (emulated Entra ID and Graph, untidy as Intune):
 * import with overwrite off and on, the Corporate Identifiers view with enrollment states and last contact, delete
 * one call per identifier, an interrupted import continued, and "Import Autopilot Devices" on an identifier file.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/extension';
import type { ImportFileResult } from '../../../src/commands/importFile';
import type { ImportIdentifiersResult } from '../../../src/commands/importIdentifiers';
import type { DeleteOutcome } from '../../../src/import/vscode/corporateIdentifierService';
import type { IdentifierRunResult } from '../../../src/import/corporateIdentifiers/identifierImporter';
import type { CorporateIdentifiersNode } from '../../../src/views/corporateIdentifiersTreeProvider';
import { CONTOSO } from '../../emulator/identity/directory';
import type { SandboxTenant } from '../../emulator/sandboxTenant';
import { openSandboxSession, type SandboxSession } from './sandboxSession';
import { eventually } from '../../support/eventually';

const SETTINGS: Record<string, unknown> = { cloud: 'custom', 'import.askForGroupTag': false, 'import.settleSeconds': 0.8, 'identifiers.batchSize': 3 };
const IMPORT_PATH = '/beta/deviceManagement/importedDeviceIdentities/importDeviceIdentityList';

function workspaceFile(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the integration tests need the fixture workspace open');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

function tooltipText(item: vscode.TreeItem): string {
  return (typeof item.tooltip === 'string' ? item.tooltip : (item.tooltip?.value ?? '')).replace(/\\(.)/g, '$1');
}

function iconId(item: vscode.TreeItem): string {
  return item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : '';
}

describe('Corporate identifiers in VS Code (sandbox tenant)', function () {
  this.timeout(120_000);
  let session: SandboxSession;
  let sandbox: SandboxTenant;
  let api: ExtensionApi;
  const store = () => sandbox.graph.state.tenant(CONTOSO.id).identities;

  async function writeFile(name: string, lines: readonly string[]): Promise<vscode.Uri> {
    const uri = workspaceFile('identifiers', name);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(`${lines.join('\r\n')}\r\n`));
    return uri;
  }

  /** The view as a user reads it: group label → the items below it. */
  async function viewItems(): Promise<Map<string, vscode.TreeItem[]>> {
    const tree = api.identifiers.tree;
    const shown = new Map<string, vscode.TreeItem[]>();
    for (const group of await tree.getChildren()) {
      const children: CorporateIdentifiersNode[] = await tree.getChildren(group);
      shown.set(String(tree.getTreeItem(group).label), children.map((child) => tree.getTreeItem(child)));
    }
    return shown;
  }

  before(async () => {
    session = await openSandboxSession({ graph: { timing: { lateCommitMaxMs: 400 } }, settings: SETTINGS });
    ({ api, sandbox } = session);
  });

  after(async () => {
    await session?.close();
  });

  it('lists the tenant\'s identifiers by enrollment state, with last contact', async () => {
    const now = Date.now();
    store().seed('Microsoft Corporation,Surface Laptop 5,0F00000000001', now, { enrollmentState: 'enrolled', lastContactedAt: now - 3_600_000 });
    store().seed('Dell Inc.,Latitude 7440,7XK0000', now, { enrollmentState: 'failed', lastContactedAt: now - 86_400_000 });
    store().seed('LENOVO,21HD,PF0000000', now);
    await vscode.commands.executeCommand('autopilot.refreshIdentifiers');
    const shown = await viewItems();
    assert.deepEqual([...shown.keys()], ['Failed', 'Not contacted', 'Enrolled'], 'trouble first');
    const [failed] = shown.get('Failed')!;
    assert.equal(failed!.label, '7XK0000');
    assert.match(String(failed!.description), /^Dell Inc\. Latitude 7440 · last contact /);
    assert.equal(iconId(failed!), 'error');
    assert.match(tooltipText(failed!), /Dell Inc\.,Latitude 7440,7XK0000/);
    assert.match(tooltipText(failed!), /Enrollment state: \*\*Failed\*\*/);
    const [notContacted] = shown.get('Not contacted')!;
    assert.match(String(notContacted!.description), /LENOVO 21HD · never contacted/);
    assert.equal(api.identifiers.view.description, CONTOSO.domain);
  });

  it('imports with overwrite off: the plan finds what Intune has, skips it, and the view shows the new ones', async () => {
    const lines = ['LENOVO,21HD,PF0000000', 'LENOVO,21HD,PF0000001', 'LENOVO,21HD,PF0000002', 'HP,HP EliteBook 840 G10,5CG0000001'];
    const uri = await writeFile('wave1.identifiers.csv', lines);
    const result = await vscode.commands.executeCommand<ImportIdentifiersResult>('autopilot.importIdentifiers', uri, { overwrite: false });
    assert.ok(result.outcome === 'finished', `finished, not ${result.outcome}`);
    assert.deepEqual(result.plan, { new: 3, existing: 1, refused: 0 });
    assert.deepEqual(result.run.counts, { imported: 3, exists: 1, failed: 0, pending: 0 });
    assert.deepEqual([...store().writesPerIdentifier().values()], [1, 1, 1]);
    assert.ok(!store().writesPerIdentifier().has('LENOVO,21HD,PF0000000'), 'the one Intune had was not sent');
    await eventually('the new identifiers in the view', async () => ((await viewItems()).get('Not contacted')?.length === 4 ? true : undefined));
  });

  it('imports with overwrite on: what Intune has is replaced, once', async () => {
    const uri = await writeFile('wave1-again.identifiers.csv', ['LENOVO,21HD,PF0000001', 'LENOVO,21HD,PF0000003']);
    const result = await vscode.commands.executeCommand<ImportIdentifiersResult>('autopilot.importIdentifiers', uri, { overwrite: true });
    assert.ok(result.outcome === 'finished');
    assert.deepEqual(result.plan, { new: 1, existing: 1, refused: 0 });
    assert.deepEqual(result.run.counts, { imported: 2, exists: 0, failed: 0, pending: 0 });
    assert.deepEqual([...store().writesPerIdentifier('overwritten')], [['LENOVO,21HD,PF0000001', 1]]);
    const imports = sandbox.graph.requests.filter((request) => request.path === IMPORT_PATH);
    assert.equal((imports.at(-1)!.body as { overwriteImportedDeviceIdentities: boolean }).overwriteImportedDeviceIdentities, true);
  });

  it('asks before importing: dismissing the plan sends nothing', async () => {
    const uri = await writeFile('declined.identifiers.csv', ['LENOVO,21HD,PF0000009']);
    const before = sandbox.graph.requests.filter((request) => request.path === IMPORT_PATH).length;
    // The plan is a modal question; this test window dismisses modal dialogs, which is the user saying no.
    const declined = await vscode.commands.executeCommand<ImportIdentifiersResult | undefined>('autopilot.importIdentifiers', uri);
    assert.equal(declined, undefined);
    assert.equal(sandbox.graph.requests.filter((request) => request.path === IMPORT_PATH).length, before);
  });

  it('reports what Graph refuses per identifier, and imports exactly once when Graph commits a 503 late', async () => {
    sandbox.graph.faults.add({ path: IMPORT_PATH, action: { kind: 'status', status: 503, commitAfterMs: 300 } });
    const uri = await writeFile('untidy.identifiers.csv', ['LENOVO,21HD,PF0000010', 'LENOVO,21HD,PF0000011', 'Lenovo,"ThinkPad ""X1""",PF0000012']);
    const result = await vscode.commands.executeCommand<ImportIdentifiersResult>('autopilot.importIdentifiers', uri, { overwrite: false, acceptWarnings: true });
    assert.ok(result.outcome === 'finished');
    assert.deepEqual(result.plan, { new: 2, existing: 0, refused: 1 });
    assert.deepEqual(result.run.identifiers.map((item) => item.result), ['imported', 'imported', 'failed']);
    assert.match(result.run.identifiers[2]!.error ?? '', /Invalid Device Identifier parameter found for 1 import records!/);
    assert.equal(store().writesPerIdentifier().get('LENOVO,21HD,PF0000010'), 1);
    assert.equal(store().writesPerIdentifier().get('LENOVO,21HD,PF0000011'), 1);
  });

  it('continues an import that was stopped, sending only what is missing', async () => {
    const identifiers = ['LENOVO,21HD,PF0000020', 'LENOVO,21HD,PF0000021', 'LENOVO,21HD,PF0000022', 'LENOVO,21HD,PF0000023'];
    const cancel = new AbortController();
    // Stop (as the progress notification's Cancel does) once the first chunk of three is in.
    const stopped = await api.identifiers.service.import(identifiers, {
      source: 'stopped.identifiers.csv',
      overwrite: false,
      cancel: cancel.signal,
      onProgress: (view) => (view.counts.imported > 0 ? cancel.abort() : undefined),
    });
    assert.equal(stopped.stopped, 'cancelled');
    assert.deepEqual(stopped.run.counts, { imported: 3, exists: 0, failed: 0, pending: 1 });
    const continued = await vscode.commands.executeCommand<IdentifierRunResult>('autopilot.continueIdentifierImport', stopped.run.id);
    assert.deepEqual(continued.run.counts, { imported: 4, exists: 0, failed: 0, pending: 0 });
    for (const identifier of identifiers) assert.equal(store().writesPerIdentifier().get(identifier), 1, identifier);
  });

  it('"Import Autopilot Devices" on an identifier file imports its corporate identifiers', async () => {
    const uri = await writeFile('right-click.identifiers.csv', ['LENOVO,21HD,PF0000030']);
    const result = await vscode.commands.executeCommand<ImportFileResult>('autopilot.importFile', uri, { overwrite: false });
    assert.equal(result.outcome, 'corporate-identifiers');
    assert.ok(result.outcome === 'corporate-identifiers' && result.result.outcome === 'finished');
    assert.equal(store().writesPerIdentifier().get('LENOVO,21HD,PF0000030'), 1);
  });

  it('deletes the selected identifiers after confirmation, one call each, and the view forgets them', async () => {
    await vscode.commands.executeCommand('autopilot.refreshIdentifiers');
    const tree = api.identifiers.tree;
    const targets = api.identifiers.model.records().filter((record) => record.serialNumber === 'PF0000021' || record.serialNumber === 'PF0000022');
    assert.equal(targets.length, 2);
    const nodes = targets.map((record) => tree.identifierNode(record.id));
    const before = sandbox.graph.requests.filter((request) => request.method === 'DELETE').length;

    // Without a yes (this window dismisses the modal question) nothing is deleted.
    assert.equal(await vscode.commands.executeCommand('autopilot.deleteIdentifier', nodes[0], nodes), undefined);
    assert.equal(sandbox.graph.requests.filter((request) => request.method === 'DELETE').length, before);

    const outcome = await vscode.commands.executeCommand<DeleteOutcome>('autopilot.deleteIdentifier', nodes[0], nodes, { confirmed: true });
    assert.deepEqual(outcome.deleted.map((record) => record.serialNumber).sort(), ['PF0000021', 'PF0000022']);
    const deletes = sandbox.graph.requests.filter((request) => request.method === 'DELETE').slice(before);
    assert.deepEqual(deletes.map((request) => request.path.split('/').pop()).sort(), targets.map((record) => record.id).sort(), 'one call per identifier');
    assert.ok(!store().find('LENOVO,21HD,PF0000021') && !store().find('LENOVO,21HD,PF0000022'));
    const shown = [...(await viewItems()).values()].flat().map((item) => item.label);
    assert.ok(!shown.includes('PF0000021') && !shown.includes('PF0000022') && shown.includes('PF0000020'));
  });
});
