/** `autopilot.copyIdentifier` (tree only): copy the selected corporate identifiers, one `Manufacturer,Model,Serial` a line. */
import * as vscode from 'vscode';
import type { CorporateIdentifiersModel } from '../import/vscode/corporateIdentifiersModel';
import { selectedIdentifiers } from './identifierTargets';

export async function copyIdentifier(model: CorporateIdentifiersModel, clicked?: unknown, selection?: unknown): Promise<string> {
  const text = selectedIdentifiers(model, clicked, selection)
    .map((record) => record.identifier)
    .join('\n');
  await vscode.env.clipboard.writeText(text);
  return text;
}
