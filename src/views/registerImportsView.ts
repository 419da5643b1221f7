/**
 * Wires importing into the window: the Recent Imports model, tree and badge, the import service (engine built on
 * first use), the poll scheduler and the read-only record documents. Nothing here reads the journal or loads the
 * engine during activation: restoring runs happens right after it.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { counted } from '../common/counts';
import type { AuthService } from '../auth/authService';
import type { HttpTransport } from '../common/httpTransport';
import { ImportsModel } from '../import/vscode/importsModel';
import { IMPORTS_VIEW_ID, ImportsTreeProvider, type ImportsNode } from './importsTreeProvider';
import { IMPORT_SETTING_SECTIONS, readImportSettings } from '../import/vscode/importSettings';
import { ImportService } from '../import/vscode/importService';
import { PollScheduler } from '../import/vscode/pollScheduler';
import { RecordDocuments } from '../import/vscode/recordDocuments';
import { ProfileFollower } from '../import/vscode/profileFollower';

export interface ImportsFeature {
  readonly model: ImportsModel;
  readonly service: ImportService;
  /** Profile assignment of registered devices, followed after registration. */
  readonly profiles: ProfileFollower;
  readonly tree: ImportsTreeProvider;
  readonly view: vscode.TreeView<ImportsNode>;
  readonly scheduler: PollScheduler;
  readonly records: RecordDocuments;
  /** Shows a run in the tree (opening the view), selected and expanded. */
  reveal(runId: string): Promise<void>;
}

export function registerImports(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, auth: AuthService, transport?: HttpTransport): ImportsFeature {
  const model = new ImportsModel();
  const service = new ImportService({
    auth,
    log,
    model,
    // Global storage: a run started in one window or workspace is visible, and resumable, from any other.
    journalDirectory: path.join(context.globalStorageUri.fsPath, 'journal'),
    readSettings: () => readImportSettings(),
    ...(transport ? { transport } : {}),
    userAgent: `autopilot-devices-vscode/${String((context.extension.packageJSON as { version?: string }).version ?? '0')}`,
  });
  // After registration, each device is followed until its deployment profile is assigned (or the time limit passes).
  const profiles = new ProfileFollower({
    model,
    log,
    useSession: (work) => service.useActiveSession(work),
    intervalMs: () => readImportSettings().engine.pollIntervalMs,
    timeLimitMs: () => readImportSettings().engine.timeLimitMs,
  });
  const tree = new ImportsTreeProvider(model, () => service.loadRuns(), profiles);
  // Two title buttons (Import, Refresh), the rest in the "…" menu: more would cut the view's title at the default width.
  const view = vscode.window.createTreeView(IMPORTS_VIEW_ID, { treeDataProvider: tree, canSelectMany: true });
  const scheduler = new PollScheduler({
    service,
    log,
    readSettings: () => readImportSettings(),
    view: { get visible() { return view.visible; }, onDidChangeVisibility: (listener) => view.onDidChangeVisibility(listener) },
  });
  const records = new RecordDocuments();

  const badge = model.onDidChange(() => {
    const processing = model.stillProcessing();
    view.badge = processing > 0 ? { value: processing, tooltip: vscode.l10n.t('{0} still processing', counted.devices(processing)) } : undefined;
  });
  // Restore after activation: read the journal (if there is one) so the tree shows the runs and polling resumes.
  const restore = setTimeout(() => {
    service
      .hasJournal()
      .then((journaled) => (journaled ? service.loadRuns() : undefined))
      .catch((error: unknown) => log.error(`Could not read the import journal: ${error instanceof Error ? error.message : String(error)}`));
  }, 0);

  context.subscriptions.push(
    service,
    profiles,
    tree,
    view,
    scheduler,
    records,
    { dispose: () => badge.dispose() },
    { dispose: () => clearTimeout(restore) },
    auth.onDidChange(() => scheduler.wake()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (IMPORT_SETTING_SECTIONS.some((section) => event.affectsConfiguration(section))) scheduler.wake();
    }),
  );

  return {
    model,
    service,
    profiles,
    tree,
    view,
    scheduler,
    records,
    reveal: async (runId) => {
      const node = tree.runNode(runId);
      const options = { select: true, focus: false, expand: true };
      // A run that has just started may not have reached the view yet, and VS Code ignores a reveal of a node it
      // does not have (the run would appear unselected): reveal once the view has listed it.
      const listed = tree.whenListed(runId);
      await view.reveal(node, options);
      if (!view.selection.includes(node)) {
        await listed;
        await view.reveal(node, options);
      }
    },
  };
}
