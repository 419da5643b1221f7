/**
 * `autopilot.editDevices`: set the group tag, display name or assigned user of one registered device or a selection
 * (a group tag's node stands for its devices). The value is checked by the bundled schema's update rule (Intune's
 * display-name rule among them) as the user types, the plan (what changes from what to what) is shown and confirmed,
 * and the change is journaled like an import. Last argument `{ field, value, confirmed }` answers the questions.
 */
import * as vscode from 'vscode';
import { UserCancelledError } from '../common/errors';
import type { UpdatableField } from '../import/lifecycle/updateFile';
import type { ExtensionServices } from '../services';
import { confirmPlan, planActs, planSummary, runChange, targetDevices, type ChangeCommandOptions, type ChangeCommandResult } from './deviceChanges';

export interface EditOptions extends ChangeCommandOptions {
  readonly field?: UpdatableField;
  readonly value?: string;
}

const FIELDS: readonly UpdatableField[] = ['groupTag', 'displayName', 'userPrincipalName'];

function fieldLabel(field: UpdatableField): string {
  return field === 'groupTag' ? vscode.l10n.t('Group tag') : field === 'displayName' ? vscode.l10n.t('Display name') : vscode.l10n.t('Assigned user');
}

export async function editDevices(services: ExtensionServices, clicked?: unknown, selection?: unknown, rawOptions?: unknown): Promise<ChangeCommandResult> {
  const options = (rawOptions ?? {}) as EditOptions;
  const feature = services.devices;
  const devices = await targetDevices(feature, clicked, selection, vscode.l10n.t('Edit Autopilot devices'));
  const lifecycle = await import('../import/lifecycle/api');
  const field =
    options.field ??
    (
      await vscode.window.showQuickPick(
        FIELDS.map((value) => ({ value, label: fieldLabel(value) })),
        { title: devices.length === 1 ? vscode.l10n.t('Edit {0}', devices[0]!.serialNumber) : vscode.l10n.t('Edit {0} devices', devices.length) },
      )
    )?.value;
  if (!field) throw new UserCancelledError();
  /** The bundled schema's rule for the value, through the same reader as update files (one set of rules). */
  const problemWith = (value: string): string | undefined => {
    const file = lifecycle.parseUpdateText(JSON.stringify([{ serialNumber: devices[0]!.serialNumber, [field]: value }]), 'edit.json');
    return file.problems.find((problem) => problem.severity === 'error')?.message;
  };
  const current = new Set(devices.map((device) => device[field]));
  const value =
    options.value ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('{0} for {1}', fieldLabel(field), devices.length === 1 ? devices[0]!.serialNumber : vscode.l10n.t('{0} devices', devices.length)),
      value: current.size === 1 ? [...current][0] : '',
      prompt:
        field === 'displayName'
          ? vscode.l10n.t('At most 15 characters: letters, digits and hyphens, not only digits. Intune names the device with it when it enrolls.')
          : field === 'groupTag'
            ? vscode.l10n.t('Dynamic groups match it as [OrderID]:<tag>; the profile assigned to such a group follows.')
            : vscode.l10n.t('The user principal name the device is assigned to; empty removes the assignment.'),
      validateInput: (text) => problemWith(text),
    }));
  if (value === undefined) throw new UserCancelledError();
  const problem = problemWith(value);
  if (problem) throw new Error(problem);

  const index = await feature.service.index();
  // By id: a serial that several registered devices share is still edited where the user picked it.
  const plan = lifecycle.planUpdate(
    devices.map((device, line) => ({ serialNumber: device.serialNumber, [field]: value, line: line + 1 })),
    new lifecycle.RegisteredDeviceIndex(devices.map((device) => index.get(device.id) ?? device)),
  );
  if (!planActs(plan, 'update')) throw new Error(vscode.l10n.t('Nothing to change: {0}.', planSummary(plan, 'update')));
  if (options.confirmed !== true) {
    await confirmPlan(plan, 'update', plan.counts.update === 1 ? vscode.l10n.t('Change the {0} of 1 registered device?', fieldLabel(field).toLowerCase()) : vscode.l10n.t('Change the {0} of {1} registered devices?', fieldLabel(field).toLowerCase(), plan.counts.update ?? 0), vscode.l10n.t('Change'), services.log);
  }
  const items = lifecycle.changeItems(plan, new lifecycle.RegisteredDeviceIndex(devices.map((device) => index.get(device.id) ?? device)), 'update');
  const source = devices.length === 1 ? devices[0]!.serialNumber : vscode.l10n.t('{0} devices in the Autopilot Devices view', devices.length);
  const run = await runChange(services, { operation: 'update', items, source }, vscode.l10n.t('Updating Autopilot devices'), options);
  return { plan, run };
}
