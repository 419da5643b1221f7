/**
 * `autopilot.findRegisteredDevice`: look a serial number up among registered Autopilot devices (the device of a
 * Recent Imports item, or a serial typed in) and open what Intune holds as read-only JSON.
 */
import * as vscode from 'vscode';
import { UserCancelledError } from '../common/errors';
import type { RegisteredDevice } from '../graph/types';
import type { ImportsFeature } from '../views/registerImportsView';
import { isDeviceNode } from '../views/importsTreeProvider';

async function askSerial(): Promise<string> {
  const value = await vscode.window.showInputBox({
    title: vscode.l10n.t('Find a registered Autopilot device'),
    prompt: vscode.l10n.t('The serial number, as in the hardware-hash CSV.'),
    ignoreFocusOut: true,
    validateInput: (text) => (text.trim() ? undefined : vscode.l10n.t('Enter a serial number.')),
  });
  if (value === undefined) throw new UserCancelledError();
  return value.trim();
}

function describe(device: RegisteredDevice): string {
  return [device.manufacturer, device.model].filter(Boolean).join(' ') || vscode.l10n.t('registered device');
}

export async function findRegisteredDevice(importing: ImportsFeature, clicked?: unknown): Promise<RegisteredDevice[]> {
  const serial = isDeviceNode(clicked) ? importing.model.device(clicked.runId, clicked.index)?.serialNumber : typeof clicked === 'string' && clicked.trim() ? clicked.trim() : undefined;
  const serialNumber = serial ?? (await askSerial());
  const { devices, session } = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: vscode.l10n.t('Looking up {0} among registered Autopilot devices…', serialNumber) },
    () => importing.service.findRegistered(serialNumber),
  );
  if (devices.length === 0) {
    const sync = vscode.l10n.t('Sync Now');
    void vscode.window
      .showInformationMessage(
        vscode.l10n.t(
          '{0} is not among the registered Autopilot devices of {1}. A device appears a few minutes after its import completes; an Autopilot sync speeds that up.',
          serialNumber,
          session.tenant.label,
        ),
        sync,
      )
      .then((choice) => (choice === sync ? vscode.commands.executeCommand('autopilot.syncAutopilot') : undefined));
    return devices;
  }
  let chosen = devices[0]!;
  if (devices.length > 1) {
    const picked = await vscode.window.showQuickPick(
      devices.map((device) => ({ device, label: device.serialNumber ?? serialNumber, description: describe(device), detail: vscode.l10n.t('Group tag: {0} · id {1}', device.groupTag || '—', device.id) })),
      { title: vscode.l10n.t('{0} registered devices have serial number {1}', devices.length, serialNumber) },
    );
    if (!picked) throw new UserCancelledError();
    chosen = picked.device;
  }
  await importing.records.show(`registered-${serialNumber}`, chosen.id, chosen);
  vscode.window.setStatusBarMessage(vscode.l10n.t('{0} is a registered Autopilot device in {1}', serialNumber, session.tenant.label), 5000);
  return devices;
}
