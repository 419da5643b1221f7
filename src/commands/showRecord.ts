/**
 * `autopilot.showRecord` (Recent Imports): open a device's import record, as Graph has it now, as a read-only JSON
 * document. A device Graph holds no record for (not sent, refused, or record deleted) shows what the journal knows.
 */
import * as vscode from 'vscode';
import type { ImportsFeature } from '../views/registerImportsView';
import { isDeviceNode } from '../views/importsTreeProvider';

export async function showRecord(importing: ImportsFeature, clicked?: unknown): Promise<vscode.TextEditor> {
  if (!isDeviceNode(clicked)) throw new Error(vscode.l10n.t('Choose a device in Recent Imports to open its import record.'));
  const device = importing.model.device(clicked.runId, clicked.index);
  if (!device) throw new Error(vscode.l10n.t('That device is no longer in Recent Imports.'));
  const record = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Reading the import record of {0}…', device.serialNumber) }, () =>
    importing.service.readRecord(clicked.runId, clicked.index),
  );
  const value = record ?? {
    serialNumber: device.serialNumber,
    importRecord: device.id,
    deviceImportStatus: device.status,
    deviceErrorCode: device.errorCode,
    deviceErrorName: device.errorName,
    groupTag: device.groupTag,
    hardwareHashFingerprint: device.fingerprint,
    note: device.recordDeleted
      ? vscode.l10n.t('The import record was deleted; this is what the import journal last knew.')
      : vscode.l10n.t('Graph holds no import record for this device (it was not sent, or Graph refused it); this is what the import journal knows.'),
  };
  return importing.records.show(device.serialNumber, `${clicked.runId}/${clicked.index}`, value);
}
