/** `autopilot.refreshImports`: re-read the journal and look at Graph once for every run still being watched. */
import * as vscode from 'vscode';
import type { ImportsFeature } from '../views/registerImportsView';
import { runCapabilities } from '../views/importPresentation';
import { IMPORTS_VIEW_ID } from '../views/importsTreeProvider';

/** Returns how many runs were checked against Graph. */
export async function refreshImports(importing: ImportsFeature): Promise<number> {
  const { service, model, scheduler } = importing;
  return vscode.window.withProgress({ location: { viewId: IMPORTS_VIEW_ID } }, async () => {
    await service.loadRuns();
    let checked = 0;
    for (const entry of model.runs()) {
      // Runs of another tenant or cloud stay as the journal has them: their records are not reachable from here.
      if (!runCapabilities(entry).includes('refresh') || !service.canWatch(entry.view)) continue;
      scheduler.extend(entry.view.id);
      await service.refreshRun(entry.view.id);
      checked++;
    }
    scheduler.wake();
    return checked;
  });
}
