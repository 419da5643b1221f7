/**
 * `autopilot.importFile [uri] [options]`: import a payload's devices. The payload is validated first (an open
 * editor's text as shown, unsaved changes included): errors block with "Show Problems", warnings ask once. Then an
 * optional group tag for every device, and the import under a cancellable progress notification, with the run shown
 * in Recent Imports. Before anything is sent, the plan (importPlan.ts): devices registered here already (806) or
 * repeated in the file are named, and the user may skip them. Options `{ groupTag?: string | null, acceptWarnings?:
 * boolean, skipRegistered?: boolean }` answer the questions ahead (`groupTag: null` keeps the file's tags), for
 * scripts and tests.
 */
import * as vscode from 'vscode';
import { counted } from '../common/counts';
import { UserCancelledError } from '../common/errors';
import type { RunView } from '../import/runState';
import type { Milestone } from '../import/vscode/importService';
import { readImportSettings } from '../import/vscode/importSettings';
import type { DeviceToImport, ParsedPayload, PayloadProblem } from '../payload/api';
import type { ExtensionServices } from '../services';
import type { Plan } from '../import/lifecycle/api';
import { importIdentifiers, type ImportIdentifiersResult } from './importIdentifiers';
import { nothingLeftToImport, planImportInVsCode } from './importPlan';
import { announce, withImportProgress } from './importProgress';
import { fileLabel, payloadTarget, readPayloadAt } from './payloadFiles';
import { ensureSignedIn } from './signIn';

export interface ImportFileOptions {
  readonly groupTag?: string | null;
  readonly acceptWarnings?: boolean;
  /** The plan's question answered ahead: skip devices registered here already or repeated (true), or send all (false). */
  readonly skipRegistered?: boolean;
}

export type ImportFileResult =
  | { readonly outcome: 'blocked'; readonly uri: vscode.Uri; readonly errors: number }
  /** The file holds corporate identifiers: it went to "Import Corporate Identifiers…" instead. */
  | { readonly outcome: 'corporate-identifiers'; readonly uri: vscode.Uri; readonly result: ImportIdentifiersResult }
  /** The plan left nothing to send (every device registered here already, or repeated). */
  | { readonly outcome: 'nothing-to-import'; readonly uri: vscode.Uri; readonly plan: Plan }
  | { readonly outcome: Exclude<Milestone['kind'], 'failed'>; readonly uri: vscode.Uri; readonly runId: string; readonly run: RunView };

const SHOWN_WARNINGS = 3;

function parseOptions(value: unknown): ImportFileOptions {
  // The Explorer passes the selected files and the editor title its group as a second argument: not options.
  if (!value || typeof value !== 'object' || Array.isArray(value) || value instanceof vscode.Uri) return {};
  const { groupTag, acceptWarnings, skipRegistered } = value as Record<string, unknown>;
  return {
    ...(typeof groupTag === 'string' || groupTag === null ? { groupTag } : {}),
    ...(typeof acceptWarnings === 'boolean' ? { acceptWarnings } : {}),
    ...(typeof skipRegistered === 'boolean' ? { skipRegistered } : {}),
  };
}

function showProblems(): Thenable<unknown> {
  return vscode.commands.executeCommand('workbench.actions.view.problems');
}

function problemLine(problem: PayloadProblem): string {
  return vscode.l10n.t('Line {0}: {1}', problem.line, problem.message);
}

async function acceptWarnings(name: string, payload: ParsedPayload, warnings: readonly PayloadProblem[]): Promise<void> {
  const importAnyway = vscode.l10n.t('Import Anyway');
  const problems = vscode.l10n.t('Show Problems');
  const detail = [
    ...warnings.slice(0, SHOWN_WARNINGS).map(problemLine),
    ...(warnings.length > SHOWN_WARNINGS ? [vscode.l10n.t('…and {0} more in the Problems panel.', warnings.length - SHOWN_WARNINGS)] : []),
  ].join('\n');
  const choice = await vscode.window.showWarningMessage(
    vscode.l10n.t('{0} has {1}. Import its {2} anyway?', name, counted.warnings(warnings.length), counted.devices(payload.devices.length)),
    { modal: true, detail },
    importAnyway,
    problems,
  );
  if (choice === problems) void showProblems();
  if (choice !== importAnyway) throw new UserCancelledError();
}

