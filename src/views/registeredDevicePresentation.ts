/** How registered Autopilot devices read to people: profile assignment in words, the description line, the tooltip. */
import * as vscode from 'vscode';
import type { ChangeRunView } from '../import/lifecycle/changeRun';
import type { DeviceSummary } from '../import/lifecycle/registeredDevices';
import { isRealManagedDeviceId } from '../graph/managedDevices';
import { enrollmentStateLabel } from './corporateIdentifierPresentation';

/** Beta `deploymentProfileAssignmentStatus` in words (the `assigned…` family is one state to a user). */
export function profileStatusText(status: string | null | undefined): string {
  if (!status) return vscode.l10n.t('profile status unknown');
  if (status.startsWith('assigned')) return status === 'assignedUnkownSyncState' || status === 'assignedUnknownSyncState' ? vscode.l10n.t('profile assigned (sync state unknown)') : vscode.l10n.t('profile assigned');
  switch (status) {
    case 'notAssigned':
      return vscode.l10n.t('no profile');
    case 'pending':
      return vscode.l10n.t('profile pending');
    case 'failed':
      return vscode.l10n.t('profile failed');
    default:
      return vscode.l10n.t('profile {0}', status);
  }
}

/** Why a profile is not assigned yet, in words, for the tooltip and Recent Imports. */
export function profileExplanation(device: Pick<DeviceSummary, 'profileStatus' | 'profileDetail' | 'groupTag'>): string | undefined {
  switch (device.profileStatus) {
    case 'notAssigned':
      return device.groupTag
        ? vscode.l10n.t('No deployment profile targets a group this device is in (group tag {0}): assign a profile to a dynamic group that matches the tag.', device.groupTag)
        : vscode.l10n.t('No deployment profile targets a group this device is in: give it a group tag that a dynamic group matches, or assign a profile to all devices.');
    case 'pending':
      return vscode.l10n.t('Intune is assigning the profile; this usually takes a few minutes after the device joins the targeted group.');
    case 'failed':
      return vscode.l10n.t('Intune could not assign the profile{0}.', device.profileDetail && device.profileDetail !== 'none' ? ` (${device.profileDetail})` : '');
    default:
      return undefined;
  }
}

export function profileIcon(status: string | null | undefined): vscode.ThemeIcon {
  if (status?.startsWith('assigned')) return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed'));
  if (status === 'failed') return new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed'));
  if (status === 'pending') return new vscode.ThemeIcon('sync');
  if (status === 'notAssigned') return new vscode.ThemeIcon('circle-large-outline', new vscode.ThemeColor('list.warningForeground'));
  return new vscode.ThemeIcon('device-desktop');
}

/**
 * Manufacturer and model as people say them: "HP EliteBook 840 G10", not "HP HP EliteBook 840 G10" (OEMs often
 * repeat their name in the model).
 */
export function modelText(device: Pick<DeviceSummary, 'manufacturer' | 'model'>): string {
  const manufacturer = device.manufacturer.trim();
  const model = device.model.trim();
  const brand = manufacturer.split(/[\s,]+/)[0]?.toLowerCase() ?? '';
  if (!model) return manufacturer || vscode.l10n.t('model unknown');
  return !manufacturer || (brand && model.toLowerCase().startsWith(brand)) ? model : `${manufacturer} ${model}`;
}

/**
 * The row's description, short enough for the default side bar (300 px) next to the serial: the profile status and,
 * for a device enrolled in Intune (which a delete leaves alone), that. Model, names, user and the rest are in the tooltip.
 */
export function deviceDescription(device: DeviceSummary): string {
  const enrolled = isRealManagedDeviceId(device.managedDeviceId) || device.enrollmentState === 'enrolled';
  return [profileStatusText(device.profileStatus), enrolled ? vscode.l10n.t('enrolled') : undefined].filter(Boolean).join(' · ');
}

function markdownText(value: string): string {
  return value.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export function deviceTooltip(device: DeviceSummary): vscode.MarkdownString {
  const none = vscode.l10n.t('(none)');
  const row = (name: string, value: string | null | undefined) => `${name}: ${markdownText(value || none)}  `;
  const lines = [
    `**${markdownText(device.serialNumber)}**`,
    '',
    row(vscode.l10n.t('Model'), modelText(device)),
    row(vscode.l10n.t('Group tag'), device.groupTag),
    row(vscode.l10n.t('Display name'), device.displayName),
    row(vscode.l10n.t('Assigned user'), device.userPrincipalName),
    row(vscode.l10n.t('Enrollment state'), enrollmentStateLabel(device.enrollmentState)),
    `${vscode.l10n.t('Profile')}: **${markdownText(profileStatusText(device.profileStatus))}**${device.profileName ? ` (${markdownText(device.profileName)})` : ''}`,
  ];
  const why = profileExplanation(device);
  if (why) lines.push('', markdownText(why));
  if (device.lastContactedDateTime) lines.push('', `${vscode.l10n.t('Last contact')}: ${markdownText(new Date(device.lastContactedDateTime).toLocaleString(vscode.env.language))}`);
  return new vscode.MarkdownString(lines.join('\n'));
}

/** "Retire of 12 devices in the Autopilot Devices view", as the offer and the picker name a change. */
export function changeName(run: ChangeRunView): string {
  const what = {
    update: vscode.l10n.t('Update'),
    delete: vscode.l10n.t('Delete'),
    retire: vscode.l10n.t('Retire'),
    'add-to-group': vscode.l10n.t('Add to {0}', run.group?.displayName ?? ''),
  }[run.operation];
  return vscode.l10n.t('{0} of {1}', what, run.source);
}
