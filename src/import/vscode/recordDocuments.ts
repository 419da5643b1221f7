/**
 * Read-only JSON documents for import records and registered devices, under their own URI scheme: VS Code offers
 * no way to edit or save them, and closing one forgets its text. The commands fetch what to show; this only holds it.
 */
import * as vscode from 'vscode';

export const RECORD_SCHEME = 'autopilot-record';

export class RecordDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [
      vscode.workspace.registerTextDocumentContentProvider(RECORD_SCHEME, this),
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document.uri.scheme === RECORD_SCHEME) this.texts.delete(document.uri.toString());
      }),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '{}\n';
  }

  /** Shows `value` as `<name>.json` (a preview tab); showing the same name again replaces its text. */
  async show(name: string, key: string, value: unknown): Promise<vscode.TextEditor> {
    const safeName = name.replace(/[\\/:*?"<>|\s]+/g, '_') || 'record';
    const uri = vscode.Uri.from({ scheme: RECORD_SCHEME, path: `/${safeName}.json`, query: new URLSearchParams({ key }).toString() });
    this.texts.set(uri.toString(), `${JSON.stringify(value, null, 2)}\n`);
    this.changed.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    return vscode.window.showTextDocument(document, { preview: true });
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.changed.dispose();
    this.texts.clear();
  }
}
