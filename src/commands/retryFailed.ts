/**
 * `autopilot.retryFailed`: import the failed devices of a run again, after deleting their old import records. On a
 * run it retries every failed device a retry can fix; on devices, just those; from the palette it asks which run.
 * Devices a retry cannot help (806, 808, a hash that is wrong in the file) are never sent again by it.
 */
import * as vscode from 'vscode';
import { counted } from '../common/counts';
import type { ExtensionServices } from '../services';
import { canRetryDevice, runCapabilities } from '../views/importPresentation';
import { sourceName } from '../import/vscode/importsModel';
import { announce, withImportProgress, type ProgressRun } from './importProgress';
import { targetRuns } from './importTargets';

export async function retryFailed(services: ExtensionServices, clicked?: unknown, selection?: unknown): Promise<ProgressRun[]> {
  const { importing } = services;
  const targets = await targetRuns(importing, clicked, selection, {
    eligible: (entry) => runCapabilities(entry).includes('retry'),
    title: vscode.l10n.t('Retry failed devices'),
    none: vscode.l10n.t('No import in Recent Imports has failed devices that a retry can fix.'),
  });

  const runs: ProgressRun[] = [];
  for (const [runId, indexes] of targets) {
    const entry = importing.model.run(runId);
    if (!entry) continue;
    const chosen = entry.view.devices.filter((device) => !indexes || indexes.includes(device.index));
    const failed = chosen.filter(canRetryDevice);
    if (failed.length === 0) {
      // Information, not an error: the devices' tooltips say what helps instead (806, 808, a hash to correct).
      const unfixable = chosen.some((device) => device.status === 'error' || device.status === 'partial');
      void vscode.window.showInformationMessage(
        unfixable
          ? vscode.l10n.t('A retry cannot fix the failures in {0}: sending those devices again would fail the same way. Hover over them in Recent Imports for what helps.', sourceName(entry.view.source))
          : vscode.l10n.t('{0} has no failed devices to retry.', sourceName(entry.view.source)),
      );
      continue;
    }
    const devices = failed.map((device) => device.index);
    const run = await withImportProgress(importing, vscode.l10n.t('Retrying {0} of {1}', counted.failedDevices(devices.length), sourceName(entry.view.source)), (onProgress) =>
      importing.service.retryFailed(runId, devices, onProgress),
    );
    announce(importing, run);
    runs.push(run);
  }
  return runs;
}
