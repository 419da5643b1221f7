import * as vscode from 'vscode';
import { runReportingErrors } from './errorHandling';

// Command arguments come from VS Code (a Uri, a tree item, nothing), so handlers receive them untyped and narrow them.
export type CommandHandler = (...args: unknown[]) => unknown;

/** Registers every command of the table, each wrapped in the one error-handling policy. */
export function registerCommands(
  context: vscode.ExtensionContext,
  table: Readonly<Record<string, CommandHandler>>,
  log: vscode.LogOutputChannel,
): void {
  for (const [id, handler] of Object.entries(table)) {
    context.subscriptions.push(
      vscode.commands.registerCommand(id, (...args: unknown[]) => runReportingErrors(id, log, () => handler(...args))),
    );
  }
}
