/**
 * `autopilot.clearFinishedImports`: remove every finished run from Recent Imports (and the journal). Graph is not
 * touched: import records stay in Intune until deleted there or with "Delete Import Record".
 */
import * as vscode from 'vscode';
import type { ImportsFeature } from '../views/registerImportsView';

/** Returns how many runs were removed. */
export async function clearFinishedImports(importing: ImportsFeature): Promise<number> {
  if (!importing.model.loaded) await importing.service.loadRuns();
  const finished = importing.model.runs().filter((entry) => entry.activity === 'idle' && entry.view.phase === 'finished');
  if (finished.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('No finished imports to clear.'));
    return 0;
  }
  const removed = await importing.service.forget(finished.map((entry) => entry.view.id));
  vscode.window.setStatusBarMessage(vscode.l10n.t('Cleared {0} finished imports; their import records in Intune were kept.', removed.length), 5000);
  return removed.length;
}
