/** `autopilot.refreshIdentifiers`: list the tenant's corporate identifiers again (failures reach the user once). */
import * as vscode from 'vscode';
import type { CorporateIdentifiersFeature } from '../views/registerCorporateIdentifiersView';
import { IDENTIFIERS_VIEW_ID } from '../views/corporateIdentifiersTreeProvider';

export async function refreshIdentifiers(identifiers: CorporateIdentifiersFeature): Promise<number> {
  await vscode.window.withProgress({ location: { viewId: IDENTIFIERS_VIEW_ID } }, () => identifiers.service.refresh());
  return identifiers.model.records().length;
}
