/**
 * `autopilot.continueIdentifierImport [runId]`: finish an import of corporate identifiers that a closed window or a
 * stopped progress left unfinished: what Graph did not confirm is settled and checked first, then only what is missing
 * is sent. From the palette, the user picks among this tenant's unfinished imports.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { UserCancelledError } from '../common/errors';
import type { IdentifierRunResult } from '../import/corporateIdentifiers/identifierImporter';
import type { ExtensionServices } from '../services';
import { announceIdentifierRun, withIdentifierProgress } from './identifierImportProgress';

export async function continueIdentifierImport(services: ExtensionServices, runId?: unknown): Promise<IdentifierRunResult | undefined> {
  const { service } = services.identifiers;
  let chosen = typeof runId === 'string' ? runId : undefined;
  if (!chosen) {
    const runs = await service.unfinished();
    if (runs.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('No import of corporate identifiers is unfinished in this tenant.'));
      return undefined;
    }
    const picked =
      runs.length === 1
        ? { runId: runs[0]!.id }
        : await vscode.window.showQuickPick(
            runs.map((run) => ({
              runId: run.id,
              label: path.basename(run.source),
              description: new Date(run.startedAt).toLocaleString(vscode.env.language),
              detail: vscode.l10n.t('{0} of {1} not finished', run.counts.pending, run.identifiers.length),
            })),
            { title: vscode.l10n.t('Continue an import of corporate identifiers') },
          );
    if (!picked) throw new UserCancelledError();
    chosen = picked.runId;
  }
  const id = chosen;
  const result = await withIdentifierProgress(vscode.l10n.t('Continuing an import of corporate identifiers'), (onProgress, cancel) => service.resume(id, { cancel, onProgress }));
  announceIdentifierRun(result);
  if (service.model.state !== 'not-read') void service.refresh().catch(() => undefined);
  return result;
}
