/**
 * `autopilot.convertToIdentifiers [uri]`: write the corporate identifiers of a hardware-hash CSV that names each
 * device's manufacturer and model (`Get-WindowsAutopilotInfo -Partner`, or an OEM's file) next to it, as
 * `<name>.identifiers.csv`: the way from classic Autopilot to Autopilot device preparation.
 */
import * as vscode from 'vscode';
import { fileLabel, payloadTarget } from './payloadFiles';
import { readText, writeIdentifierFiles, type WrittenIdentifierFiles } from './identifierFiles';

export async function convertToIdentifiers(log: vscode.LogOutputChannel, argument?: unknown): Promise<WrittenIdentifierFiles> {
  const source = await payloadTarget(argument, 'csv', vscode.l10n.t('Write corporate identifiers from a hardware-hash CSV'));
  const { text } = await readText(source);
  const { devicesOfHashCsv } = await import('../payload/corporateIdentifiers/convert');
  const written = await writeIdentifierFiles(devicesOfHashCsv(text), source, log);
  const { files, conversion } = written;
  if (files.length === 0) {
    throw new Error(vscode.l10n.t('None of the devices of {0} can become a corporate identifier: {1}', fileLabel(source), conversion.notConverted[0]?.reason ?? vscode.l10n.t('it has no device rows')));
  }
  const names = files.map(fileLabel).join(', ');
  const notes = [
    conversion.periodsRemoved ? vscode.l10n.t('periods removed from {0} serial numbers, as the Intune portal asks', conversion.periodsRemoved) : '',
    conversion.repeats ? vscode.l10n.t('{0} repeated devices written once', conversion.repeats) : '',
  ].filter(Boolean);
  const wrote = vscode.l10n.t('Wrote {0} corporate identifiers to {1}', conversion.identifiers.length, names) + (notes.length ? ` (${notes.join('; ')})` : '') + '.';
  await vscode.window.showTextDocument(files[0]!);
  if (conversion.notConverted.length === 0) void vscode.window.showInformationMessage(wrote);
  else {
    const first = conversion.notConverted[0]!;
    void vscode.window.showWarningMessage(
      `${wrote} ${vscode.l10n.t('{0} devices could not be converted (the first, line {1}: {2}); the log lists them all.', conversion.notConverted.length, first.line ?? '?', first.reason)}`,
    );
  }
  return written;
}
