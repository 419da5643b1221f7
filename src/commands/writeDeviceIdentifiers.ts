/**
 * `autopilot.writeDeviceIdentifiers`: write corporate identifiers (manufacturer, model, serial number) of the selected
 * registered devices — or of every device the view shows — to a `*.identifiers.csv`, the way from classic Autopilot to
 * Autopilot device preparation. Uses the same writer as the conversion from a hardware-hash CSV. Last argument
 * `{ target }`: the file to write next to (its name gives the new file's name).
 */
import * as vscode from 'vscode';
import { UserCancelledError } from '../common/errors';
import type { ExtensionServices } from '../services';
import { selectedDevices } from './deviceChanges';
import { writeIdentifierFiles, type WrittenIdentifierFiles } from './identifierFiles';
import { fileLabel } from './payloadFiles';

export async function writeDeviceIdentifiers(services: ExtensionServices, clicked?: unknown, selection?: unknown, rawOptions?: unknown): Promise<WrittenIdentifierFiles> {
  const { model, tree, service } = services.devices;
  let devices = selectedDevices(model, tree, clicked, selection);
  if (!devices.length) {
    if (model.state !== 'read') await service.load();
    devices = model.shown();
  }
  if (!devices.length) throw new Error(vscode.l10n.t('There are no registered devices to write corporate identifiers for.'));
  devices.sort((a, b) => a.serialNumber.localeCompare(b.serialNumber));
  const target = (rawOptions as { target?: unknown } | undefined)?.target;
  const source =
    target instanceof vscode.Uri
      ? target
      : await vscode.window.showSaveDialog({
          title: vscode.l10n.t('Write corporate identifiers for {0} devices', devices.length),
          defaultUri: vscode.workspace.workspaceFolders?.[0] ? vscode.Uri.joinPath(vscode.workspace.workspaceFolders[0].uri, `${(model.tenant ?? 'autopilot-devices').replace(/[^\w.-]+/g, '-')}.identifiers.csv`) : undefined,
          filters: { [vscode.l10n.t('Corporate identifiers')]: ['csv'] },
        });
  if (!source) throw new UserCancelledError();
  const written = await writeIdentifierFiles(
    devices.map((device) => ({ manufacturer: device.manufacturer, model: device.model, serialNumber: device.serialNumber })),
    source,
    services.log,
  );
  const { files, conversion } = written;
  if (!files.length) throw new Error(vscode.l10n.t('None of the devices can become a corporate identifier: {0}', conversion.notConverted[0]?.reason ?? ''));
  await vscode.window.showTextDocument(files[0]!);
  const wrote = vscode.l10n.t('Wrote {0} corporate identifiers to {1}.', conversion.identifiers.length, files.map(fileLabel).join(', '));
  if (conversion.notConverted.length) {
    const first = conversion.notConverted[0]!;
    void vscode.window.showWarningMessage(`${wrote} ${vscode.l10n.t('{0} devices could not be converted (the first, {1}: {2}); the log lists them all.', conversion.notConverted.length, first.serialNumber || '?', first.reason)}`);
  } else void vscode.window.showInformationMessage(wrote);
  return written;
}
