/** `autopilot.convertCsvToJson`: write a hardware-hash CSV's devices as an import-body `*.autopilot.json` next to it. */
import * as vscode from 'vscode';
import { counted } from '../common/counts';
import type { PayloadDiagnostics } from '../editor/payloadDiagnostics';
import { devicesToJsonPayload } from '../payload/api';
import { fileLabel, freshSibling, payloadTarget, readPayloadAt } from './payloadFiles';

export interface CsvConversion {
  readonly target: vscode.Uri;
  readonly devices: number;
  /** Data rows of the CSV that had no serial number or no hash, and so could not become devices. */
  readonly notCarried: number;
}

export async function convertCsvToJson(diagnostics: PayloadDiagnostics, log: vscode.LogOutputChannel, argument?: unknown): Promise<CsvConversion> {
  const source = await payloadTarget(argument, 'csv', vscode.l10n.t('Convert a hardware-hash CSV to a JSON payload'));
  const payload = await readPayloadAt(source, diagnostics);
  if (payload.format !== 'csv') throw new Error(vscode.l10n.t('{0} is not a CSV file.', fileLabel(source)));
  if (payload.devices.length === 0) {
    const reason = payload.problems.find((problem) => problem.severity === 'error')?.message ?? vscode.l10n.t('it has no device rows');
    throw new Error(vscode.l10n.t('{0} has no device to convert: {1}', fileLabel(source), reason));
  }
  const target = await freshSibling(source, '.autopilot.json');
  await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(devicesToJsonPayload(payload.devices)));
  const notCarried = (payload.entries ?? payload.devices.length) - payload.devices.length;
  log.info(`converted ${payload.devices.length} devices from ${source.path} to ${target.path}; ${notCarried} rows not carried`);
  await vscode.window.showTextDocument(target);
  const message =
    notCarried === 0
      ? vscode.l10n.t('Wrote {0} to {1}.', counted.devices(payload.devices.length), fileLabel(target))
      : vscode.l10n.t(
          'Wrote {0} to {1}; not carried, for lack of a serial number or hash: {2} (see Problems for {3}).',
          counted.devices(payload.devices.length),
          fileLabel(target),
          counted.rows(notCarried),
          fileLabel(source),
        );
  void (notCarried === 0 ? vscode.window.showInformationMessage(message) : vscode.window.showWarningMessage(message));
  return { target, devices: payload.devices.length, notCarried };
}
