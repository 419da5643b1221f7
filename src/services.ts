import type * as vscode from 'vscode';
import type { ImportsModel } from './views/importsModel';

/** What the composition root builds once and hands to commands and views. */
export interface ExtensionServices {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  readonly imports: ImportsModel;
}
