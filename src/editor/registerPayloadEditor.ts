/** Wires the payload editor features: live problems, their quick fixes, and hovers in corporate-identifier files. */
import * as vscode from 'vscode';
import { IdentifierHovers, type TenantLookup } from './identifierHovers';
import { PayloadCodeActions } from './payloadCodeActions';
import { PayloadDiagnostics } from './payloadDiagnostics';

export function registerPayloadEditor(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, inTenant?: TenantLookup): PayloadDiagnostics {
  const diagnostics = new PayloadDiagnostics(log);
  const selector: vscode.DocumentSelector = [{ language: 'json' }, { language: 'jsonc' }, { pattern: '**/*.csv' }];
  context.subscriptions.push(
    diagnostics,
    vscode.languages.registerCodeActionsProvider(selector, new PayloadCodeActions(diagnostics), { providedCodeActionKinds: PayloadCodeActions.kinds }),
    vscode.languages.registerHoverProvider({ pattern: '**/*.csv' }, new IdentifierHovers(diagnostics, inTenant)),
  );
  return diagnostics;
}
