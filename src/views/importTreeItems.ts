/**
 * How a run and a device look in the Recent Imports tree: label, description, codicon, Markdown tooltip and the
 * capability flags the context menus match. Built from the model's data only.
 */
import * as vscode from 'vscode';
import { explainImportError, type Explanation } from '../import/explanations';
import type { DeviceView } from '../import/runState';
import {
  contextValue,
  deviceCapabilities,
  deviceDisplayState,
  runCapabilities,
  runDisplayState,
  type DeviceDisplayState,
  type RunDisplayState,
} from './importPresentation';
import { sourceName, type RunEntry } from '../import/vscode/importsModel';
import type { FollowedProfile } from '../import/vscode/profileFollower';
import { profileExplanation, profileStatusText } from './registeredDevicePresentation';

const PASSED = new vscode.ThemeColor('testing.iconPassed');
const FAILED = new vscode.ThemeColor('testing.iconFailed');
const WARNING = new vscode.ThemeColor('problemsWarningIcon.foreground');
const QUIET = new vscode.ThemeColor('disabledForeground');

const DEVICE_ICONS: Record<DeviceDisplayState, vscode.ThemeIcon> = {
  queued: new vscode.ThemeIcon('circle-outline'),
  'not-sent': new vscode.ThemeIcon('circle-slash', QUIET),
  processing: new vscode.ThemeIcon('loading~spin'),
  complete: new vscode.ThemeIcon('pass', PASSED),
  registered: new vscode.ThemeIcon('pass-filled', PASSED),
  partial: new vscode.ThemeIcon('warning', WARNING),
  error: new vscode.ThemeIcon('error', FAILED),
};

const RUN_ICONS: Record<RunDisplayState, vscode.ThemeIcon> = {
  sending: new vscode.ThemeIcon('cloud-upload'),
  stopping: new vscode.ThemeIcon('debug-pause'),
  processing: new vscode.ThemeIcon('sync~spin'),
  interrupted: new vscode.ThemeIcon('debug-pause', WARNING),
  complete: new vscode.ThemeIcon('pass', PASSED),
  failed: new vscode.ThemeIcon('error', FAILED),
};

function tally(entry: RunEntry): Record<'complete' | 'error' | 'partial' | 'processing' | 'notSent', number> {
  const counts = { complete: 0, error: 0, partial: 0, processing: 0, notSent: 0 };
  for (const device of entry.view.devices) {
    const state = deviceDisplayState(device, entry);
    if (state === 'complete' || state === 'registered') counts.complete++;
    else if (state === 'error') counts.error++;
    else if (state === 'partial') counts.partial++;
    else if (state === 'not-sent') counts.notSent++;
    else counts.processing++;
  }
  return counts;
}

/** Every count, for tooltips, pickers and screen readers: "3 complete, 2 failed, 1 processing". */
export function countsText(entry: RunEntry): string {
  const counts = tally(entry);
  const parts = [
    counts.complete ? vscode.l10n.t('{0} complete', counts.complete) : '',
    counts.error ? vscode.l10n.t('{0} failed', counts.error) : '',
    counts.partial ? vscode.l10n.t('{0} partial', counts.partial) : '',
    counts.processing ? vscode.l10n.t('{0} processing', counts.processing) : '',
    counts.notSent ? vscode.l10n.t('{0} not sent', counts.notSent) : '',
  ].filter(Boolean);
  return parts.join(', ') || vscode.l10n.t('no devices');
}

/**
 * What a run's row says next to its file name, sized for a side bar of about 300 px and a long file name: the one
 * count its state is about (the icon shows the state). Everything else is in the tooltip.
 */
export function runSummary(entry: RunEntry, state: RunDisplayState): string {
  const counts = tally(entry);
  const failed = counts.error + counts.partial;
  const total = entry.view.devices.length;
  switch (state) {
    case 'sending':
      return vscode.l10n.t('sending {0}/{1}', sentCount(entry), total);
    case 'stopping':
      return vscode.l10n.t('stopping');
    case 'interrupted':
      return vscode.l10n.t('{0} not sent', counts.notSent);
    case 'processing':
      return vscode.l10n.t('{0} processing', counts.processing);
    case 'failed':
      return vscode.l10n.t('{0} failed', failed);
    case 'complete': {
      const registered = entry.view.devices.filter((device) => device.registered).length;
      return registered === total ? vscode.l10n.t('{0} registered', total) : vscode.l10n.t('{0} imported', total);
    }
  }
}

