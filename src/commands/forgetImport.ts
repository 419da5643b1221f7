/**
 * `autopilot.forgetImport` (Recent Imports): remove the chosen runs from the list (and the journal). An unfinished
 * run is no longer watched or resumable afterwards; Graph is not touched.
 */
import * as vscode from 'vscode';
import type { ImportsFeature } from '../views/registerImportsView';
import { runNodes, selectedNodes } from './importTargets';

export async function forgetImport(importing: ImportsFeature, clicked?: unknown, selection?: unknown): Promise<number> {
  const runIds = runNodes(selectedNodes(clicked, selection)).map((node) => node.runId);
  if (runIds.length === 0) throw new Error(vscode.l10n.t('Choose an import in Recent Imports to remove.'));
  const removed = await importing.service.forget(runIds);
  if (removed.length < runIds.length) {
    void vscode.window.showInformationMessage(vscode.l10n.t('Imports being worked on (in this window, another one, or a terminal) were kept; stop them first.'));
  }
  return removed.length;
}
