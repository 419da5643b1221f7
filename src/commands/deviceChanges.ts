/**
 * What the Autopilot Devices commands share: which devices a command acts on (the clicked one, the selection, a group
 * tag's devices), the plan shown before every change with its confirmation, the incremental-consent question, and
 * running a change under a cancellable progress with one message for its outcome.
 */
import * as vscode from 'vscode';
import type { ExtensionServices } from '../services';
import { signIn } from './signIn';
import { UserCancelledError } from '../common/errors';
import { ConsentNeededError } from '../import/errors';
import type { ChangeOperation, ChangeRunView, DeviceSummary, NewChangeRun, Plan, PlannedDevice } from '../import/lifecycle/api';
import type { RegisteredDevicesModel } from '../import/vscode/registeredDevicesModel';
import type { RegisteredDevicesFeature } from '../views/registerRegisteredDevicesView';
import { modelText } from '../views/registeredDevicePresentation';
import { isDeviceGroupNode, isRegisteredDeviceNode, type RegisteredDevicesTreeProvider } from '../views/registeredDevicesTreeProvider';

/** Test and script options every change command takes as its last argument. */
export interface ChangeCommandOptions {
  /** Skip the confirmation (the plan is still made, and returned). */
  readonly confirmed?: boolean;
}

export interface ChangeCommandResult {
  readonly plan: Plan;
  /** Undefined when the plan had nothing to do. */
  readonly run?: ChangeRunView;
}

/** The clicked device, or every selected one when it is part of the selection; a group tag stands for its devices. */
export function selectedDevices(model: RegisteredDevicesModel, tree: RegisteredDevicesTreeProvider, clicked: unknown, selection: unknown): DeviceSummary[] {
  const chosen = Array.isArray(selection) ? selection.filter((node) => isRegisteredDeviceNode(node) || isDeviceGroupNode(node)) : [];
  const nodes = isRegisteredDeviceNode(clicked) || isDeviceGroupNode(clicked) ? (chosen.includes(clicked) ? chosen : [clicked]) : [];
  const devices = new Map<string, DeviceSummary>();
  for (const node of nodes) {
    if (isRegisteredDeviceNode(node)) {
      const device = model.device(node.id);
      if (device) devices.set(device.id, device);
    } else if (isDeviceGroupNode(node)) for (const device of tree.devicesIn(node.tag)) devices.set(device.id, device);
  }
  return [...devices.values()];
}

/** The devices a command acts on: the selection, else the user picks from the (listed) view. */
export async function targetDevices(feature: RegisteredDevicesFeature, clicked: unknown, selection: unknown, title: string): Promise<DeviceSummary[]> {
  const chosen = selectedDevices(feature.model, feature.tree, clicked, selection);
  if (chosen.length) return chosen;
  if (feature.model.state !== 'read') await feature.service.load();
  const devices = feature.model.shown().sort((a, b) => a.serialNumber.localeCompare(b.serialNumber));
  if (!devices.length) throw new Error(vscode.l10n.t('The tenant has no registered Autopilot devices to choose from.'));
  const picked = await vscode.window.showQuickPick(
    devices.map((device) => ({ device, label: device.serialNumber, description: [device.groupTag, modelText(device), device.displayName].filter(Boolean).join(' · ') })),
    { title, canPickMany: true, matchOnDescription: true },
  );
  if (!picked?.length) throw new UserCancelledError();
  return picked.map((item) => item.device);
}

const FIELD_NAMES = () => ({ groupTag: vscode.l10n.t('group tag'), displayName: vscode.l10n.t('display name'), userPrincipalName: vscode.l10n.t('user') });
const SHOWN = 8;

function plannedLine(device: PlannedDevice): string {
  const names = FIELD_NAMES();
  switch (device.action) {
    case 'update':
      return `${device.serialNumber}: ${Object.entries(device.changes ?? {})
        .map(([field, change]) => `${names[field as keyof typeof names]} ${change!.from || '—'} → ${change!.to || '—'}`)
        .join(', ')}`;
    case 'not-found':
      return vscode.l10n.t('{0}: not found among registered devices{1}', device.serialNumber, device.reason ? ` (${device.reason})` : '');
    case 'still-enrolled':
      return vscode.l10n.t('{0}: still enrolled in Intune, not deleted (use Retire…)', device.serialNumber);
    case 'skip-registered':
      return vscode.l10n.t('{0}: already registered here (it would fail with 806)', device.serialNumber);
    case 'duplicate':
      return vscode.l10n.t('{0}: repeats an earlier line of the file', device.serialNumber);
    default:
      return `${device.serialNumber}`;
  }
}

const SHOWN_TRANSITIONS = 3;