/** Devices of a run that have left (sent, or decided by Graph at once). */
function sentCount(entry: RunEntry): number {
  return entry.view.devices.filter((device) => device.sent || (device.status !== 'unknown' && device.status !== 'pending')).length;
}

function runStateText(state: RunDisplayState): string {
  switch (state) {
    case 'sending':
      return vscode.l10n.t('Sending to Intune');
    case 'stopping':
      return vscode.l10n.t('Stopping after the chunk in flight');
    case 'processing':
      return vscode.l10n.t('Intune is processing the devices');
    case 'interrupted':
      return vscode.l10n.t('Interrupted: some devices were not sent. Continue Import sends them, after checking Graph for any that arrived.');
    case 'complete':
      return vscode.l10n.t('Every device was imported');
    case 'failed':
      return vscode.l10n.t('Finished; some devices failed');
  }
}

function syncText(outcome: string): string {
  switch (outcome) {
    case 'started':
      return vscode.l10n.t('started');
    case 'already-running':
      return vscode.l10n.t('one was already running');
    case 'too-soon':
      return vscode.l10n.t('skipped, the last one was less than 10 minutes ago');
    default:
      return vscode.l10n.t('failed (devices still sync on their own)');
  }
}

export function runTreeItem(entry: RunEntry, expanded: boolean): vscode.TreeItem {
  const { view } = entry;
  const state = runDisplayState(entry);
  const item = new vscode.TreeItem(sourceName(view.source), expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `run:${view.id}`;
  // Sized for the default side bar: the file and one short summary; the time, tenant and counts are in the tooltip.
  item.description = runSummary(entry, state);
  item.iconPath = RUN_ICONS[state];
  item.contextValue = contextValue('autopilotRun', runCapabilities(entry));

  const registered = view.devices.filter((device) => device.registered).length;
  const complete = view.devices.filter((device) => device.status === 'complete').length;
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`**${escapeMarkdown(sourceName(view.source))}**  \n`);
  tooltip.appendText(runStateText(state));
  if (entry.problem) {
    tooltip.appendMarkdown('\n\n$(warning) ');
    tooltip.appendText(entry.problem);
  }
  const lines = [
    vscode.l10n.t('Devices: {0} ({1})', view.devices.length, countsText(entry)),
    complete ? vscode.l10n.t('Registered in Autopilot: {0} of {1} complete', registered, complete) : '',
    view.lastSync ? vscode.l10n.t('Autopilot sync: {0}', syncText(view.lastSync)) : '',
    vscode.l10n.t('Started: {0}', new Date(view.startedAt).toLocaleString(vscode.env.language)),
    !view.tenant
      ? vscode.l10n.t('Tenant: not recorded')
      : view.tenant.label === view.tenant.id
        ? vscode.l10n.t('Tenant: {0}', view.tenant.id)
        : vscode.l10n.t('Tenant: {0} ({1})', view.tenant.label, view.tenant.id),
    vscode.l10n.t('Graph: {0}', view.graphRoot),
    vscode.l10n.t('Source: {0}', view.source),
  ].filter(Boolean);
  tooltip.appendMarkdown('\n\n');
  tooltip.appendMarkdown(lines.map(escapeMarkdown).join('  \n'));
  item.tooltip = tooltip;
  item.accessibilityInformation = { label: vscode.l10n.t('Import of {0}: {1}. {2}', sourceName(view.source), countsText(entry), runStateText(state)) };
  return item;
}

