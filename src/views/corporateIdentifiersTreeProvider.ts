/**
 * The Corporate Identifiers tree: the tenant's identifiers grouped by enrollment state (failed first, then not
 * contacted, then enrolled), each with its manufacturer and model, last contact and a tooltip with the whole record.
 * It reads the model; listing the tenant is the identifier service's job (passed in as `load`).
 */
import * as vscode from 'vscode';
import { STATE_ORDER, enrollmentStateLabel, lastContactText, stateGroup, stateIcon } from './corporateIdentifierPresentation';
import type { CorporateIdentifiersModel, IdentifierRecordView } from '../import/vscode/corporateIdentifiersModel';

export const IDENTIFIERS_VIEW_ID = 'autopilot.corporateIdentifiers';

export interface StateGroupNode {
  readonly kind: 'identifier-group';
  readonly state: string;
}

export interface IdentifierNode {
  readonly kind: 'identifier';
  readonly id: string;
}

export type CorporateIdentifiersNode = StateGroupNode | IdentifierNode;

export function isIdentifierNode(value: unknown): value is IdentifierNode {
  return typeof value === 'object' && value !== null && (value as IdentifierNode).kind === 'identifier' && typeof (value as IdentifierNode).id === 'string';
}

function markdownText(value: string): string {
  return value.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export function identifierTooltip(record: IdentifierRecordView): vscode.MarkdownString {
  const lines = [
    `**${markdownText(record.identifier)}**`,
    '',
    `${vscode.l10n.t('Manufacturer')}: ${markdownText(record.manufacturer)}  `,
    `${vscode.l10n.t('Model')}: ${markdownText(record.model)}  `,
    `${vscode.l10n.t('Serial number')}: ${markdownText(record.serialNumber)}`,
    '',
    `${vscode.l10n.t('Enrollment state')}: **${markdownText(enrollmentStateLabel(record.enrollmentState))}**, ${markdownText(lastContactText(record.lastContactedDateTime))}`,
  ];
  if (record.createdDateTime) lines.push('', `${vscode.l10n.t('Added')}: ${markdownText(new Date(record.createdDateTime).toLocaleString(vscode.env.language))}`);
  if (record.description) lines.push('', markdownText(record.description));
  return new vscode.MarkdownString(lines.join('\n'));
}

export class CorporateIdentifiersTreeProvider implements vscode.TreeDataProvider<CorporateIdentifiersNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<CorporateIdentifiersNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly groups = new Map<string, StateGroupNode>();
  private readonly nodes = new Map<string, IdentifierNode>();
  private readonly subscription: { dispose(): void };

  constructor(
    private readonly model: CorporateIdentifiersModel,
    private readonly load: () => Promise<void>,
  ) {
    this.subscription = model.onDidChange(() => this.changed.fire(undefined));
  }

  groupNode(state: string): StateGroupNode {
    let node = this.groups.get(state);
    if (!node) this.groups.set(state, (node = { kind: 'identifier-group', state }));
    return node;
  }

  identifierNode(id: string): IdentifierNode {
    let node = this.nodes.get(id);
    if (!node) this.nodes.set(id, (node = { kind: 'identifier', id }));
    return node;
  }

  private inGroup(state: string): IdentifierRecordView[] {
    return this.model
      .records()
      .filter((record) => stateGroup(record.enrollmentState) === state)
      .sort((a, b) => a.serialNumber.localeCompare(b.serialNumber) || a.identifier.localeCompare(b.identifier));
  }

  getTreeItem(node: CorporateIdentifiersNode): vscode.TreeItem {
    if (node.kind === 'identifier-group') {
      const count = this.inGroup(node.state).length;
      const item = new vscode.TreeItem(enrollmentStateLabel(node.state), vscode.TreeItemCollapsibleState.Expanded);
      item.id = `identifier-group:${node.state}`;
      item.description = count.toLocaleString(vscode.env.language);
      item.iconPath = stateIcon(node.state);
      item.contextValue = 'autopilotIdentifierGroup';
      return item;
    }
    const record = this.model.record(node.id);
    if (!record) return new vscode.TreeItem(vscode.l10n.t('(removed)'));
    const item = new vscode.TreeItem(record.serialNumber, vscode.TreeItemCollapsibleState.None);
    item.id = `identifier:${record.id}`;
    item.description = `${record.manufacturer} ${record.model} · ${lastContactText(record.lastContactedDateTime)}`;
    item.tooltip = identifierTooltip(record);
    item.iconPath = stateIcon(record.enrollmentState);
    item.contextValue = 'autopilotIdentifier';
    item.accessibilityInformation = { label: `${record.identifier}, ${enrollmentStateLabel(record.enrollmentState)}, ${lastContactText(record.lastContactedDateTime)}` };
    return item;
  }

  async getChildren(parent?: CorporateIdentifiersNode): Promise<CorporateIdentifiersNode[]> {
    if (!parent) {
      if (this.model.state === 'not-read') await this.load();
      return STATE_ORDER.filter((state) => this.inGroup(state).length > 0).map((state) => this.groupNode(state));
    }
    if (parent.kind === 'identifier') return [];
    return this.inGroup(parent.state).map((record) => this.identifierNode(record.id));
  }

  getParent(node: CorporateIdentifiersNode): CorporateIdentifiersNode | undefined {
    if (node.kind === 'identifier-group') return undefined;
    const record = this.model.record(node.id);
    return record ? this.groupNode(stateGroup(record.enrollmentState)) : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
