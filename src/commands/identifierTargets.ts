/** What a Corporate Identifiers command acts on: the clicked item, or every selected one when it is part of the selection. */
import type { CorporateIdentifiersModel, IdentifierRecordView } from '../import/vscode/corporateIdentifiersModel';
import { isIdentifierNode } from '../views/corporateIdentifiersTreeProvider';

export function selectedIdentifiers(model: CorporateIdentifiersModel, clicked: unknown, selection: unknown): IdentifierRecordView[] {
  const chosen = Array.isArray(selection) ? selection.filter(isIdentifierNode) : [];
  const nodes = isIdentifierNode(clicked) ? (chosen.includes(clicked) ? chosen : [clicked]) : [];
  return nodes.map((node) => model.record(node.id)).filter((record): record is IdentifierRecordView => record !== undefined);
}
