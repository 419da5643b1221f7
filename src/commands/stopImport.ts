/** `autopilot.stopImport` (Recent Imports): stop sending a run's further chunks; what was sent is still watched. */
import * as vscode from 'vscode';
import type { ImportsFeature } from '../views/registerImportsView';
import { runNodes, selectedNodes } from './importTargets';

/** Returns the runs asked to stop. */
export function stopImport(importing: ImportsFeature, clicked?: unknown, selection?: unknown): string[] {
  const stopped = runNodes(selectedNodes(clicked, selection))
    .map((node) => node.runId)
    .filter((runId) => importing.service.stopSending(runId));
  if (stopped.length === 0) void vscode.window.showInformationMessage(vscode.l10n.t('That import is not being sent in this window.'));
  return stopped;
}
