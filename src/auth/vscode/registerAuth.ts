/**
 * Builds the AuthService for this window: tokens in SecretStorage (shared with the other windows), the last chosen
 * account in globalState (an id, no secret), settings from the user's configuration, and the `autopilot.signedIn`
 * context key for menus and the welcome view.
 */
import * as vscode from 'vscode';
import type { HttpTransport } from '../../common/httpTransport';
import { AuthService, type ActiveAccountMemory } from '../authService';
import { AUTH_SETTING_KEYS, readAuthSettings } from './authSettings';
import { secretStoreFrom } from './secretStorageStore';

export const SIGNED_IN_CONTEXT_KEY = 'autopilot.signedIn';
const ACTIVE_ACCOUNT_KEY = 'autopilot.auth.activeAccount';

export function registerAuth(context: vscode.ExtensionContext, log: vscode.LogOutputChannel, transport?: HttpTransport): AuthService {
  const memory: ActiveAccountMemory = {
    get: () => context.globalState.get<string>(ACTIVE_ACCOUNT_KEY),
    set: (accountId) => context.globalState.update(ACTIVE_ACCOUNT_KEY, accountId),
  };
  const auth = new AuthService({ settings: readAuthSettings(), secrets: secretStoreFrom(context.secrets), log, memory, ...(transport ? { network: { transport } } : {}) });
  const updateContextKey = () => void vscode.commands.executeCommand('setContext', SIGNED_IN_CONTEXT_KEY, auth.activeAccount !== undefined);
  context.subscriptions.push(
    auth,
    auth.onDidChange(updateContextKey),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (AUTH_SETTING_KEYS.some((key) => event.affectsConfiguration(key))) void auth.updateSettings(readAuthSettings());
    }),
  );
  updateContextKey();
  void auth.reload();
  return auth;
}
