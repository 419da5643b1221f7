import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { BASELINE_EXTENSION_ID } from '../../../bench/activationBaseline';

export const EXTENSION_ID = 'autopilot-devices.autopilot-devices';

interface Manifest {
  contributes: {
    commands: { command: string; category?: string }[];
    views: Record<string, { id: string }[]>;
    viewsContainers: { activitybar: { id: string; icon: string }[] };
    jsonValidation: { fileMatch: string; url: string }[];
  };
}

describe('extension', () => {
  let extension: vscode.Extension<unknown>;
  let manifest: Manifest;

  before(async () => {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `${EXTENSION_ID} is not loaded in this VS Code`);
    extension = found;
    await extension.activate();
    manifest = extension.packageJSON as Manifest;
  });

  it('activates, and records what activation cost for the budget check, with its baseline from the same window', async () => {
    assert.equal(extension.isActive, true);
    const { activationMs, activation } = extension.exports as { activationMs: number; activation?: { loadMs: number; activateMs: number } };
    assert.ok(Number.isFinite(activationMs) && activationMs > 0, `activationMs is ${activationMs}`);
    const outputDir = process.env.AUTOPILOT_TEST_OUTPUT;
    if (outputDir) {
      // Which bundle was measured, so the budget check can refuse a figure that belongs to another build.
      const bundleSha256 = createHash('sha256').update(fs.readFileSync(path.join(extension.extensionPath, 'dist', 'extension.js'))).digest('hex');
      // The baseline: the same bundle with everything loaded at start, activated by the same events in this window.
      const baseline = vscode.extensions.getExtension<{ loadMs: number }>(BASELINE_EXTENSION_ID);
      const baselineActivatedAtStart = baseline?.isActive;
      const baselineMs = baseline && (await baseline.activate()).loadMs;
      const record = { activationMs, ...activation, baselineMs, baselineActivatedAtStart, bundleSha256, vscode: vscode.version, recordedAt: new Date().toISOString() };
      fs.writeFileSync(path.join(outputDir, 'activation.json'), JSON.stringify(record, null, 2));
    }
  });

  it('registers every contributed command, and contributes every registered autopilot command', async () => {
    const registered = new Set((await vscode.commands.getCommands(true)).filter((id) => id.startsWith('autopilot.')));
    const contributed = new Set(manifest.contributes.commands.map((c) => c.command));
    assert.ok(contributed.size > 0, 'the manifest contributes no commands');
    for (const id of contributed) assert.ok(registered.has(id), `${id} is contributed but not registered`);
    // VS Code itself registers `<viewId>.focus`/`.open`-style commands for each of our views; those are not ours to contribute.
    const views = Object.values(manifest.contributes.views).flatMap((list) => list.map((view) => view.id));
    assert.ok(views.includes('autopilot.imports') && views.includes('autopilot.corporateIdentifiers'), `views: ${views.join(', ')}`);
    const ours = [...registered].filter((id) => !views.some((view) => id === view || id.startsWith(`${view}.`)));
    for (const id of ours) assert.ok(contributed.has(id), `${id} is registered but not contributed`);
  });

  it('puts every command in the Autopilot category', () => {
    for (const command of manifest.contributes.commands) {
      assert.equal(command.category, 'Autopilot', `${command.command} has category ${command.category}`);
    }
  });

  it('contributes the Autopilot container and the Recent Imports view, which can be shown', async () => {
    assert.ok(manifest.contributes.viewsContainers.activitybar.some((c) => c.id === 'autopilot'));
    assert.ok(manifest.contributes.views.autopilot?.some((v) => v.id === 'autopilot.imports'));
    await vscode.commands.executeCommand('autopilot.imports.focus');
  });

  it('contributes the bundled schema for *.autopilot.json files', async () => {
    const validation = manifest.contributes.jsonValidation.find((v) => v.fileMatch === '*.autopilot.json');
    assert.ok(validation, 'no jsonValidation entry for *.autopilot.json');
    const schemaUri = vscode.Uri.joinPath(extension.extensionUri, validation.url);
    const schema = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(schemaUri)).toString('utf8'));
    assert.equal(typeof schema, 'object');
  });
});
