/**
 * `autopilot.deleteImportRecord`: delete import records in Intune — of the chosen devices, or of every decided
 * device of a run. Only records Intune has finished processing are deleted; registered devices are not affected.
 */
import * as vscode from 'vscode';
import { counted } from '../common/counts';
import type { ImportsFeature } from '../views/registerImportsView';
import { runCapabilities } from '../views/importPresentation';
import { IMPORTS_VIEW_ID } from '../views/importsTreeProvider';
import { targetRuns } from './importTargets';

/** Returns how many records were deleted. */
export async function deleteImportRecord(importing: ImportsFeature, clicked?: unknown, selection?: unknown): Promise<number> {
  const targets = await targetRuns(importing, clicked, selection, {
    eligible: (entry) => runCapabilities(entry).includes('deleteRecords'),
    title: vscode.l10n.t('Delete import records'),
    none: vscode.l10n.t('No import in Recent Imports has records Intune has finished processing.'),
  });
  let deleted = 0;
  await vscode.window.withProgress({ location: { viewId: IMPORTS_VIEW_ID } }, async () => {
    for (const [runId, devices] of targets) deleted += await importing.service.deleteRecords(runId, devices);
  });
  void vscode.window.showInformationMessage(
    deleted > 0
      ? vscode.l10n.t('Deleted {0} in Intune. Registered Autopilot devices are not affected.', counted.importRecords(deleted))
      : vscode.l10n.t('Nothing was deleted: only import records Intune has finished processing can be deleted.'),
  );
  return deleted;
}
