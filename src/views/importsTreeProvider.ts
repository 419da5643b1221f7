import * as vscode from 'vscode';
import type { ImportRunNode, ImportsModel } from './importsModel';

export class ImportsTreeProvider implements vscode.TreeDataProvider<ImportRunNode> {
  readonly onDidChangeTreeData: vscode.Event<void>;

  constructor(private readonly model: ImportsModel) {
    this.onDidChangeTreeData = model.onDidChange;
  }

  getTreeItem(run: ImportRunNode): vscode.TreeItem {
    const item = new vscode.TreeItem(run.label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = run.id;
    return item;
  }

  getChildren(parent?: ImportRunNode): ImportRunNode[] {
    return parent ? [] : [...this.model.runs];
  }
}

export const IMPORTS_VIEW_ID = 'autopilot.imports';

export function registerImportsView(context: vscode.ExtensionContext, model: ImportsModel): vscode.TreeView<ImportRunNode> {
  const view = vscode.window.createTreeView(IMPORTS_VIEW_ID, { treeDataProvider: new ImportsTreeProvider(model) });
  context.subscriptions.push(view);
  return view;
}
