/**
 * `autopilot.splitIdentifierFile [uri]`: split a corporate-identifier file into files of at most 5,000 identifiers and
 * 5 MB each (the Intune portal's limits), written next to it in its encoding: `<name>-part1.identifiers.csv`, …
 * Lines are kept exactly as written; header and empty lines are left out. The quick fix of
 * `identifiers-too-many-rows` and `identifiers-file-too-large` runs it.
 */
import * as vscode from 'vscode';
import { fileLabel, freshSibling, payloadTarget } from './payloadFiles';
import { readText } from './identifierFiles';

export async function splitIdentifierFile(log: vscode.LogOutputChannel, argument?: unknown): Promise<vscode.Uri[]> {
  const source = await payloadTarget(argument, 'csv', vscode.l10n.t('Split a corporate-identifier file'));
  const { text, encoding } = await readText(source);
  const { splitIdentifierText, encodeText } = await import('../payload/corporateIdentifiers/convert');
  const parts = splitIdentifierText(text);
  if (parts.length <= 1) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0} fits in one file for the Intune portal (at most 5,000 identifiers and 5 MB): nothing to split.', fileLabel(source)));
    return [];
  }
  const files: vscode.Uri[] = [];
  for (const [index, part] of parts.entries()) {
    const target = await freshSibling(source, `-part${index + 1}.identifiers.csv`);
    await vscode.workspace.fs.writeFile(target, encodeText(part, encoding));
    files.push(target);
  }
  log.info(`split ${source.path} into ${files.map((file) => file.path).join(', ')} (${encoding})`);
  const open = vscode.l10n.t('Open First');
  void vscode.window
    .showInformationMessage(vscode.l10n.t('Split {0} into {1} files for the Intune portal: {2}.', fileLabel(source), files.length, files.map(fileLabel).join(', ')), open)
    .then((choice) => (choice === open ? vscode.window.showTextDocument(files[0]!) : undefined));
  return files;
}
