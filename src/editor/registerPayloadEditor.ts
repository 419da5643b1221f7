/** Wires the payload editor features: live problems and their quick fixes. */
import * as vscode from 'vscode';
import { PayloadCodeActions } from './payloadCodeActions';
import { PayloadDiagnostics } from './payloadDiagnostics';

export function registerPayloadEditor(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): PayloadDiagnostics {
  const diagnostics = new PayloadDiagnostics(log);
  const selector: vscode.DocumentSelector = [{ language: 'json' }, { language: 'jsonc' }, { pattern: '**/*.csv' }];
  context.subscriptions.push(
    diagnostics,
    vscode.languages.registerCodeActionsProvider(selector, new PayloadCodeActions(diagnostics), { providedCodeActionKinds: PayloadCodeActions.kinds }),
  );
  return diagnostics;
}
