/**
 * Quick fixes for payload problems: repair hash padding, rename a CSV-style key, remove a duplicate device, and the
 * CSV header and empty-line repairs. The payload layer computes every fix; this only turns them into edits.
 */
import * as vscode from 'vscode';
import type { PayloadProblem } from '../payload/api';
import { DIAGNOSTIC_SOURCE, problemRange, type PayloadDiagnostics } from './payloadDiagnostics';
import { isPayloadDocument } from './payloadDocuments';

/** Fixes that are surely what the user wants, offered first and applied by "Auto Fix". */
const PREFERRED = new Set(['hash-padding', 'csv-style-property', 'json-trailing-comma', 'csv-header-case']);

export class PayloadCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix];

  constructor(private readonly diagnostics: PayloadDiagnostics) {}

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (!isPayloadDocument(document)) return [];
    const payload = this.diagnostics.resultFor(document) ?? this.diagnostics.validateDocument(document);
    return payload.problems.filter((problem) => problem.fix && problemRange(problem).intersection(range) !== undefined).map((problem) => this.toAction(document, problem, context));
  }

  private toAction(document: vscode.TextDocument, problem: PayloadProblem, context: vscode.CodeActionContext): vscode.CodeAction {
    const fix = problem.fix!;
    const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
    action.edit = new vscode.WorkspaceEdit();
    for (const edit of fix.edits) action.edit.replace(document.uri, problemRange(edit), edit.newText);
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
