/**
 * `autopilot.deleteDevices`: delete the Autopilot registration of the selected devices after a modal confirmation that
 * states how many and what it does not do. Following the documented order, a device still enrolled in Intune is not
 * deleted (Intune refuses) but reported, with Retire… as the way on. Journaled like an import.
 */
import * as vscode from 'vscode';
import type { ExtensionServices } from '../services';
import { confirmPlan, planActs, planSummary, runChange, targetDevices, type ChangeCommandOptions, type ChangeCommandResult } from './deviceChanges';

export async function deleteDevices(services: ExtensionServices, clicked?: unknown, selection?: unknown, rawOptions?: unknown): Promise<ChangeCommandResult> {
  const options = (rawOptions ?? {}) as ChangeCommandOptions;
  const devices = await targetDevices(services.devices, clicked, selection, vscode.l10n.t('Delete Autopilot devices'));
  const lifecycle = await import('../import/lifecycle/api');
  const index = new lifecycle.RegisteredDeviceIndex(devices);
  const plan = lifecycle.planRemoval(devices.map((device) => device.serialNumber), index);
  if (!planActs(plan, 'delete')) throw new Error(vscode.l10n.t('Nothing to delete: {0}.', planSummary(plan, 'delete')));
  if (options.confirmed !== true) {
    await confirmPlan(
      plan,
      'delete',
      vscode.l10n.t('Delete {0} Autopilot device registrations?', plan.counts.delete ?? 0),
      vscode.l10n.t('Delete'),
      services.log,
      vscode.l10n.t(
        'This removes the devices from Windows Autopilot only. It does not wipe or retire them, does not remove them from Intune (enrolled devices are skipped: use Retire…), and does not delete their Entra ID device objects. A deleted device can be imported again from its hardware hash.',
      ),
    );
  }
  const items = lifecycle.changeItems(plan, index, 'delete');
  const source = devices.length === 1 ? devices[0]!.serialNumber : vscode.l10n.t('{0} devices in the Autopilot Devices view', devices.length);
  const run = await runChange(services, { operation: 'delete', items, source }, vscode.l10n.t('Deleting Autopilot devices'), options);
  return { plan, run };
}
