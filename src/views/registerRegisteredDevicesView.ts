/**
 * Wires the Autopilot Devices view into the window: the tree (listed when first shown, page by page with a progress
 * indicator on the view and a message saying how many have arrived), its title (tenant and filter), the context keys
 * its menus use, and the offer to finish a bulk change a closed window left with devices pending (made once the list
 * is read, when the view first shows). Nothing here calls Graph during activation.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AuthService } from '../auth/authService';
import { AuthFailure } from '../auth/authErrors';
import { oneLineMessage } from '../common/errors';
import { ConsentNeededError } from '../import/errors';
import { RegisteredDevicesModel } from '../import/vscode/registeredDevicesModel';
import { RegisteredDevicesService } from '../import/vscode/registeredDevicesService';
import { AccountChangedError } from '../import/vscode/engineSessions';
import { DEVICES_VIEW_ID, RegisteredDevicesTreeProvider, type RegisteredDevicesNode } from './registeredDevicesTreeProvider';
import type { ImportsFeature } from './registerImportsView';
import { registerListView } from './registerListView';
import { changeName } from './registeredDevicePresentation';

export interface RegisteredDevicesFeature {
  readonly model: RegisteredDevicesModel;
  readonly service: RegisteredDevicesService;
  readonly tree: RegisteredDevicesTreeProvider;
  readonly view: vscode.TreeView<RegisteredDevicesNode>;
  /** Offers to finish this tenant's interrupted changes not offered yet; resolves with the run ids offered. */
  readonly offerToFinish: () => Promise<string[]>;
}

/** How long a retire waits for Intune to release the registration after the managed device, and how often it asks. */
function retireWait(configuration = vscode.workspace.getConfiguration('autopilot')): { retireWaitMs: number; retryIntervalMs: number } {
  const minutes = configuration.get<number>('retire.waitMinutes', 15);
  const seconds = configuration.get<number>('retire.retrySeconds', 15);
  return {
    retireWaitMs: Math.max(0, Number.isFinite(minutes) ? minutes : 15) * 60_000,
    retryIntervalMs: Math.max(0.1, Number.isFinite(seconds) ? seconds : 15) * 1000,
  };
}

export function registerRegisteredDevices(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, auth: AuthService, importing: ImportsFeature): RegisteredDevicesFeature {
  const model = new RegisteredDevicesModel();
  const service = new RegisteredDevicesService({
    model,
    log,
    journalDirectory: path.join(context.globalStorageUri.fsPath, 'journal'),
    useSession: (work) => importing.service.useActiveSession(work),
    tokensFor: (session, permissions) => async (request) => {
      const active = auth.activeAccount;
      if (active?.id !== session.account.id) throw new AccountChangedError(session.account, active);
      const scopes = permissions.map((permission) => `${session.graphRoot}/${permission}`);
      try {
        return (await auth.getToken(scopes, { ...(request?.signal ? { signal: request.signal } : {}), forceRefresh: request?.forceRefresh ?? false })).accessToken;
      } catch (error) {
        // No consent yet for these permissions: the command asks the user, then tries again (incremental consent).
        if (error instanceof AuthFailure && (error.reason === 'consentMissing' || error.reason === 'sessionExpired')) throw new ConsentNeededError(permissions, error);
        throw error;
      }
    },
    retireWait: () => retireWait(),
  });

  let progress: { done: () => void } | undefined;
  const showProgress = () => {
    if (model.state !== 'reading' || progress) return;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    progress = { done };
    void vscode.window.withProgress({ location: { viewId: DEVICES_VIEW_ID } }, () => finished);
  };
  /** Lists the tenant once (the view shows it page by page), then offers to finish changes a closed window left. */
  const load = () => {
    // Signed out, the welcome view says what to do; the list is read once someone signs in.
    if (!auth.activeAccount) return;
    void service
      .load()
      .then(() => offerToFinish())
      .catch((error: unknown) => log.warn(`Listing registered devices failed: ${error instanceof Error ? error.message : String(error)}`));
  };
  const tree = new RegisteredDevicesTreeProvider(model, load);
  const { view, offerToFinish } = registerListView(context, auth, {
    viewId: DEVICES_VIEW_ID,
    tree,
    model,
    service,
    showState: (view) => {
      if (model.state !== 'reading' && progress) {
        progress.done();
        progress = undefined;
      }
      showProgress();
      const size = model.size;
      const count = (value: number) => value.toLocaleString(vscode.env.language);
      void vscode.commands.executeCommand('setContext', 'autopilot.devices.listed', model.state === 'read');
      void vscode.commands.executeCommand('setContext', 'autopilot.devices.filtered', model.filter !== undefined);
      const filter = model.filter ? vscode.l10n.t('{0} of {1} match "{2}"', count(model.shown().length), count(size), model.filter.text) : undefined;
      view.description = [model.tenant, filter].filter(Boolean).join(' · ') || undefined;
      view.message =
        model.state === 'failed'
          ? vscode.l10n.t('Could not list the registered devices: {0}', oneLineMessage(model.problem ?? ''))
          : model.state === 'reading'
            ? vscode.l10n.t('Listing registered devices… {0} so far ({1} requests)', count(size), model.requests)
            : model.state === 'read' && !model.complete
              ? vscode.l10n.t('Graph repeated a page while listing: some devices may be missing. Refresh to list again.')
              : model.state === 'read' && size === 0
                ? vscode.l10n.t('This tenant has no registered Autopilot devices yet.')
                : undefined;
    },
    unfinished: {
      list: () => service.unfinished(),
      sentence: (run) =>
        vscode.l10n.t(
          '{0} was interrupted with {1} of {2} devices not done. Continuing skips what was done and checks a device whose request got no answer before sending anything again.',
          changeName(run),
          run.counts.pending,
          run.devices.length,
        ),
      button: vscode.l10n.t('Continue Change'),
      command: 'autopilot.continueDeviceChange',
    },
    // Its list comes from its own cache (listed once, when the view shows).
    onAccountChanged: (view) => {
      if (auth.activeAccount && view.visible) load();
    },
  });
  context.subscriptions.push({ dispose: () => progress?.done() });

  return { model, service, tree, view, offerToFinish };
}
