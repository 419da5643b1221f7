/**
 * `autopilot.addDevicesToGroup`: add the selected devices' Entra ID device objects to an Entra group found by name,
 * 20 per request; a device already in the group is not a failure. The permissions this needs (GroupMember.ReadWrite.All,
 * Device.Read.All) are asked for the first time it is used. Last argument `{ group, confirmed }`: a group name or id.
 */
import * as vscode from 'vscode';
import { UserCancelledError } from '../common/errors';
import type { EntraGroup } from '../graph/types';
import type { ExtensionServices } from '../services';
import { confirmPlan, planActs, planSummary, runChange, targetDevices, withConsent, type ChangeCommandOptions, type ChangeCommandResult } from './deviceChanges';

export interface AddToGroupOptions extends ChangeCommandOptions {
  readonly group?: string;
}

async function pickGroup(services: ExtensionServices, name: string | undefined, confirmed: boolean): Promise<EntraGroup> {
  const typed =
    name ??
    (await vscode.window.showInputBox({
      title: vscode.l10n.t('Add to an Entra group'),
      prompt: vscode.l10n.t('The start of the group’s name'),
      validateInput: (text) => (text.trim() ? undefined : vscode.l10n.t('Type the start of a group name.')),
    }));
  if (!typed?.trim()) throw new UserCancelledError();
  const groups = await withConsent(services, async () =>
    vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Searching Entra groups…') }, () => services.devices.service.searchGroups(typed)),
    confirmed,
  );
  const exact = groups.filter((group) => group.id === typed.trim() || (group.displayName ?? '').toLowerCase() === typed.trim().toLowerCase());
  if (name !== undefined) {
    if (exact.length === 1) return exact[0]!;
    throw new Error(exact.length ? vscode.l10n.t('{0} groups are named "{1}": choose one from the list.', exact.length, typed) : vscode.l10n.t('No Entra group is named "{0}".', typed));
  }
  if (!groups.length) throw new Error(vscode.l10n.t('No Entra group name starts with "{0}".', typed));
  const picked = await vscode.window.showQuickPick(
    groups.map((group) => ({ group, label: group.displayName ?? group.id, description: group.securityEnabled ? vscode.l10n.t('security group') : vscode.l10n.t('Microsoft 365 group'), detail: group.id })),
    { title: vscode.l10n.t('Add to which group?'), matchOnDetail: true },
  );
  if (!picked) throw new UserCancelledError();
  return picked.group;
}

export async function addDevicesToGroup(services: ExtensionServices, clicked?: unknown, selection?: unknown, rawOptions?: unknown): Promise<ChangeCommandResult> {
  const options = (rawOptions ?? {}) as AddToGroupOptions;
  const devices = await targetDevices(services.devices, clicked, selection, vscode.l10n.t('Add Autopilot devices to an Entra group'));
  const group = await pickGroup(services, options.group, options.confirmed === true);
  const lifecycle = await import('../import/lifecycle/api');
  const index = new lifecycle.RegisteredDeviceIndex(devices);
  const plan = lifecycle.planRemoval(devices.map((device) => device.serialNumber), index, { retire: true });
  if (!planActs(plan, 'add-to-group')) throw new Error(vscode.l10n.t('Nothing to add: {0}.', planSummary(plan, 'add-to-group')));
  const name = group.displayName ?? group.id;
  if (options.confirmed !== true) {
    await confirmPlan(plan, 'add-to-group', plan.counts.delete === 1 ? vscode.l10n.t('Add 1 device to the group {0}?', name) : vscode.l10n.t('Add {0} devices to the group {1}?', plan.counts.delete ?? 0, name), vscode.l10n.t('Add'), services.log, vscode.l10n.t('Their Entra ID device objects become members; devices already in the group stay as they are.'));
  }
  const items = lifecycle.changeItems(plan, index, 'add-to-group');
  const source = devices.length === 1 ? devices[0]!.serialNumber : vscode.l10n.t('{0} devices in the Autopilot Devices view', devices.length);
  const run = await runChange(services, { operation: 'add-to-group', items, source, group: { id: group.id, displayName: name } }, vscode.l10n.t('Adding devices to {0}', name), options);
  return { plan, run };
}