/** What the device's context menu offers for this failure, named as the menu names it. */
function actionsHere(explanation: Explanation): string | undefined {
  if (explanation.retryable) return vscode.l10n.t('Retry Failed Devices sends it again.');
  switch (explanation.kind) {
    case 'registered-here':
      return vscode.l10n.t('Find Registered Device… shows the device Intune holds; Delete Import Record removes this failed record.');
    case 'registered-elsewhere':
      return vscode.l10n.t('Copy Serial Number for the message to that tenant or the reseller; Delete Import Record removes this failed record.');
    default:
      return vscode.l10n.t('Delete Import Record removes this failed record; import the corrected device again.');
  }
}

/** The state of a device in words, for its tooltip and screen readers. */
function deviceStateText(device: DeviceView, state: DeviceDisplayState): string {
  switch (state) {
    case 'queued':
      return vscode.l10n.t('waiting to be sent');
    case 'not-sent':
      return vscode.l10n.t('not sent');
    case 'processing':
      return vscode.l10n.t('processing');
    case 'complete':
      return vscode.l10n.t('complete, not registered yet');
    case 'registered':
      return vscode.l10n.t('complete, registered');
    case 'partial':
    case 'error': {
      const explanation = explainImportError(device);
      return explanation ? `${state === 'error' ? vscode.l10n.t('failed') : vscode.l10n.t('partial')}: ${explanation.title}` : state;
    }
  }
}

/** The few words a failure gets in the tree (its title and fix are in the tooltip). */
function failureWord(device: DeviceView, explanation: Explanation | undefined): string {
  switch (explanation?.kind) {
    case 'registered-here':
      return vscode.l10n.t('806 · already here');
    case 'registered-elsewhere':
      return vscode.l10n.t('808 · other tenant');
    case 'duplicate':
      return vscode.l10n.t('duplicate hash');
    case 'invalid-hash':
      return vscode.l10n.t('invalid hash');
    case 'unpadded-hash':
      return vscode.l10n.t('hash not padded');
    case 'storage':
      return vscode.l10n.t('storage error');
    case 'record-deleted':
      return vscode.l10n.t('record deleted');
    case 'refused':
      return vscode.l10n.t('refused ({0})', device.errorCode);
    case 'partial':
      return vscode.l10n.t('partial');
    default:
      return device.errorCode ? vscode.l10n.t('failed ({0})', device.errorCode) : vscode.l10n.t('failed');
  }
}

/** A device's row next to its serial number, sized for the default side bar: a short word (the icon shows the state). */
function deviceSummary(device: DeviceView, state: DeviceDisplayState): string {
  switch (state) {
    case 'queued':
      return vscode.l10n.t('queued');
    case 'not-sent':
      return vscode.l10n.t('not sent');
    case 'processing':
      return vscode.l10n.t('processing');
    case 'complete':
      return vscode.l10n.t('complete');
    case 'registered':
      return vscode.l10n.t('registered');
    case 'partial':
    case 'error':
      return failureWord(device, explainImportError(device));
  }
}

/** A registered device's profile assignment in a few words, and why not yet in a sentence (issue 12). */
function profileWords(device: DeviceView, profile: FollowedProfile | undefined): { short: string; detail?: string } | undefined {
  if (!device.registered || !profile) return undefined;
  const status = profile.assignment?.status;
  const short = profileStatusText(status);
  const why = profileExplanation({ profileStatus: status ?? null, profileDetail: profile.assignment?.detailedStatus ?? null, groupTag: device.groupTag ?? '' });
  const gaveUp = profile.gaveUp ? vscode.l10n.t('Not assigned within the time limit (autopilot.poll.timeLimitMinutes); the Autopilot Devices view shows it when it is.') : undefined;
  const named = profile.assignment?.profileName ? vscode.l10n.t('Profile: {0}', profile.assignment.profileName) : undefined;
  return { short, detail: [named, why, gaveUp].filter(Boolean).join(' ') || undefined };
}

/**
 * A device's row. Its tooltip comes from `deviceTooltip` when the row is hovered (the tree's `resolveTreeItem`): a run
 * of 5,000 devices redrawn with 5,000 Markdown tooltips kept the extension host busy for seconds.
 */