/** "50 group tags change: Sales → Kiosk (48), Finance → Kiosk (2)", one part per field the plan changes. */
function fieldChanges(plan: Plan): string[] {
  const phrases = {
    groupTag: (n: number) => (n === 1 ? vscode.l10n.t('1 group tag changes') : vscode.l10n.t('{0} group tags change', n)),
    displayName: (n: number) => (n === 1 ? vscode.l10n.t('1 display name changes') : vscode.l10n.t('{0} display names change', n)),
    userPrincipalName: (n: number) => (n === 1 ? vscode.l10n.t('1 assigned user changes') : vscode.l10n.t('{0} assigned users change', n)),
  };
  return (Object.keys(phrases) as (keyof typeof phrases)[]).flatMap((field) => {
    const transitions = new Map<string, number>();
    for (const device of plan.devices) {
      const change = device.action === 'update' ? device.changes?.[field] : undefined;
      if (change) {
        const text = `${change.from || '—'} → ${change.to || '—'}`;
        transitions.set(text, (transitions.get(text) ?? 0) + 1);
      }
    }
    const total = [...transitions.values()].reduce((sum, n) => sum + n, 0);
    if (!total) return [];
    const ranked = [...transitions.entries()].sort((a, b) => b[1] - a[1]);
    const shown = ranked.slice(0, SHOWN_TRANSITIONS).map(([text, n]) => (ranked.length > 1 ? `${text} (${n})` : text));
    return [`${phrases[field](total)}: ${shown.join(', ')}${ranked.length > SHOWN_TRANSITIONS ? ' …' : ''}`];
  });
}

/** The plan in one sentence of counts ("50 group tags change: Sales → Kiosk, 2 serials not found, …"). */
export function planSummary(plan: Plan, operation: ChangeOperation | 'import'): string {
  const c = plan.counts;
  const parts: string[] = [];
  const add = (count: number | undefined, text: (n: number) => string) => {
    if (count) parts.push(text(count));
  };
  if (operation === 'update') {
    parts.push(...fieldChanges(plan));
    add(c.unchanged, (n) => vscode.l10n.t('{0} unchanged', n));
    add(c['not-found'], (n) => (n === 1 ? vscode.l10n.t('1 serial not found') : vscode.l10n.t('{0} serials not found', n)));
    add(c.duplicate, (n) => (n === 1 ? vscode.l10n.t('1 serial repeated in the file (done once)') : vscode.l10n.t('{0} serials repeated in the file (done once)', n)));
    return parts.join('; ') || vscode.l10n.t('nothing to do');
  } else if (operation === 'import') {
    add(c.import, (n) => vscode.l10n.t('{0} new', n));
    add(c['skip-registered'], (n) => (n === 1 ? vscode.l10n.t('1 already registered here (it would fail with 806)') : vscode.l10n.t('{0} already registered here (they would fail with 806)', n)));
    add(c.duplicate, (n) => vscode.l10n.t('{0} duplicated in the file', n));
    return parts.join(', ') || vscode.l10n.t('nothing to do');
  } else if (operation === 'add-to-group') {
    add(c.delete, (n) => vscode.l10n.t('{0} to add', n));
    add(c['still-enrolled'], (n) => vscode.l10n.t('{0} to add', n));
  } else {
    add(c.delete, (n) => (operation === 'retire' ? vscode.l10n.t('{0} to retire', n) : vscode.l10n.t('{0} to delete', n)));
    add(c['still-enrolled'], (n) => vscode.l10n.t('{0} still enrolled in Intune (not deleted: retire them instead)', n));
  }
  add(c['not-found'], (n) => vscode.l10n.t('{0} not found', n));
  add(c.duplicate, (n) => vscode.l10n.t('{0} duplicated', n));
  return parts.join(', ') || vscode.l10n.t('nothing to do');
}

/** Whether a plan has something to send. */
export function planActs(plan: Plan, operation: ChangeOperation): boolean {
  if (operation === 'update') return (plan.counts.update ?? 0) > 0;
  if (operation === 'add-to-group') return (plan.counts.delete ?? 0) + (plan.counts['still-enrolled'] ?? 0) > 0;
  return (plan.counts.delete ?? 0) > 0;
}

/**
 * The plan for a modal's detail: its counts, then the devices that change before the exceptions, the first few of
 * them (the log lists every device, written here).
 */
export function planDetail(plan: Plan, operation: ChangeOperation | 'import', log: vscode.LogOutputChannel, note?: string, questionHasCounts = false): string {
  log.info(`Plan (${operation}): ${planSummary(plan, operation)}`);
  for (const device of plan.devices) log.info(`  ${plannedLine(device)}`);
  const acts = (device: PlannedDevice) => device.action === 'update' || device.action === 'delete';
  const interesting = operation === 'import' ? plan.devices.filter((device) => device.action !== 'import') : [...plan.devices.filter(acts), ...plan.devices.filter((device) => !acts(device))];
  return [
    // The import's question states the counts already; an update's or delete's asks in other words.
    ...(questionHasCounts ? [] : [planSummary(plan, operation) + '.', '']),
    ...interesting.slice(0, SHOWN).map(plannedLine),
    ...(interesting.length > SHOWN ? [vscode.l10n.t('…and {0} more (the log lists every device).', interesting.length - SHOWN)] : []),
    ...(note ? ['', note] : []),
  ].join('\n');
}

