/**
 * `autopilot.continueImport`: send what a run has not sent yet — after a stop, a crash, a reload or an error. Chunks
 * whose answer never came are first looked up in Graph, so no device is sent twice.
 */
import * as vscode from 'vscode';
import type { ExtensionServices } from '../services';
import { runCapabilities, sourceName } from '../views/importPresentation';
import { announce, withImportProgress, type ProgressRun } from './importProgress';
import { pickRun, runNodes, selectedNodes } from './importTargets';

export async function continueImport(services: ExtensionServices, clicked?: unknown, selection?: unknown): Promise<ProgressRun[]> {
  const { importing } = services;
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
  }
  const runs: ProgressRun[] = [];
  for (const runId of runIds) {
    const entry = importing.model.run(runId);
    if (!entry || !runCapabilities(entry).includes('continue')) continue;
    const name = sourceName(entry.view.source);
    const run = await withImportProgress(importing, vscode.l10n.t('Continuing the import of {0}', name), (onProgress) => importing.service.continueRun(runId, onProgress));
    announce(importing, run);
    runs.push(run);
  }
  return runs;
}