export function deviceTreeItem(runId: string, device: DeviceView, entry: RunEntry, profile?: FollowedProfile): vscode.TreeItem {
  const state = deviceDisplayState(device, entry);
  const item = new vscode.TreeItem(device.serialNumber, vscode.TreeItemCollapsibleState.None);
  item.id = `run:${runId}/${device.index}`;
  const { stateText, profileState } = deviceStateWords(device, state, profile);
  // Room is short at the default side bar width: a profile status implies registration, so an unassigned profile
  // takes the place of "registered"; an assigned one, the goal, leaves "registered" (the tooltip names the profile).
  const assigned = profile?.assignment?.status?.startsWith('assigned') === true;
  const summary = profileState && !assigned ? profileState.short : deviceSummary(device, state);
  // A failure's words take the room; its group tag is in the tooltip.
  const failed = state === 'error' || state === 'partial';
  item.description = device.groupTag && !failed ? `${summary} · ${device.groupTag}` : summary;
  item.iconPath = DEVICE_ICONS[state];
  item.contextValue = contextValue('autopilotDevice', deviceCapabilities(device, entry));
  item.accessibilityInformation = { label: vscode.l10n.t('Device {0}: {1}', device.serialNumber, stateText) };
  return item;
}

function deviceStateWords(device: DeviceView, state: DeviceDisplayState, profile?: FollowedProfile): { readonly stateText: string; readonly profileState: ReturnType<typeof profileWords> } {
  const profileState = profileWords(device, profile);
  return { stateText: profileState ? `${deviceStateText(device, state)}, ${profileState.short}` : deviceStateText(device, state), profileState };
}

/** A device's tooltip: its state, a failure's explanation and fix, and its facts. */
export function deviceTooltip(device: DeviceView, entry: RunEntry, profile?: FollowedProfile): vscode.MarkdownString {
  const state = deviceDisplayState(device, entry);
  const { stateText, profileState } = deviceStateWords(device, state, profile);
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`**${escapeMarkdown(device.serialNumber)}**  \n`);
  const explanation = explainImportError(device);
  // A failure's title follows in bold with its explanation; the first line only says that it failed.
  tooltip.appendText(explanation ? (state === 'error' ? vscode.l10n.t('Import failed') : vscode.l10n.t('Partially imported')) : stateText);
  if (explanation) {
    const code = [device.errorCode ? String(device.errorCode) : '', device.errorName ?? ''].filter(Boolean).join(' · ');
    tooltip.appendMarkdown('\n\n');
    if (code) tooltip.appendMarkdown(`$(error) \`${escapeMarkdown(code)}\`\n\n`);
    tooltip.appendMarkdown(`**${escapeMarkdown(explanation.title)}**: ${escapeMarkdown(explanation.detail)}\n\n`);
    tooltip.appendMarkdown(`**${escapeMarkdown(vscode.l10n.t('Fix:'))}** ${escapeMarkdown(explanation.fix)}`);
    const here = actionsHere(explanation);
    if (here) tooltip.appendMarkdown(`\n\n**${escapeMarkdown(vscode.l10n.t('Here:'))}** ${escapeMarkdown(here)}`);
  }
  const facts = [
    vscode.l10n.t('Group tag: {0}', device.groupTag ?? vscode.l10n.t('none')),
    device.id ? vscode.l10n.t('Import record: {0}{1}', device.id, device.recordDeleted ? vscode.l10n.t(' (deleted)') : '') : vscode.l10n.t('Import record: none yet'),
    device.status === 'complete' ? (device.registered ? vscode.l10n.t('Registered in Autopilot: yes') : vscode.l10n.t('Registered in Autopilot: not yet')) : '',
    vscode.l10n.t('Hardware hash fingerprint: {0}', device.fingerprint),
  ].filter(Boolean);
  if (profileState?.detail) tooltip.appendMarkdown(`\n\n${escapeMarkdown(profileState.detail)}`);
  tooltip.appendMarkdown('\n\n');
  tooltip.appendMarkdown(facts.map(escapeMarkdown).join('  \n'));
  return tooltip;
}

/** Text from files and Graph shown inside Markdown: no markup, links or HTML may come through. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~$]/g, (character) => `\\${character}`);
}
