/**
 * `autopilot.retireDevices` (Retire…): take devices out of service in the documented order — the Intune managed device
 * first, then the Autopilot registration once Intune lets it go — with its own confirmation. The Entra ID device is
 * left alone (Microsoft warns that deleting it breaks a later re-registration). Each failure names its step.
 */
import * as vscode from 'vscode';
import type { ExtensionServices } from '../services';
import { confirmPlan, planActs, planSummary, runChange, targetDevices, type ChangeCommandOptions, type ChangeCommandResult } from './deviceChanges';

export async function retireDevices(services: ExtensionServices, clicked?: unknown, selection?: unknown, rawOptions?: unknown): Promise<ChangeCommandResult> {
  const options = (rawOptions ?? {}) as ChangeCommandOptions;
  const devices = await targetDevices(services.devices, clicked, selection, vscode.l10n.t('Retire Autopilot devices'));
  const lifecycle = await import('../import/lifecycle/api');
  const index = new lifecycle.RegisteredDeviceIndex(devices);
  const plan = lifecycle.planRemoval(devices.map((device) => device.serialNumber), index, { retire: true });
  if (!planActs(plan, 'retire')) throw new Error(vscode.l10n.t('Nothing to retire: {0}.', planSummary(plan, 'retire')));
  if (options.confirmed !== true) {
    await confirmPlan(
      plan,
      'retire',
      vscode.l10n.t('Retire {0} Autopilot devices?', plan.counts.delete ?? 0),
      vscode.l10n.t('Retire'),
      services.log,
      vscode.l10n.t(
        'Step 1 deletes each device from Intune (its managed device); step 2 deletes its Autopilot registration once Intune lets it go, which can take several minutes. The devices are not wiped, and their Entra ID device objects are left alone.',
      ),
    );
  }
  const items = lifecycle.changeItems(plan, index, 'retire');
  const source = devices.length === 1 ? devices[0]!.serialNumber : vscode.l10n.t('{0} devices in the Autopilot Devices view', devices.length);
  const run = await runChange(services, { operation: 'retire', items, source }, vscode.l10n.t('Retiring Autopilot devices'), options);
  return { plan, run };
}
