/**
 * `autopilot.exportPortalCsv`: write a payload's devices as the CSV the Intune portal accepts (exact header, no quotes,
 * ANSI, at most 500 rows per file), naming every device it could not carry.
 */
import * as vscode from 'vscode';
import { counted } from '../common/counts';
import { showErrorWithLog } from './errorHandling';
import type { PayloadDiagnostics } from '../editor/payloadDiagnostics';
import { devicesToPortalCsv, type RefusedDevice } from '../payload/api';
import { fileLabel, freshSibling, payloadTarget, readPayloadAt } from './payloadFiles';

export interface PortalExport {
  readonly files: readonly vscode.Uri[];
  readonly devices: number;
  readonly refused: readonly RefusedDevice[];
}

export async function exportPortalCsv(diagnostics: PayloadDiagnostics, log: vscode.LogOutputChannel, argument?: unknown): Promise<PortalExport> {
  const source = await payloadTarget(argument, 'any', vscode.l10n.t('Export a portal-ready CSV'));
  const payload = await readPayloadAt(source, diagnostics);
  if (payload.devices.length === 0) {
    throw new Error(vscode.l10n.t('{0} has no device to export: fix its problems first (see Problems).', fileLabel(source)));
  }
  const exported = devicesToPortalCsv(payload.devices);
  for (const refusal of exported.refused) {
    // Serial numbers identify devices and may be logged; hashes never are.
    log.warn(`portal CSV: device ${refusal.serialNumber}${refusal.line ? ` (line ${refusal.line})` : ''} not exported: ${refusal.code}: ${refusal.reason}`);
  }
  if (exported.files.length === 0) {
    const reason = exported.refused[0]!.reason;
    throw new Error(
      payload.devices.length === 1
        ? vscode.l10n.t('The device cannot go into a portal CSV: {0}', reason)
        : vscode.l10n.t('None of the {0} devices can go into a portal CSV: {1}', payload.devices.length, reason),
    );
  }
  const files: vscode.Uri[] = [];
  for (const [index, file] of exported.files.entries()) {
    const suffix = exported.files.length === 1 ? '.portal.csv' : `.portal-part${index + 1}.csv`;
    const target = await freshSibling(source, suffix);
    await vscode.workspace.fs.writeFile(target, file.bytes);
    files.push(target);
  }
  const written = exported.files.reduce((sum, file) => sum + file.devices, 0);
  log.info(`portal CSV: ${written} devices from ${source.path} in ${files.map((file) => file.path).join(', ')}`);
  const names = files.map(fileLabel).join(', ');
  if (exported.refused.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Wrote {0} to {1} (ANSI, ready for the Intune portal).', counted.devices(written), names));
  } else {
    const first = exported.refused[0]!;
    void showErrorWithLog(
      vscode.l10n.t(
        'Wrote {0} to {1}; {2} could not go into a portal CSV (the first, {3}: {4}). All are listed in the log.',
        counted.devices(written),
        names,
        exported.refused.length,
        first.serialNumber,
        first.reason,
      ),
      log,
    );
  }
  return { files, devices: written, refused: exported.refused };
}
