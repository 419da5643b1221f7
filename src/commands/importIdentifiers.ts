/**
 * `autopilot.importIdentifiers [uri] [options]`: import a corporate-identifier file into the signed-in tenant. The file
 * (an open editor's text as shown) is checked first: errors block with "Show Problems", warnings ask once. Then one
 * search says which identifiers Intune has, and the plan asks: N new, M already there (skipped unless overwritten).
 * The import runs journaled under a cancellable progress notification. Options
 * `{ overwrite?: boolean, acceptWarnings?: boolean }` answer the questions ahead (scripts, tests).
 */
import * as vscode from 'vscode';
import { UserCancelledError } from '../common/errors';
import type { IdentifierRunView } from '../import/corporateIdentifiers/identifierRun';
import { identifierText, type PayloadProblem } from '../payload/api';
import type { ExtensionServices } from '../services';
import { announceIdentifierRun, withIdentifierProgress } from './identifierImportProgress';
import { ensureSignedIn } from './signIn';
import { fileLabel, payloadTarget, readPayloadAt } from './payloadFiles';

export interface ImportIdentifiersOptions {
  readonly overwrite?: boolean;
  readonly acceptWarnings?: boolean;
}

export interface IdentifierPlanSummary {
  readonly new: number;
  readonly existing: number;
  readonly refused: number;
}

export type ImportIdentifiersResult =
  | { readonly outcome: 'blocked'; readonly uri: vscode.Uri; readonly errors: number }
  | { readonly outcome: 'finished' | 'stopped'; readonly uri: vscode.Uri; readonly plan: IdentifierPlanSummary; readonly run: IdentifierRunView };

const SHOWN = 3;

function parseOptions(value: unknown): ImportIdentifiersOptions {
  if (!value || typeof value !== 'object' || Array.isArray(value) || value instanceof vscode.Uri) return {};
  const { overwrite, acceptWarnings } = value as Record<string, unknown>;
  return { ...(typeof overwrite === 'boolean' ? { overwrite } : {}), ...(typeof acceptWarnings === 'boolean' ? { acceptWarnings } : {}) };
}

function showProblems(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.actions.view.problems');
}

function lines(problems: readonly PayloadProblem[]): string {
  return [
    ...problems.slice(0, SHOWN).map((problem) => vscode.l10n.t('Line {0}: {1}', problem.line, problem.message)),
    ...(problems.length > SHOWN ? [vscode.l10n.t('…and {0} more in the Problems panel.', problems.length - SHOWN)] : []),
  ].join('\n');
}

/** The plan as a modal question; resolves with whether to overwrite, or throws when the user declines. */
async function confirmPlan(name: string, tenant: string, plan: IdentifierPlanSummary, refusedReason: string | undefined): Promise<boolean> {
  const importNew = vscode.l10n.t('Import {0} New', plan.new);
  const overwrite = vscode.l10n.t('Import and Overwrite {0}', plan.existing);
  const detail = [
    vscode.l10n.t('{0} new: imported.', plan.new),
    vscode.l10n.t('{0} already in Intune: skipped, unless you overwrite them.', plan.existing),
    ...(plan.refused ? [vscode.l10n.t('{0} refused by Intune, not sent: {1}', plan.refused, refusedReason ?? '')] : []),
    '',
    vscode.l10n.t('Corporate identifiers use the Microsoft Graph beta API (importDeviceIdentityList).'),
  ].join('\n');
  const buttons = [...(plan.new > 0 ? [importNew] : []), ...(plan.existing > 0 ? [overwrite] : [])];
  const choice = await vscode.window.showInformationMessage(vscode.l10n.t('Import the corporate identifiers of {0} into {1}?', name, tenant), { modal: true, detail }, ...buttons);
  if (choice === undefined) throw new UserCancelledError();
  return choice === overwrite;
}

export async function importIdentifiers(services: ExtensionServices, argument?: unknown, rawOptions?: unknown): Promise<ImportIdentifiersResult> {
  if (!vscode.workspace.isTrusted) {
    throw new Error(vscode.l10n.t('Importing is turned off in an untrusted workspace; trust the folder to import (files are still checked).'));
  }
  const options = parseOptions(rawOptions);
  const uri = await payloadTarget(argument, 'csv', vscode.l10n.t('Import corporate identifiers'));
  const name = fileLabel(uri);
  await ensureSignedIn(services, name);

  const payload = await readPayloadAt(uri, services.payloads, 'corporate-identifiers');
  const identifiers = [...new Set((payload.identifiers ?? []).map(identifierText))];
  const errors = payload.problems.filter((problem) => problem.severity === 'error');
  if (errors.length > 0 || identifiers.length === 0) {
    const problems = vscode.l10n.t('Show Problems');
    void vscode.window
      .showErrorMessage(
        vscode.l10n.t('{0} has {1} errors, so nothing was imported. The first, line {2}: {3}', name, errors.length, errors[0]?.line ?? 1, errors[0]?.message ?? vscode.l10n.t('no identifiers')),
        problems,
      )
      .then((choice) => (choice === problems ? showProblems() : undefined));
    return { outcome: 'blocked', uri, errors: errors.length };
  }
  const warnings = payload.problems.filter((problem) => problem.severity === 'warning');
  if (warnings.length > 0 && !options.acceptWarnings) {
    const importAnyway = vscode.l10n.t('Import Anyway');
    const problems = vscode.l10n.t('Show Problems');
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('{0} has {1} warnings. Import its {2} corporate identifiers anyway?', name, warnings.length, identifiers.length),
      { modal: true, detail: lines(warnings) },
      importAnyway,
      problems,
    );
    if (choice === problems) void showProblems();
    if (choice !== importAnyway) throw new UserCancelledError();
  }

  const { service } = services.identifiers;
  const { plan, tenant } = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking which of the {0} corporate identifiers Intune has…', identifiers.length), cancellable: true },
    async (_, token) => {
      const cancel = new AbortController();
      const subscription = token.onCancellationRequested(() => cancel.abort());
      try {
        return await service.plan(identifiers, cancel.signal);
      } finally {
        subscription.dispose();
      }
    },
  );
  const refused = plan.refused.reduce((sum, refusal) => sum + refusal.items.length, 0);
  const summary: IdentifierPlanSummary = { new: plan.identifiers.length - plan.existing.length - refused, existing: plan.existing.length, refused };
  services.log.info(`corporate identifiers from ${uri.toString(true)}: ${summary.new} new, ${summary.existing} in the tenant, ${summary.refused} refused`);
  if (summary.new === 0 && summary.existing === 0) {
    throw new Error(vscode.l10n.t('Intune refuses every corporate identifier of {0}: {1}', name, plan.refused[0]?.error.message ?? ''));
  }
  const overwrite = options.overwrite ?? (await confirmPlan(name, tenant, summary, plan.refused[0]?.error.message));

  const source = uri.scheme === 'file' ? uri.fsPath : uri.toString(true);
  const result = await withIdentifierProgress(vscode.l10n.t('Importing corporate identifiers from {0}', name), (onProgress, cancel) =>
    service.import(identifiers, { source, overwrite, plan, cancel, onProgress }),
  );
  announceIdentifierRun(result);
  // A list already shown is read again, with what the import changed; one never shown is read when it is.
  if (service.model.state !== 'not-read') void service.refresh().catch((error: unknown) => services.log.warn(`Listing corporate identifiers after the import failed: ${error instanceof Error ? error.message : String(error)}`));
  return { outcome: result.stopped === 'finished' ? 'finished' : 'stopped', uri, plan: summary, run: result.run };
}
