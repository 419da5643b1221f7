import * as vscode from 'vscode';

/** One import run as the tree shows it. The import engine fills these in; the tree only reads them. */
export interface ImportRunNode {
  readonly id: string;
  readonly label: string;
}

/** What the Recent Imports tree displays. Views read it and listen to it; they never call Graph themselves. */
export class ImportsModel implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private current: readonly ImportRunNode[] = [];

  get runs(): readonly ImportRunNode[] {
    return this.current;
  }

  replaceRuns(runs: readonly ImportRunNode[]): void {
    this.current = runs;
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
