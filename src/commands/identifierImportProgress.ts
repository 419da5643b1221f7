/**
 * What the import and continue commands for corporate identifiers share: a cancellable progress notification that
 * follows the run (cancelling stops further chunks; what was sent is settled and reported), and one message that sums
 * the run up. Failures are thrown for the command wrapper, so they reach the user once, with "Show Log".
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { IdentifierRunResult } from '../import/corporateIdentifiers/identifierImporter';
import type { IdentifierRunView } from '../import/corporateIdentifiers/identifierRun';

function progressMessage(view: IdentifierRunView): string {
  const done = view.identifiers.length - view.counts.pending;
  return vscode.l10n.t('{0} of {1} done ({2} imported, {3} already in Intune, {4} failed)…', done, view.identifiers.length, view.counts.imported, view.counts.exists, view.counts.failed);
}

export async function withIdentifierProgress(title: string, work: (onProgress: (view: IdentifierRunView) => void, cancel: AbortSignal) => Promise<IdentifierRunResult>): Promise<IdentifierRunResult> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
    const cancel = new AbortController();
    const subscription = token.onCancellationRequested(() => cancel.abort());
    let shown = 0;
    try {
      progress.report({ message: vscode.l10n.t('checking Intune…') });
      return await work((view) => {
        const percent = view.identifiers.length ? (100 * (view.identifiers.length - view.counts.pending)) / view.identifiers.length : 100;
        progress.report({ message: progressMessage(view), increment: Math.max(0, percent - shown) });
        shown = Math.max(shown, percent);
      }, cancel.signal);
    } finally {
      subscription.dispose();
    }
  });
}

/** One message for the run; not awaited by callers (its buttons must not hold the command open). */
export function announceIdentifierRun(result: IdentifierRunResult): void {
  const { run } = result;
  const name = path.basename(run.source.split(', ')[0] ?? run.source);
  const tenant = run.tenant?.label ?? '';
  const { imported, exists, failed, pending } = run.counts;
  const show = vscode.l10n.t('Show Corporate Identifiers');
  const reveal = (choice: string | undefined) => (choice === show ? vscode.commands.executeCommand('autopilot.corporateIdentifiers.focus') : undefined);
  if (pending > 0) {
    const continueImport = vscode.l10n.t('Continue Import');
    void vscode.window
      .showWarningMessage(vscode.l10n.t('Stopped importing corporate identifiers from {0}: {1} imported, {2} not finished. Continuing checks Intune first and sends only what is missing.', name, imported, pending), continueImport)
      .then((choice) => (choice === continueImport ? vscode.commands.executeCommand('autopilot.continueIdentifierImport', run.id) : undefined));
    return;
  }
  const skipped = run.overwrite || exists === 0 ? '' : ` ${vscode.l10n.t('{0} were in Intune already and were skipped.', exists)}`;
  if (failed === 0) {
    void vscode.window.showInformationMessage(`${vscode.l10n.t('Imported {0} corporate identifiers from {1} into {2}.', imported, name, tenant)}${skipped}`, show).then(reveal);
    return;
  }
  const first = run.identifiers.find((item) => item.result === 'failed')!;
  void vscode.window
    .showWarningMessage(`${vscode.l10n.t('{0}: {1} corporate identifiers imported, {2} failed (first: {3}: {4}).', name, imported, failed, first.identifier, first.error ?? '')}${skipped}`, show)
    .then(reveal);
}
