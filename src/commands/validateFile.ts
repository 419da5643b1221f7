/** `autopilot.validateFile`: validate a payload and show its problems, with a one-line summary. */
import * as vscode from 'vscode';
import { counted } from '../common/counts';
import type { PayloadDiagnostics } from '../editor/payloadDiagnostics';
import { deviceCount, hasErrors, type PayloadFormat } from '../payload/api';
import { fileLabel, payloadTarget, readPayloadAt } from './payloadFiles';

export interface ValidationSummary {
  readonly uri: vscode.Uri;
  readonly format: PayloadFormat;
  readonly encoding: string;
  readonly devices: number;
  readonly errors: number;
  readonly warnings: number;
}

export async function validateFile(diagnostics: PayloadDiagnostics, argument?: unknown): Promise<ValidationSummary> {
  const uri = await payloadTarget(argument, 'any', vscode.l10n.t('Validate Autopilot payload'));
  const payload = await readPayloadAt(uri, diagnostics);
  const errors = payload.problems.filter((problem) => problem.severity === 'error').length;
  const summary: ValidationSummary = {
    uri,
    format: payload.format,
    encoding: payload.encoding,
    devices: deviceCount(payload),
    errors,
    warnings: payload.problems.length - errors,
  };
  const name = fileLabel(uri);
  if (payload.problems.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('{0}: {1}, no problems.', name, counted.devices(summary.devices)));
    return summary;
  }
  const showProblems = vscode.l10n.t('Show Problems');
  const message = vscode.l10n.t('{0}: {1}, {2}, {3}.', name, counted.devices(summary.devices), counted.errors(summary.errors), counted.warnings(summary.warnings));
  const shown = hasErrors(payload) ? vscode.window.showErrorMessage(message, showProblems) : vscode.window.showWarningMessage(message, showProblems);
  void shown.then((choice) => (choice === showProblems ? vscode.commands.executeCommand('workbench.actions.view.problems') : undefined));
  return summary;
}
