/**
 * Quick fixes for payload problems: repair hash padding, rename a CSV-style key, remove a duplicate device, the CSV
 * header and empty-line repairs, and the corporate-identifier repairs (remove a header, trim, remove periods from a
 * serial, split a file too large for the portal). The payload layer computes every fix; this turns them into edits,
 * or into the command that writes other files. Problems a command solves better than an edit get that command
 * (quotation marks the portal refuses: Export Portal CSV).
 */
import * as vscode from 'vscode';
import type { PayloadFix, PayloadProblem } from '../payload/api';
import { DIAGNOSTIC_SOURCE, problemRange, type PayloadDiagnostics } from './payloadDiagnostics';
import { isPayloadDocument } from './payloadDocuments';

/** Problems an editor command solves: their messages name what to change, the action offers the command. */
const COMMAND_FIXES: Record<string, { readonly command: string; readonly title: () => string }> = {
  'csv-quotes': { command: 'autopilot.exportPortalCsv', title: () => vscode.l10n.t('Export a Portal CSV without quotation marks') },
};

/** Fixes that are surely what the user wants, offered first and applied by "Auto Fix". */
const PREFERRED = new Set(['hash-padding', 'csv-style-property', 'json-trailing-comma', 'csv-header-case', 'identifiers-header', 'identifiers-serial-period']);

/** The commands behind fixes that write other files instead of editing this one. */
const FIX_COMMANDS: Record<NonNullable<PayloadFix['action']>, string> = { 'split-identifier-file': 'autopilot.splitIdentifierFile' };

export class PayloadCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly diagnostics: PayloadDiagnostics) {}

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (!isPayloadDocument(document) || this.diagnostics.isUpdateDocument(document)) return [];
    const payload = this.diagnostics.resultFor(document) ?? this.diagnostics.validateDocument(document);
    const here = payload.problems.filter((problem) => problemRange(problem).intersection(range) !== undefined);
    return [
      ...here.filter((problem) => problem.fix).map((problem) => this.toAction(document, problem, context)),
      ...here.filter((problem) => COMMAND_FIXES[problem.code]).map((problem) => commandAction(document, problem)),
    ];
  }

  private toAction(document: vscode.TextDocument, problem: PayloadProblem, context: vscode.CodeActionContext): vscode.CodeAction {
    const fix = problem.fix!;
    const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
    if (fix.action) action.command = { command: FIX_COMMANDS[fix.action], title: fix.title, arguments: [document.uri] };
    else {
      action.edit = new vscode.WorkspaceEdit();
      for (const edit of fix.edits) action.edit.replace(document.uri, problemRange(edit), edit.newText);
    }
    // Attach the diagnostic this fixes, ours or the one VS Code's JSON features show for a schema problem.
    const range = problemRange(problem);
    const fixed = context.diagnostics.filter(
      (diagnostic) => diagnostic.range.intersection(range) !== undefined && (diagnostic.source !== DIAGNOSTIC_SOURCE || diagnostic.code === problem.code),
    );
    if (fixed.length > 0) action.diagnostics = fixed;
    action.isPreferred = PREFERRED.has(problem.code);
    return action;
  }
}

function commandAction(document: vscode.TextDocument, problem: PayloadProblem): vscode.CodeAction {
  const fix = COMMAND_FIXES[problem.code]!;
  const action = new vscode.CodeAction(fix.title(), vscode.CodeActionKind.QuickFix);
  action.command = { command: fix.command, title: fix.title(), arguments: [document.uri] };
  return action;
}
