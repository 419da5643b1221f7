/**
 * Live problems for open payloads: validated on open and, debounced, as the user types; results are kept per document
 * version so quick fixes and commands reuse them instead of validating again.
 */
import * as vscode from 'vscode';
import { parsePayloadText, type ParsedPayload, type PayloadProblem, type TextEncoding } from '../payload/api';
import type { UpdateProblem } from '../import/lifecycle/updateFile';
import { isPayloadDocument, isUpdateDocument, jsonFeaturesCover, problemsToShow } from './payloadDocuments';

export const DIAGNOSTIC_SOURCE = 'Autopilot';
const TYPING_DELAY_MS = 300;

/** VS Code's names for the encodings a payload can have (it detects them when it opens the file). */
export const EDITOR_ENCODINGS: Record<string, TextEncoding> = {
  utf8: 'utf-8',
  utf8bom: 'utf-8-bom',
  utf16le: 'utf-16le',
  utf16be: 'utf-16be',
  windows1252: 'windows-1252',
};

export function problemRange(problem: Pick<PayloadProblem, 'line' | 'column' | 'endLine' | 'endColumn'>): vscode.Range {
  const start = new vscode.Position(problem.line - 1, problem.column - 1);
  const end = problem.endLine === undefined ? start : new vscode.Position(problem.endLine - 1, (problem.endColumn ?? problem.column) - 1);
  return new vscode.Range(start, end);
}

/** Problems that mean "not done yet" rather than "wrong": a fresh template is not shown in red. */
const UNFINISHED_CODES = new Set(['template-placeholder']);

function severityOf(problem: PayloadProblem): vscode.DiagnosticSeverity {
  if (UNFINISHED_CODES.has(problem.code)) return vscode.DiagnosticSeverity.Information;
  return problem.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning;
}

function toDiagnostic(problem: PayloadProblem): vscode.Diagnostic {
  const severity = severityOf(problem);
  const diagnostic = new vscode.Diagnostic(problemRange(problem), problem.message, severity);
  diagnostic.code = problem.code;
  diagnostic.source = DIAGNOSTIC_SOURCE;
  return diagnostic;
}

function toUpdateDiagnostic(document: vscode.TextDocument, problem: UpdateProblem): vscode.Diagnostic {
  const line = Math.min(Math.max(problem.line - 1, 0), Math.max(document.lineCount - 1, 0));
  const range = document.lineCount ? document.lineAt(line).range : new vscode.Range(0, 0, 0, 0);
  const diagnostic = new vscode.Diagnostic(range, problem.message, problem.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
  diagnostic.code = problem.code;
  diagnostic.source = DIAGNOSTIC_SOURCE;
  return diagnostic;
}

export class PayloadDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection('autopilot');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly results = new Map<string, { version: number; payload: ParsedPayload }>();
  /** Which open versions are update files (SPEC 6.2), so each is told apart once. */
  private readonly kinds = new Map<string, { version: number; update: boolean }>();
  private readonly subscriptions: vscode.Disposable[];

  constructor(private readonly log: vscode.LogOutputChannel) {
    this.subscriptions = [
      vscode.workspace.onDidOpenTextDocument((document) => this.refresh(document)),
      vscode.workspace.onDidChangeTextDocument((event) => this.schedule(event.document)),
      vscode.workspace.onDidCloseTextDocument((document) => this.forget(document.uri)),
    ];
    for (const document of vscode.workspace.textDocuments) this.refresh(document);
  }

  /**
   * Validates an open document now (or returns the result for its current version) and shows its problems; `text` is
   * its current text, when the caller has fetched it already.
   */
  validateDocument(document: vscode.TextDocument, text?: string): ParsedPayload {
    const key = document.uri.toString();
    const cached = this.results.get(key);
    if (cached?.version === document.version) return cached.payload;
    const started = Date.now();
    // The payload layer loads its parsers and compiles the schema on this first call, not at activation.
    const payload = parsePayloadText(text ?? document.getText(), document.uri.path, EDITOR_ENCODINGS[document.encoding] ?? 'utf-8');
    this.results.set(key, { version: document.version, payload });
    this.publish(document.uri, payload, document);
    this.log.trace(`validated ${document.uri.path}: ${payload.devices.length} devices, ${payload.problems.length} problems in ${Date.now() - started} ms`);
    return payload;
  }

  /** Shows the problems of a file validated from disk (not open in an editor). */
  publish(uri: vscode.Uri, payload: ParsedPayload, document = vscode.workspace.textDocuments.find((open) => open.uri.toString() === uri.toString())): void {
    this.collection.set(uri, problemsToShow(document, uri, payload.problems).map(toDiagnostic));
  }

  /** The last result for a document, if it is for the version now open. */
  resultFor(document: vscode.TextDocument): ParsedPayload | undefined {
    const cached = this.results.get(document.uri.toString());
    return cached?.version === document.version ? cached.payload : undefined;
  }

  /**
   * Whether an open payload is an update file (a serial-number column or key and no hardware hash): it is checked by
   * the update rules, and a payload's problems ("add a Hardware Hash column") would be wrong for it.
   */
  isUpdateDocument(document: vscode.TextDocument, text?: string): boolean {
    const key = document.uri.toString();
    const known = this.kinds.get(key);
    if (known?.version === document.version) return known.update;
    const update = isUpdateDocument(document, text);
    this.kinds.set(key, { version: document.version, update });
    return update;
  }

  /** Shows an update file's problems, each on its line (the update rules load on the first one). */
  private async checkUpdate(document: vscode.TextDocument): Promise<void> {
    const { version } = document;
    const { parseUpdateText } = await import('../import/lifecycle/updateFile');
    if (document.isClosed || document.version !== version) return; // a newer check is on its way
    const { problems } = parseUpdateText(document.getText(), document.uri.path);
    const shown = jsonFeaturesCover(document, document.uri) ? problems.filter((problem) => problem.origin === undefined) : problems;
    this.results.delete(document.uri.toString());
    this.collection.set(document.uri, shown.map((problem) => toUpdateDiagnostic(document, problem)));
  }

  private refresh(document: vscode.TextDocument): void {
    if (!isPayloadDocument(document)) return;
    try {
      // One copy of the text serves both questions: a 20 MB payload's text is not fetched twice per typing pause.
      const text = document.getText();
      if (this.isUpdateDocument(document, text)) {
        this.checkUpdate(document).catch((error: unknown) => this.log.error(`checking ${document.uri.path} as an update file failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
        return;
      }
      this.validateDocument(document, text);
    } catch (error) {
      // Validation reports problems rather than throwing; anything else is a bug worth a log line, not a popup per keystroke.
      this.log.error(`validating ${document.uri.path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
  }

  private schedule(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.set(
      key,
      setTimeout(() => {
        this.timers.delete(key);
        this.refresh(document);
      }, TYPING_DELAY_MS),
    );
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.results.delete(key);
    this.kinds.delete(key);
    this.collection.delete(uri);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const subscription of this.subscriptions) subscription.dispose();
    this.collection.dispose();
  }
}
