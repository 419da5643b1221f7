/**
 * Payload editing in a real VS Code: the bundled schema drives completion and hover through VS Code's JSON language
 * features, the extension adds live problems and quick fixes, and the payload commands read and write real files.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { eventually } from '../../support/eventually';
const EXTENSION_ID = 'autopilot-devices.autopilot-devices';

function workspaceFile(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the integration tests need the fixture workspace open');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

/** Polls until `probe` returns a value (language servers and debounced validation answer asynchronously). */
function label(item: vscode.CompletionItem): string {
  return (typeof item.label === 'string' ? item.label : item.label.label).replace(/^"|"$/g, '');
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((hover) => hover.contents)
    .map((content) => (typeof content === 'string' ? content : 'value' in content ? content.value : ''))
    .join('\n');
}

function ourDiagnostics(uri: vscode.Uri, code: string): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === 'Autopilot' && diagnostic.code === code);
}

describe('payload editing', () => {
  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('completes serialNumber and groupTag inside a device of an *.autopilot.json', async () => {
    const uri = workspaceFile('payloads', 'completion.autopilot.json');
    await vscode.window.showTextDocument(uri);
    const labels = await eventually('completion from the bundled schema', async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, new vscode.Position(2, 4));
      const found = list.items.map(label);
      return found.includes('serialNumber') ? found : undefined;
    });
    assert.ok(labels.includes('groupTag'), labels.join(', '));
    assert.ok(labels.includes('hardwareIdentifier'));
    assert.ok(!labels.includes('Device Serial Number'), 'CSV-style names are refused, never suggested');
  });

  it('shows the schema description when hovering a property', async () => {
    const uri = workspaceFile('payloads', 'unpadded.autopilot.json');
    await vscode.window.showTextDocument(uri);
    const text = await eventually('a hover with the schema description', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(1, 6));
      const shown = hoverText(hovers);
      return /serial number/i.test(shown) ? shown : undefined;
    });
    assert.match(text, /Win32_BIOS\.SerialNumber/);
  });

  it('marks a bad hash character with a diagnostic at its exact range', async () => {
    const uri = workspaceFile('payloads', 'bad-hash.autopilot.json');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const [diagnostic] = await eventually('the hash diagnostic', () => {
      const found = ourDiagnostics(uri, 'hash-not-base64');
      return found.length > 0 ? found : undefined;
    });
    const star = document.positionAt(document.getText().indexOf('*'));
    assert.deepEqual(diagnostic!.range, new vscode.Range(star, star.translate(0, 1)));
    assert.equal(diagnostic!.severity, vscode.DiagnosticSeverity.Error);
    assert.match(diagnostic!.message, /not Base64/);
  });

  it('repairs hash padding with the quick fix', async () => {
    const uri = workspaceFile('payloads', 'unpadded.autopilot.json');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const [diagnostic] = await eventually('the padding diagnostic', () => {
      const found = ourDiagnostics(uri, 'hash-padding');
      return found.length > 0 ? found : undefined;
    });
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostic!.range);
    const repair = actions.find((action) => action.title === 'Repair the hash padding');
    assert.ok(repair?.edit, `no padding fix among: ${actions.map((action) => action.title).join(', ')}`);
    assert.equal(repair.isPreferred, true);
    assert.ok(await vscode.workspace.applyEdit(repair.edit));
    const hash = (JSON.parse(document.getText()) as { hardwareIdentifier: string }).hardwareIdentifier;
    assert.match(hash, /==$/);
    assert.equal(hash.length % 4, 0);
    await eventually('the padding diagnostic to clear', () => (ourDiagnostics(uri, 'hash-padding').length === 0 ? true : undefined));
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('renames a CSV-style key with the quick fix offered on the schema problem', async () => {
    const uri = workspaceFile('payloads', 'csv-style.autopilot.json');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const key = document.getText().indexOf('"Device Serial Number"');
    const range = new vscode.Range(document.positionAt(key + 1), document.positionAt(key + 2));
    const rename = await eventually('the rename quick fix', async () => {
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range);
      return actions.find((action) => action.title === 'Rename "Device Serial Number" to "serialNumber"');
    });
    assert.ok(await vscode.workspace.applyEdit(rename.edit!));
    assert.equal((JSON.parse(document.getText()) as { serialNumber?: string }).serialNumber, 'PF-4001');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('shows live problems in a hardware-hash CSV and updates them as the user types', async () => {
    const uri = workspaceFile('payloads', 'unpadded.csv');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    const [diagnostic] = await eventually('the CSV padding diagnostic', () => {
      const found = ourDiagnostics(uri, 'hash-padding');
      return found.length > 0 ? found : undefined;
    });
    assert.equal(diagnostic!.range.start.line, 2);
    assert.equal(diagnostic!.range.start.character, 'PF-5002,,'.length);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, document.lineAt(2).range.end, '==');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await eventually('the diagnostic to clear after typing', () => (ourDiagnostics(uri, 'hash-padding').length === 0 ? true : undefined));
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('checks an update file by the update rules, not as a payload: a CSV and an *.autopilot.json keyed by serial', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-updates-'));
    try {
      // The CSV: a display name of digits only on line 2; nothing about a missing Hardware Hash column.
      const csv = vscode.Uri.file(path.join(folder, 'changes.csv'));
      fs.writeFileSync(csv.fsPath, 'Serial Number,Group Tag,Display Name\nSN-1,Kiosk,1234\nSN-2,,PC-7\n');
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(csv));
      const [nameProblem] = await eventually('the display-name problem in the update CSV', () => {
        const found = ourDiagnostics(csv, 'display-name');
        return found.length > 0 ? found : undefined;
      });
      assert.equal(nameProblem!.range.start.line, 1);
      assert.match(nameProblem!.message, /not only digits/);
      const csvCodes = vscode.languages.getDiagnostics(csv).map((diagnostic) => String(diagnostic.code));
      assert.deepEqual(csvCodes, ['display-name'], 'no payload problem (no "add a Hardware Hash column") in an update file');

      // The JSON: VS Code's JSON features take the update rule from the schema's root (the display name), and the
      // extension adds what the schema cannot say (a serial twice); neither asks for a hardwareIdentifier.
      const json = vscode.Uri.file(path.join(folder, 'changes.autopilot.json'));
      const devices = [{ serialNumber: 'SN-1', displayName: '1234' }, { serialNumber: 'SN-2', groupTag: 'Kiosk' }, { serialNumber: 'SN-2', groupTag: 'Other' }];
      fs.writeFileSync(json.fsPath, JSON.stringify(devices, null, 2));
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(json));
      await eventually('the JSON features to apply the update rule', () =>
        vscode.languages.getDiagnostics(json).some((diagnostic) => diagnostic.source !== 'Autopilot' && /not only digits/.test(diagnostic.message)) ? true : undefined,
      );
      await eventually('the repeated serial', () => (ourDiagnostics(json, 'duplicate-serial').length > 0 ? true : undefined));
      const all = vscode.languages.getDiagnostics(json);
      assert.ok(!all.some((diagnostic) => /hardwareIdentifier|hardware hash/i.test(diagnostic.message)), all.map((d) => d.message).join(' | '));
      assert.ok(!all.some((diagnostic) => diagnostic.source === 'Autopilot' && diagnostic.code === 'display-name'), 'the JSON features show the schema rule; the extension does not repeat it');
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('recognises a hardware-hash CSV opened from outside the workspace by its header (what activates the extension there) and shows its problems', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-outside-'));
    const file = path.join(outside, 'from-the-oem.csv');
    fs.copyFileSync(workspaceFile('payloads', 'unpadded.csv').fsPath, file);
    const uri = vscode.Uri.file(file);
    assert.equal(vscode.workspace.getWorkspaceFolder(uri), undefined, 'the file is outside every workspace folder');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    assert.equal(document.languageId, 'autopilot-csv', 'the header line gives it the language our activation event names');
    await eventually('the padding diagnostic in the outside CSV', () => (ourDiagnostics(uri, 'hash-padding').length > 0 ? true : undefined));
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('validates a CSV from the Explorer and reports its encoding and devices', async () => {
    const summary = await vscode.commands.executeCommand<{ devices: number; encoding: string; errors: number }>(
      'autopilot.validateFile',
      workspaceFile('payloads', 'hashes.csv'),
    );
    assert.equal(summary.devices, 3);
    assert.equal(summary.encoding, 'windows-1252');
    assert.equal(summary.errors, 0);
  });

  it('converts the CSV to a JSON payload next to it, and exports that back to a portal CSV', async () => {
    const csv = workspaceFile('payloads', 'hashes.csv');
    const conversion = await vscode.commands.executeCommand<{ target: vscode.Uri; devices: number; notCarried: number }>('autopilot.convertCsvToJson', csv);
    assert.equal(conversion.devices, 3);
    assert.equal(conversion.notCarried, 0);
    assert.equal(conversion.target.path, workspaceFile('payloads', 'hashes.autopilot.json').path);
    const json = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(conversion.target)).toString('utf8'));
    assert.deepEqual(
      json.importedWindowsAutopilotDeviceIdentities.map((device: { serialNumber: string; groupTag?: string }) => [device.serialNumber, device.groupTag]),
      [
        ['PF-3001', 'Sales'],
        ['PF-3002', 'Büro'],
        ['PF-3003', undefined],
      ],
    );

    const exported = await vscode.commands.executeCommand<{ files: vscode.Uri[]; devices: number; refused: unknown[] }>('autopilot.exportPortalCsv', conversion.target);
    assert.equal(exported.devices, 3);
    assert.deepEqual(exported.refused, []);
    const portal = await vscode.workspace.fs.readFile(exported.files[0]!);
    assert.deepEqual(Buffer.from(portal), Buffer.from(await vscode.workspace.fs.readFile(csv)), 'CSV → JSON → portal CSV gives back the same bytes');
  });

  it('opens a new payload whose placeholders the user tabs through, not shown as errors, with the schema applied', async () => {
    const editor = await vscode.commands.executeCommand<vscode.TextEditor>('autopilot.newPayload');
    assert.match(editor.document.uri.path, /devices(-\d+)?\.autopilot\.json$/);
    assert.equal(editor.document.uri.scheme, 'untitled');
    assert.match(editor.document.getText(), /"importedWindowsAutopilotDeviceIdentities"/);
    assert.match(editor.document.getText(), /"serialNumber": "<serial number>"/);
    // The first placeholder is selected: typing replaces it, Tab moves to the hash.
    assert.equal(editor.document.getText(editor.selection), '<serial number>');
    // Unfilled placeholders are information ("fill this in"), not errors: a fresh template is not red.
    const unfilled = await eventually('the placeholders to be reported', () => {
      const found = ourDiagnostics(editor.document.uri, 'template-placeholder');
      return found.length === 2 ? found : undefined;
    });
    for (const diagnostic of unfilled) assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Information, diagnostic.message);
    assert.deepEqual(vscode.languages.getDiagnostics(editor.document.uri).filter((d) => d.source === 'Autopilot' && d.severity === vscode.DiagnosticSeverity.Error), []);
    await vscode.commands.executeCommand('type', { text: 'PF-0001' });
    await vscode.commands.executeCommand('jumpToNextSnippetPlaceholder');
    assert.equal(editor.document.getText(editor.selection), '<hardware hash>');
    await eventually('the filled-in serial to be accepted', () => (ourDiagnostics(editor.document.uri, 'template-placeholder').length === 1 ? true : undefined));
    const inDevice = editor.document.positionAt(editor.document.getText().indexOf('"serialNumber"'));
    const labels = await eventually('completion from the schema in the new file', async () => {
      const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', editor.document.uri, inDevice);
      const found = list.items.map(label);
      return found.includes('assignedUserPrincipalName') ? found : undefined;
    });
    assert.ok(labels.includes('productKey'));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
