/**
 * Corporate-identifier files in a real VS Code: recognised by name and by content, problems at their ranges in every
 * encoding Windows tools write, hovers, quick fixes that edit the file or write the split parts, and the conversion
 * from a hardware-hash CSV with manufacturer and model columns.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { eventually } from '../../support/eventually';

const EXTENSION_ID = 'autopilot-devices.autopilot-devices';

function workspaceFile(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the integration tests need the fixture workspace open');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

function ours(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === 'Autopilot');
}

function summary(diagnostics: readonly vscode.Diagnostic[]): string[] {
  return diagnostics
    .map((d) => `${d.code as string}@${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity === vscode.DiagnosticSeverity.Error ? 'error' : 'warning'}`)
    .sort();
}

/** The fixture's problems, the same in every encoding (1-based line:column). */
const EXPECTED = [
  'identifiers-character@4:19 warning',
  'identifiers-duplicate@5:1 warning',
  'identifiers-header@1:1 error',
  'identifiers-period@3:1 warning',
  'identifiers-serial-period@3:25 error',
  'identifiers-whitespace@4:23 warning',
];

const ENCODINGS: readonly { file: string; editor: string; reported: string }[] = [
  { file: 'utf8', editor: 'utf8', reported: 'utf-8' },
  { file: 'utf8bom', editor: 'utf8bom', reported: 'utf-8-bom' },
  { file: 'utf16le', editor: 'utf16le', reported: 'utf-16le' },
  { file: 'utf16be', editor: 'utf16be', reported: 'utf-16be' },
  { file: 'windows1252', editor: 'windows1252', reported: 'windows-1252' },
];

async function actionsAt(uri: vscode.Uri, diagnostic: vscode.Diagnostic): Promise<vscode.CodeAction[]> {
  return vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostic.range);
}