function describeTags(devices: readonly DeviceToImport[]): string {
  const tags = new Map<string, number>();
  for (const device of devices) {
    const tag = device.groupTag?.trim() || '';
    tags.set(tag, (tags.get(tag) ?? 0) + 1);
  }
  return [...tags.entries()].map(([tag, count]) => (tag ? `${tag} (${count})` : vscode.l10n.t('none ({0})', count))).join(', ');
}

async function askGroupTag(name: string, devices: readonly DeviceToImport[]): Promise<string | undefined> {
  const value = await vscode.window.showInputBox({
    title: vscode.l10n.t('Group tag for the {0} of {1}', counted.devices(devices.length), name),
    prompt: vscode.l10n.t("One group tag for every device, or empty to keep the file's group tags: {0}.", describeTags(devices)),
    placeHolder: vscode.l10n.t("Leave empty to keep the file's group tags"),
    ignoreFocusOut: true,
  });
  if (value === undefined) throw new UserCancelledError();
  return value.trim() || undefined;
}

/** How a run names its source: the file's path, or an untitled editor's name. */
function sourceOf(uri: vscode.Uri): string {
  return uri.scheme === 'file' ? uri.fsPath : uri.scheme === 'untitled' ? fileLabel(uri) : uri.toString(true);
}

export async function importFile(services: ExtensionServices, argument?: unknown, rawOptions?: unknown): Promise<ImportFileResult> {
  if (!vscode.workspace.isTrusted) {
    throw new Error(vscode.l10n.t('Importing is turned off in an untrusted workspace; trust the folder to import (payloads are still validated).'));
  }
  const options = parseOptions(rawOptions);
  const uri = await payloadTarget(argument, 'any', vscode.l10n.t('Import Autopilot devices'));
  const name = fileLabel(uri);
  await ensureSignedIn(services, name);

  const payload = await readPayloadAt(uri, services.payloads);
  if (payload.format === 'corporate-identifiers') return { outcome: 'corporate-identifiers', uri, result: await importIdentifiers(services, uri, rawOptions) };
  const errors = payload.problems.filter((problem) => problem.severity === 'error');
  if (errors.length > 0 || payload.devices.length === 0) {
    const problems = vscode.l10n.t('Show Problems');
    void vscode.window
      .showErrorMessage(
        errors[0]
          ? vscode.l10n.t('{0} has {1}, so nothing was imported. The first, line {2}: {3}', name, counted.errors(errors.length), errors[0].line, errors[0].message)
          : vscode.l10n.t('{0} has no devices, so nothing was imported.', name),
        problems,
      )
      .then((choice) => (choice === problems ? showProblems() : undefined));
    return { outcome: 'blocked', uri, errors: errors.length };
  }
  const warnings = payload.problems.filter((problem) => problem.severity === 'warning');
  if (warnings.length > 0 && !options.acceptWarnings) await acceptWarnings(name, payload, warnings);

  const groupTag = options.groupTag !== undefined ? (options.groupTag?.trim() || undefined) : readImportSettings().askForGroupTag ? await askGroupTag(name, payload.devices) : undefined;
  const planned = await planImportInVsCode(services, name, payload.devices, options.skipRegistered);
  if (!planned.devices.length) {
    void vscode.window.showInformationMessage(nothingLeftToImport(name, planned.skipped));
    return { outcome: 'nothing-to-import', uri, plan: planned.plan };
  }
  const devices = planned.devices;
  const document = vscode.workspace.textDocuments.find((open) => open.uri.toString() === uri.toString());
  services.log.info(
    `importing ${devices.length} devices from ${uri.toString(true)}${document?.isDirty ? ' (unsaved editor text, as shown)' : ''}${groupTag !== undefined ? ' with a group tag override' : ''}`,
  );

  const run = await withImportProgress(services.importing, vscode.l10n.t('Importing {0} from {1}', counted.devices(devices.length), name), (onProgress) =>
    services.importing.service.startImport({ devices, source: sourceOf(uri), ...(groupTag !== undefined ? { groupTag } : {}) }, onProgress),
  );
  announce(services.importing, run);
  const { milestone } = run;
  if (milestone.kind === 'failed') throw milestone.error; // announce already threw; this keeps the types honest
  return { outcome: milestone.kind, uri, runId: run.runId, run: milestone.view };
}
