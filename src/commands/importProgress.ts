/**
 * The part every sending command shares (import, continue, retry): a cancellable progress notification that
 * follows the run until Intune has decided every device sent, revealing the run in Recent Imports; cancelling stops
 * further chunks and leaves what was sent watched. Then one message that sums the run up.
 */
import * as vscode from 'vscode';
import { explainImportError } from '../import/explanations';
import type { RunView } from '../import/runState';
import type { ImportsFeature } from '../importing/registerImports';
import type { Milestone, RunHandle } from '../importing/importService';
import { sourceName } from '../views/importPresentation';

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

/**
 * Tells the user how the run ended up (failures are thrown for the command wrapper, so they reach the user once,
 * with "Show Log"). Not awaited by callers: the message's buttons must not hold the command open.
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
  const showInTree = vscode.l10n.t('Show in Recent Imports');
  const retry = vscode.l10n.t('Retry Failed');
  const continueImport = vscode.l10n.t('Continue Import');
  const reveal = () => importing.reveal(view.id).then(undefined, () => undefined);
  const runNode = importing.tree.runNode(view.id);

  if (milestone.kind === 'stopped') {
    void vscode.window
      .showInformationMessage(
        vscode.l10n.t('Stopped importing {0}: {1} devices sent (Recent Imports keeps watching them), {2} not sent.', name, view.devices.length - notSent, notSent),
        continueImport,
      )
      .then((choice) => (choice === continueImport ? vscode.commands.executeCommand('autopilot.continueImport', runNode) : undefined));
    return;
  }
  if (milestone.kind === 'time-limit') {
    void vscode.window
      .showWarningMessage(vscode.l10n.t('{0}: Intune has not decided every device within the time limit; Refresh in Recent Imports checks again.', name), showInTree)
      .then((choice) => (choice === showInTree ? reveal() : undefined));
    return;
  }
  if (failed.length === 0) {
    void vscode.window
      .showInformationMessage(vscode.l10n.t('Imported {0} devices from {1} into {2}; Recent Imports shows when they are registered.', complete, name, tenant), showInTree)
      .then((choice) => (choice === showInTree ? reveal() : undefined));
    return;
  }
  const first = failed[0]!;
  const reason = explainImportError(first)?.title ?? first.errorName ?? String(first.errorCode);
  void vscode.window
    .showWarningMessage(
      vscode.l10n.t('{0}: {1} of {2} devices imported, {3} failed (first: {4}, {5}).', name, complete, view.devices.length, failed.length, first.serialNumber, reason),
      showInTree,
      retry,
    )
    .then((choice) => {
      if (choice === showInTree) return reveal();
      if (choice === retry) return vscode.commands.executeCommand('autopilot.retryFailed', runNode);
      return undefined;
    });
}