/**
 * Shows the plan (counts in the question, the first devices and the exceptions in the detail, all of it in the log)
 * and asks; anything but the action buttons cancels. Returns the button chosen (`action` or one of `more`).
 */
export async function confirmPlan(plan: Plan, operation: ChangeOperation, question: string, action: string, log: vscode.LogOutputChannel, note?: string, more: readonly string[] = []): Promise<string> {
  const detail = planDetail(plan, operation, log, note);
  const choice = await vscode.window.showWarningMessage(question, { modal: true, detail }, action, ...more);
  if (choice === undefined || (choice !== action && !more.includes(choice))) throw new UserCancelledError();
  return choice;
}

/**
 * Runs `work`; when a step needs a permission the user has not consented to (groups, managed devices), asks once,
 * signs in for just that permission, and runs it again.
 */
export async function withConsent<T>(services: ExtensionServices, work: () => Promise<T>, confirmed = false): Promise<T> {
  try {
    return await work();
  } catch (error) {
    const needed = error instanceof ConsentNeededError ? error : error instanceof Error && error.cause instanceof ConsentNeededError ? error.cause : undefined;
    if (!needed) throw error;
    const grant = vscode.l10n.t('Grant Permission…');
    const choice = confirmed ? grant : await vscode.window.showWarningMessage(
      vscode.l10n.t('This needs the Microsoft Graph permission {0}, which you have not granted Autopilot Devices yet.', needed.permissions.join(', ')),
      { modal: true, detail: vscode.l10n.t('Autopilot Devices asks for it only now, when first used. A sign-in page opens to consent; in many tenants an administrator has to approve it.') },
      grant,
    );
    if (choice !== grant) throw new UserCancelledError();
    // The flow `autopilot.auth.flow` names, or the user's choice: the browser, or a device code where none can reach this machine.
    await signIn(services, { tenantId: services.auth.activeAccount?.tenantId, permissions: needed.permissions});
    return work();
  }
}

const OUTCOME_WORDS = (): Record<string, string> => ({
  updated: vscode.l10n.t('updated'),
  unchanged: vscode.l10n.t('unchanged'),
  deleted: vscode.l10n.t('deleted'),
  'still-enrolled': vscode.l10n.t('still enrolled'),
  added: vscode.l10n.t('added'),
  'already-member': vscode.l10n.t('already members'),
  'not-found': vscode.l10n.t('not found'),
  failed: vscode.l10n.t('failed'),
  pending: vscode.l10n.t('not done (stopped; continue from the view)'),
});

/** Runs a confirmed change under a cancellable progress notification and reports its outcome once. */
export function runChange(services: ExtensionServices, run: NewChangeRun, title: string, options: ChangeCommandOptions = {}): Promise<ChangeRunView> {
  return withChangeProgress(services, title, (work) => services.devices.service.change(run, work), options.confirmed === true);
}

/**
 * Carries out a change (a new one, or one resumed) under a cancellable progress notification, asking for a missing
 * permission on the way, and reports its outcome once. Cancelling stops before the next device; the journal keeps the rest.
 */
export async function withChangeProgress(
  services: ExtensionServices,
  title: string,
  change: (work: { signal: AbortSignal; onProgress: (view: ChangeRunView) => void }) => Promise<ChangeRunView>,
  confirmed = false,
): Promise<ChangeRunView> {
  const view = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const cancel = new AbortController();
    const subscription = token.onCancellationRequested(() => cancel.abort());
    let reported = 0;
    try {
      return await withConsent(
        services,
        () =>
          change({
            signal: cancel.signal,
            onProgress: (now) => {
              const done = now.devices.length - now.counts.pending;
              progress.report({ message: vscode.l10n.t('{0} of {1}', done, now.devices.length), increment: ((done - reported) * 100) / Math.max(1, now.devices.length) });
              reported = done;
            },
          }),
        confirmed,
      );
    } finally {
      subscription.dispose();
    }
  });
  reportOutcome(view, title);
  return view;
}

export function reportOutcome(view: ChangeRunView, title: string): void {
  const words = OUTCOME_WORDS();
  const parts = Object.entries(view.counts)
    .filter(([, count]) => count > 0)
    .map(([result, count]) => `${count} ${words[result] ?? result}`);
  const failed = view.devices.filter((device) => device.result === 'failed');
  const message = `${title}: ${parts.join(', ')}.`;
  if (failed.length) {
    const first = failed[0]!;
    void vscode.window.showWarningMessage(`${message} ${vscode.l10n.t('First failure: {0}: {1}', first.serialNumber, first.error?.message ?? '')}`);
  } else void vscode.window.showInformationMessage(message);
}
