/**
 * Wires corporate identifiers into the window: the Corporate Identifiers view (read when first shown, and again after
 * a sign-in or an account switch), its context keys and message line, and the offer to finish an import a closed
 * window left unfinished. Nothing here calls Graph during activation.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AuthService } from '../auth/authService';
import { oneLineMessage } from '../common/errors';
import type { CorporateIdentifiersModel } from '../import/vscode/corporateIdentifiersModel';
import { CorporateIdentifiersTreeProvider, IDENTIFIERS_VIEW_ID, type CorporateIdentifiersNode } from './corporateIdentifiersTreeProvider';
import { CorporateIdentifierService } from '../import/vscode/corporateIdentifierService';
import type { ImportsFeature } from './registerImportsView';
import { registerListView } from './registerListView';

export interface CorporateIdentifiersFeature {
  readonly model: CorporateIdentifiersModel;
  readonly service: CorporateIdentifierService;
  readonly tree: CorporateIdentifiersTreeProvider;
  readonly view: vscode.TreeView<CorporateIdentifiersNode>;
}

/** The same limit the manifest declares; a hand-edited settings.json may hold anything. */
export function identifierChunkSize(configuration = vscode.workspace.getConfiguration('autopilot')): number {
  const value = configuration.get<number>('identifiers.batchSize');
  return typeof value === 'number' && Number.isFinite(value) ? Math.min(500, Math.max(1, Math.round(value))) : 500;
}

export function registerCorporateIdentifiers(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  auth: AuthService,
  importing: ImportsFeature,
  model: CorporateIdentifiersModel,
): CorporateIdentifiersFeature {
  const service = new CorporateIdentifierService({
    model,
    log,
    // The same journal folder as hash imports (their runs live in a folder of their own inside it).
    journalDirectory: path.join(context.globalStorageUri.fsPath, 'journal'),
    useSession: (work) => importing.service.useActiveSession(work),
    chunkSize: () => identifierChunkSize(),
  });

  /** Lists the tenant (failures stay in the view's message line), then offers to finish interrupted imports. */
  const load = async (): Promise<void> => {
    if (!auth.activeAccount) return;
    try {
      await service.refresh();
    } catch (error) {
      log.warn(`Listing corporate identifiers failed: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    await offerToFinish();
  };

  const tree = new CorporateIdentifiersTreeProvider(model, load);
  const { view, offerToFinish } = registerListView(context, auth, {
    viewId: IDENTIFIERS_VIEW_ID,
    tree,
    model,
    service,
    showState: (view) => {
      const records = model.records().length;
      void vscode.commands.executeCommand('setContext', 'autopilot.identifiers.listed', model.state === 'read');
      void vscode.commands.executeCommand('setContext', 'autopilot.identifiers.empty', model.state === 'read' && records === 0);
      view.description = model.state === 'read' && model.tenant ? model.tenant : undefined;
      view.message =
        model.state === 'failed'
          ? vscode.l10n.t('Could not list the corporate identifiers: {0}', oneLineMessage(model.problem ?? ''))
          : model.state === 'reading' && records === 0
            ? vscode.l10n.t('Listing the corporate identifiers of the tenant…')
            : undefined;
    },
    unfinished: {
      list: () => service.unfinished(),
      sentence: (run) =>
        vscode.l10n.t('An import of corporate identifiers from {0} was interrupted with {1} of {2} not finished. Continuing checks Intune first and sends only what is missing.', path.basename(run.source), run.counts.pending, run.identifiers.length),
      button: vscode.l10n.t('Continue Import'),
      command: 'autopilot.continueIdentifierImport',
    },
  });
  return { model, service, tree, view };
}
