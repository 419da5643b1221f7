/**
 * `autopilot.continueIdentifierImport [runId]`: finish an import of corporate identifiers that a closed window or a
 * stopped progress left unfinished: what Graph did not confirm is settled and checked first, then only what is missing
 * is sent. From the palette, the user picks among this tenant's unfinished imports.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IdentifierRunResult } from '../import/corporateIdentifiers/identifierImporter';
import type { ExtensionServices } from '../services';
import { announceIdentifierRun, withIdentifierProgress } from './identifierImportProgress';
import { chooseUnfinished } from './unfinishedRuns';

export async function continueIdentifierImport(services: ExtensionServices, runId?: unknown): Promise<IdentifierRunResult | undefined> {
  const { service } = services.identifiers;
  const id = await chooseUnfinished(runId, {
    list: () => service.unfinished(),
    none: vscode.l10n.t('No import of corporate identifiers is unfinished in this tenant.'),
    title: vscode.l10n.t('Continue an import of corporate identifiers'),
    item: (run) => ({ label: path.basename(run.source), detail: vscode.l10n.t('{0} of {1} not finished', run.counts.pending, run.identifiers.length) }),
  });
  const result = await withIdentifierProgress(vscode.l10n.t('Continuing an import of corporate identifiers'), (onProgress, cancel) => service.resume(id, { cancel, onProgress }));
  announceIdentifierRun(result);
  if (service.model.state !== 'not-read') void service.refresh().catch(() => undefined);
  return result;
}