describe('corporate-identifier files in the editor', () => {
  before(async () => {
    await vscode.extensions.getExtension(EXTENSION_ID)!.activate();
  });

  afterEach(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  for (const { file, editor, reported } of ENCODINGS) {
    it(`shows the problems of a ${reported} file at their ranges, and validates it from the Explorer`, async () => {
      const uri = workspaceFile('identifiers', `problems.${file}.identifiers.csv`);
      const document = await vscode.workspace.openTextDocument(uri, { encoding: editor });
      await vscode.window.showTextDocument(document);
      assert.match(document.lineAt(3).text, /Büro/, 'decoded as the file is encoded');
      const shown = await eventually('the identifier problems', () => (ours(uri).length === EXPECTED.length ? ours(uri) : undefined));
      assert.deepEqual(summary(shown), EXPECTED);
      const period = shown.find((d) => d.code === 'identifiers-period')!;
      assert.match(period.message, /not documented/, 'an unsettled rule says so');
      assert.equal(period.severity, vscode.DiagnosticSeverity.Warning);
      const serial = shown.find((d) => d.code === 'identifiers-serial-period')!;
      assert.deepEqual([serial.range.start.character, serial.range.end.character], [24, 32]);

      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const validated = await vscode.commands.executeCommand<{ format: string; encoding: string; devices: number; errors: number; warnings: number }>('autopilot.validateFile', uri);
      assert.deepEqual({ ...validated, uri: undefined }, { uri: undefined, format: 'corporate-identifiers', encoding: reported, devices: 4, errors: 2, warnings: 4 });
    });
  }

  it('recognises an identifier CSV by its content, whatever its name', async () => {
    const uri = workspaceFile('identifiers', 'fleet.csv');
    await vscode.window.showTextDocument(uri);
    const validated = await vscode.commands.executeCommand<{ format: string; devices: number }>('autopilot.validateFile', uri);
    assert.equal(validated.format, 'corporate-identifiers');
    assert.equal(validated.devices, 2);
    assert.deepEqual(ours(uri), []);
  });

  it('explains a cell in a hover, with the identifier exactly as it is sent', async () => {
    const uri = workspaceFile('identifiers', 'problems.utf8.identifiers.csv');
    await vscode.window.showTextDocument(uri);
    const text = await eventually('a hover on the manufacturer', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(2, 2));
      const shown = hovers.flatMap((hover) => hover.contents).map((content) => (typeof content === 'string' ? content : content.value)).join('\n');
      return /Win32_ComputerSystem\.Manufacturer/.test(shown) ? shown : undefined;
    });
    assert.match(text, /Dell Inc\.,Latitude 7440,7XK\.2QY3/);
    assert.match(text, /manufacturer, model and serial number all match/);
  });

  it('repairs with quick fixes: removes the header (preferred), trims a value, removes the periods of a serial', async () => {
    const uri = workspaceFile('identifiers', 'problems.utf8.identifiers.csv');
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    for (const [code, title] of [
      ['identifiers-header', 'Remove the header line'],
      ['identifiers-whitespace', 'Trim the blanks'],
      ['identifiers-serial-period', 'Remove the periods from the serial number'],
    ] as const) {
      const diagnostic = await eventually(`the ${code} diagnostic`, () => ours(uri).find((d) => d.code === code));
      const action = (await actionsAt(uri, diagnostic)).find((candidate) => candidate.title === title);
      assert.ok(action?.edit, `${title} is offered`);
      if (code !== 'identifiers-whitespace') assert.equal(action.isPreferred, true, `${title} is preferred`);
      assert.ok(await vscode.workspace.applyEdit(action.edit));
      await eventually(`${code} to clear`, () => (ours(uri).some((d) => d.code === code) ? undefined : true));
    }
    assert.equal(document.getText(), 'Lenovo,ThinkPad T14 Gen 4,PF4ABC01\r\nDell Inc.,Latitude 7440,7XK2QY3\r\nMedion,Akoya E15 Büro,MD0001\r\nLenovo,ThinkPad T14 Gen 4,PF4ABC01\r\n');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('splits a file of more than 5,000 identifiers for the portal from the quick fix', async () => {
    const uri = workspaceFile('identifiers', 'wave.identifiers.csv');
    const lines = Array.from({ length: 5003 }, (_, index) => `LENOVO,21HD,PF${String(index).padStart(6, '0')}`);
    await vscode.workspace.fs.writeFile(uri, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf16le')]));
    await vscode.window.showTextDocument(uri);
    const diagnostic = await eventually('the row-limit warning', () => ours(uri).find((d) => d.code === 'identifiers-too-many-rows'));
    assert.equal(diagnostic.range.start.line, 5000);
    const split = (await actionsAt(uri, diagnostic)).find((action) => action.command?.command === 'autopilot.splitIdentifierFile');
    assert.ok(split?.command, 'the split fix runs the split command');
    const parts = await vscode.commands.executeCommand<vscode.Uri[]>(split.command.command, ...(split.command.arguments ?? []));
    assert.deepEqual(parts.map((part) => part.path.split('/').pop()), ['wave-part1.identifiers.csv', 'wave-part2.identifiers.csv']);
    const second = await vscode.commands.executeCommand<{ encoding: string; devices: number; errors: number }>('autopilot.validateFile', parts[1]);
    assert.deepEqual([second.encoding, second.devices, second.errors], ['utf-16le', 3, 0], 'the parts keep the encoding');
  });

  it('writes the corporate identifiers of a hardware-hash CSV with manufacturer and model columns', async () => {
    const source = workspaceFile('identifiers', 'partner-hashes.csv');
    const written = await vscode.commands.executeCommand<{ files: vscode.Uri[]; conversion: { identifiers: unknown[]; notConverted: { serialNumber: string }[]; periodsRemoved: number } }>(
      'autopilot.convertToIdentifiers',
      source,
    );
    assert.deepEqual(written.files.map((file) => file.path.split('/').pop()), ['partner-hashes.identifiers.csv']);
    assert.equal(Buffer.from(await vscode.workspace.fs.readFile(written.files[0]!)).toString('latin1'), 'LENOVO,21HD,PF4ABC03\r\nDell Inc.,Latitude 7440,7XK2QY4\r\n');
    assert.deepEqual(written.conversion.notConverted.map((device) => device.serialNumber), ['SN3']);
    assert.equal(written.conversion.periodsRemoved, 1);
    assert.equal(vscode.window.activeTextEditor?.document.uri.path, written.files[0]!.path, 'the new file is opened');
  });
});
