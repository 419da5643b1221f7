/**
 * `autopilot.syncAutopilot`: ask Intune to sync Autopilot devices now (beta `windowsAutopilotSettings/sync`). Intune
 * allows one sync per 10 minutes; "already running" and "too soon" are explained, not reported as failures.
 */
import * as vscode from 'vscode';
import type { SyncOutcome } from '../graph/autopilot';
import type { ImportsFeature } from '../views/registerImportsView';

export async function syncAutopilot(importing: ImportsFeature): Promise<SyncOutcome> {
  const outcome = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Asking Intune to sync Autopilot devices…') },
    () => importing.service.sync(),
  );
  switch (outcome) {
    case 'started':
      void vscode.window.showInformationMessage(vscode.l10n.t('Autopilot sync started. Newly imported devices appear among registered devices within a few minutes.'));
      break;
    case 'already-running':
      void vscode.window.showInformationMessage(vscode.l10n.t('An Autopilot sync is already running in Intune; the devices arrive when it ends.'));
      break;
    case 'too-soon':
      void vscode.window.showInformationMessage(
        vscode.l10n.t('Intune allows one Autopilot sync every 10 minutes, and one ran recently. Imported devices also sync on their own; try again later to speed them up.'),
      );
      break;
  }
  importing.scheduler.wake();
  return outcome;
}
