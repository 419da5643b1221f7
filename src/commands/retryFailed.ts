/**
 * `autopilot.retryFailed`: import the failed devices of a run again, after deleting their old import records. On a
 * run it retries every failed device; on devices, just those; from the palette it asks which run.
 */
import * as vscode from 'vscode';
import type { ExtensionServices } from '../services';
import { canRetryDevice, runCapabilities, sourceName } from '../views/importPresentation';
import { announce, withImportProgress, type ProgressRun } from './importProgress';
import { targetRuns } from './importTargets';

export async function retryFailed(services: ExtensionServices, clicked?: unknown, selection?: unknown): Promise<ProgressRun[]> {
  const { importing } = services;
  const targets = await targetRuns(importing, clicked, selection, {
    eligible: (entry) => runCapabilities(entry).includes('retry'),
    title: vscode.l10n.t('Retry failed devices'),
    none: vscode.l10n.t('No import in Recent Imports has failed devices to retry.'),
  });

  const runs: ProgressRun[] = [];
  for (const [runId, indexes] of targets) {
    const entry = importing.model.run(runId);
    if (!entry) continue;
    const failed = entry.view.devices.filter((device) => canRetryDevice(device) && (!indexes || indexes.includes(device.index)));
    if (failed.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('{0} has no failed devices to retry.', sourceName(entry.view.source)));
      continue;
    }
    const devices = failed.map((device) => device.index);
    const run = await withImportProgress(importing, vscode.l10n.t('Retrying {0} failed devices of {1}', devices.length, sourceName(entry.view.source)), (onProgress) =>
      importing.service.retryFailed(runId, devices, onProgress),
    );
    announce(importing, run);
    runs.push(run);
  }
  return runs;
}
