/**
 * The part every sending command shares (import, continue, retry): a cancellable progress notification that
 * follows the run until Intune has decided every device sent, revealing the run in Recent Imports; cancelling stops
 * further chunks and leaves what was sent watched. Then one message that sums the run up.
 */
import * as vscode from 'vscode';
import { explainImportError } from '../import/explanations';
import type { DeviceView, RunView } from '../import/runState';
import type { ImportsFeature } from '../views/registerImportsView';
import type { Milestone, RunHandle } from '../import/vscode/importService';
import { counted } from '../common/counts';
import { canRetryDevice } from '../views/importPresentation';
import { sourceName } from '../import/vscode/importsModel';

export interface ProgressRun {
  readonly runId: string;
  readonly milestone: Milestone;
}

function decided(view: RunView): number {
  return view.devices.filter((device) => device.status === 'complete' || device.status === 'error' || device.status === 'partial').length;
}

function progressMessage(view: RunView): string {
  const devices = view.devices.length;
  const sent = view.devices.filter((device) => device.sent || device.status === 'error').length;
  if (view.phase === 'sending' && sent < devices) return vscode.l10n.t('sent {0} of {1}…', sent, devices);
  return vscode.l10n.t('Intune has decided {0} of {1}…', decided(view), devices);
}

/** Runs `start` under a cancellable notification titled `title` and resolves at the run's milestone. */
export async function withImportProgress(
  importing: ImportsFeature,
  title: string,
  start: (onProgress: (view: RunView) => void) => Promise<RunHandle>,
): Promise<ProgressRun> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    let shown = 0;
    const onProgress = (view: RunView) => {
      // The bar follows how many of the run's devices Intune has decided; the message also says how many were sent.
      const percent = view.devices.length > 0 ? Math.min(100, (100 * decided(view)) / view.devices.length) : 100;
      progress.report({ message: progressMessage(view), increment: Math.max(0, percent - shown) });
      shown = Math.max(shown, percent);
    };
    const handle = await start(onProgress);
    const subscription = token.onCancellationRequested(() => importing.service.stopSending(handle.runId));
    if (token.isCancellationRequested) importing.service.stopSending(handle.runId);
    progress.report({ message: vscode.l10n.t('sending…') });
    void importing.reveal(handle.runId).then(undefined, () => undefined);
    try {
      return { runId: handle.runId, milestone: await handle.milestone };
    } finally {
      subscription.dispose();
    }
  });
}

/** One sentence about a failed device: what happened, and for 806 and 808 what that means for the user. */
function failureSentence(device: DeviceView): string {
  const explanation = explainImportError(device);
  switch (explanation?.kind) {
    case 'registered-here':
      return vscode.l10n.t('{0} is already registered in this tenant (806): there is nothing to import.', device.serialNumber);
    case 'registered-elsewhere':
      return vscode.l10n.t('{0} is registered to another tenant (808): an administrator there, or the reseller, must deregister it first.', device.serialNumber);
    default:
      return vscode.l10n.t('{0} failed: {1}.', device.serialNumber, explanation?.title ?? device.errorName ?? String(device.errorCode));
  }
}

/** Failures that need people (806, 808) lead, since no retry helps them. */
const TOLD_FIRST = ['registered-here', 'registered-elsewhere'];

/** The first failed device of each kind of failure, those that need people first. */
function firstOfEachKind(failed: readonly DeviceView[]): DeviceView[] {
  const byKind = new Map<string, DeviceView>();
  for (const device of failed) {
    const kind = explainImportError(device)?.kind ?? 'other';
    if (!byKind.has(kind)) byKind.set(kind, device);
  }
  const rank = (kind: string) => (TOLD_FIRST.includes(kind) ? TOLD_FIRST.indexOf(kind) : TOLD_FIRST.length);
  return [...byKind.entries()].sort(([a], [b]) => rank(a) - rank(b)).map(([, device]) => device);
}

/**
 * Tells the user how the run ended up (failures are thrown for the command wrapper, so they reach the user once,
 * with "Show Log"). Not awaited by callers: the message's buttons must not hold the command open. Buttons offer what
 * can help: Retry only for failures a retry can fix, the registered device for 806, and Recent Imports only when the
 * view is not on screen already.
 */
export function announce(importing: ImportsFeature, run: ProgressRun): void {
  const { milestone } = run;
  if (milestone.kind === 'failed') throw milestone.error;
  const view = milestone.view;
  const name = sourceName(view.source);
  const tenant = view.tenant?.label ?? '';
  const complete = view.devices.filter((device) => device.status === 'complete').length;
  const failed = view.devices.filter((device) => device.status === 'error' || device.status === 'partial');
  const notSent = view.devices.filter((device) => !device.sent && device.status !== 'error' && device.status !== 'partial').length;
  const runNode = importing.tree.runNode(view.id);
  const showInTree = vscode.l10n.t('Show in Recent Imports');
  // The view may be open but hidden behind another container: only a visible view makes the button pointless.
  const treeButton = importing.view.visible ? [] : [showInTree];
  const reveal = () => importing.reveal(view.id).then(undefined, () => undefined);

  if (milestone.kind === 'stopped') {
    const continueImport = vscode.l10n.t('Continue Import');
    void vscode.window
      .showInformationMessage(
        vscode.l10n.t('Stopped importing {0}: {1} sent (Recent Imports keeps watching them), {2} not sent.', name, counted.devices(view.devices.length - notSent), notSent),
        continueImport,
      )
      .then((choice) => (choice === continueImport ? vscode.commands.executeCommand('autopilot.continueImport', runNode) : undefined));
    return;
  }
  if (milestone.kind === 'time-limit') {
    void vscode.window
      .showWarningMessage(vscode.l10n.t('{0}: Intune has not decided every device within the time limit; Refresh in Recent Imports checks again.', name), ...treeButton)
      .then((choice) => (choice === showInTree ? reveal() : undefined));
    return;
  }
  if (failed.length === 0) {
    void vscode.window
      .showInformationMessage(vscode.l10n.t('Imported {0} from {1} into {2}; Recent Imports shows when they are registered.', counted.devices(complete), name, tenant), ...treeButton)
      .then((choice) => (choice === showInTree ? reveal() : undefined));
    return;
  }

  const retryable = failed.filter(canRetryDevice);
  const registeredHere = failed.find((device) => explainImportError(device)?.kind === 'registered-here');
  const retry = vscode.l10n.t('Retry Failed');
  const showRegistered = vscode.l10n.t('Show Registered Device');
  const buttons = [...(retryable.length > 0 ? [retry] : []), ...(registeredHere ? [showRegistered] : []), ...treeButton];
  const told = firstOfEachKind(failed).slice(0, 2);
  const others = failed.length - told.length;
  const message = [
    vscode.l10n.t('{0}: {1} of {2} imported.', name, complete, counted.devices(view.devices.length)),
    ...told.map(failureSentence),
    others > 0 ? (others === 1 ? vscode.l10n.t('1 more failed; Recent Imports explains each.') : vscode.l10n.t('{0} more failed; Recent Imports explains each.', others)) : '',
  ].filter(Boolean).join(' ');
  void vscode.window.showWarningMessage(message, ...buttons).then((choice) => {
    if (choice === showInTree) return reveal();
    if (choice === retry) return vscode.commands.executeCommand('autopilot.retryFailed', runNode);
    if (choice === showRegistered && registeredHere) return vscode.commands.executeCommand('autopilot.findRegisteredDevice', importing.tree.deviceNode(view.id, registeredHere.index));
    return undefined;
  });
}
