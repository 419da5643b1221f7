/**
 * What the Corporate Identifiers and Autopilot Devices views share in the window: the tree view (multi-select, collapse
 * all), its title, message line and context keys kept in step with the model, a fresh start when the account changes
 * (another tenant's list is never shown as this one's), and the offer, once per run and account, to finish work a
 * closed window or a cancel left unfinished.
 */
import * as vscode from 'vscode';
import type { AuthService } from '../auth/authService';
import type { Subscription } from '../import/events';

export interface UnfinishedOffer<Run extends { readonly id: string }> {
  /** This tenant's unfinished runs (an empty list when they cannot be read). */
  readonly list: () => Promise<readonly Run[]>;
  /** What the notification says about one. */
  readonly sentence: (run: Run) => string;
  readonly button: string;
  /** The command that continues a run, given its id. */
  readonly command: string;
}

export interface ListViewOptions<Node, Run extends { readonly id: string }> {
  readonly viewId: string;
  readonly tree: vscode.TreeDataProvider<Node> & vscode.Disposable;
  readonly model: { onDidChange(listener: () => void): Subscription; clear(): void };
  readonly service: vscode.Disposable;
  /** The view's description, message and context keys for the model as it is now. */
  readonly showState: (view: vscode.TreeView<Node>) => void;
  readonly unfinished: UnfinishedOffer<Run>;
  /** After another account became active (the model is cleared already). */
  readonly onAccountChanged?: (view: vscode.TreeView<Node>) => void;
}

export interface ListView<Node> {
  readonly view: vscode.TreeView<Node>;
  /** Offers each unfinished run not offered yet for this account; resolves with the ids offered now. */
  readonly offerToFinish: () => Promise<string[]>;
}

export function registerListView<Node, Run extends { readonly id: string }>(context: vscode.ExtensionContext, auth: AuthService, options: ListViewOptions<Node, Run>): ListView<Node> {
  const { tree, model, unfinished } = options;
  const view = vscode.window.createTreeView(options.viewId, { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  let offered = new Set<string>();

  const offerToFinish = async (): Promise<string[]> => {
    const runs = (await unfinished.list().catch(() => [])).filter((run) => !offered.has(run.id));
    for (const run of runs) {
      offered.add(run.id);
      void vscode.window
        .showWarningMessage(unfinished.sentence(run), unfinished.button)
        .then((choice) => (choice === unfinished.button ? vscode.commands.executeCommand(unfinished.command, run.id) : undefined));
    }
    return runs.map((run) => run.id);
  };

  const showState = () => options.showState(view);
  showState();
  let account = auth.activeAccount?.id;
  context.subscriptions.push(
    options.service,
    tree,
    view,
    model.onDidChange(showState),
    auth.onDidChange(() => {
      if (auth.activeAccount?.id === account) return;
      account = auth.activeAccount?.id;
      // Another account, maybe another tenant: its list is read afresh, its unfinished work offered again.
      model.clear();
      offered = new Set();
      options.onAccountChanged?.(view);
    }),
  );
  return { view, offerToFinish };
}
