/**
 * `autopilot.continueImport`: send what a run has not sent yet — after a stop, a crash, a reload or an error. Chunks
 * whose answer never came are first looked up in Graph, so no device is sent twice.
 */
import * as vscode from 'vscode';
import { NothingToDoError } from '../common/errors';
import type { ExtensionServices } from '../services';
import { sourceName } from '../import/vscode/importsModel';
import { runCapabilities } from '../views/importPresentation';
import { announce, withImportProgress, type ProgressRun } from './importProgress';
import { pickRun, runNodes, selectedNodes } from './importTargets';

export async function continueImport(services: ExtensionServices, clicked?: unknown, selection?: unknown): Promise<ProgressRun[]> {
  const { importing } = services;
  const canContinue = (runId: string) => {
    const entry = importing.model.run(runId);
    return entry !== undefined && runCapabilities(entry).includes('continue');
  };
  let runIds = runNodes(selectedNodes(clicked, selection)).map((node) => node.runId);
  if (runIds.length === 0) {
    if (!importing.model.loaded) await importing.service.loadRuns();
    runIds = [
      await pickRun(
        importing.model,
        (entry) => runCapabilities(entry).includes('continue'),
        vscode.l10n.t('Continue an import'),
        vscode.l10n.t('Every import in Recent Imports has been sent completely.'),
      ),
    ];
  } else if (!runIds.some(canContinue)) {
    // A notification's Continue Import may be clicked after the run went on by itself: information, not an error.
    const entry = importing.model.run(runIds[0]!);
    throw new NothingToDoError(
      entry ? vscode.l10n.t('{0} has been sent completely: there is nothing to continue.', sourceName(entry.view.source)) : vscode.l10n.t('That import is no longer in Recent Imports.'),
    );
  }
  const runs: ProgressRun[] = [];
  for (const runId of runIds.filter(canContinue)) {
    const name = sourceName(importing.model.run(runId)!.view.source);
    const run = await withImportProgress(importing, vscode.l10n.t('Continuing the import of {0}', name), (onProgress) => importing.service.continueRun(runId, onProgress));
    announce(importing, run);
    runs.push(run);
  }
  return runs;
}
