/**
 * `autopilot.signOut [accountId]`: removes an account's tokens (or an app's stored credential) from secret storage.
 * With one account it signs that one out; with several it asks which.
 */
import * as vscode from 'vscode';
import { UserCancelledError } from '../common/errors';
import type { Account } from '../auth/authService';
import type { ExtensionServices } from '../services';
import { accountLabel } from '../views/accountStatusBar';

export async function signOut(services: ExtensionServices, accountId?: unknown): Promise<void> {
  const { auth } = services;
  const accounts = auth.accounts;
  if (accounts.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('You are not signed in.'));
    return;
  }
  let target: Account | undefined = typeof accountId === 'string' ? accounts.find((a) => a.id === accountId) : undefined;
  if (!target && accounts.length === 1) target = accounts[0];
  if (!target) {
    const picked = await vscode.window.showQuickPick(
      accounts.map((account) => ({
        account,
        label: accountLabel(account),
        description: account.id === auth.activeAccount?.id ? vscode.l10n.t('active') : undefined,
        detail: vscode.l10n.t('Tenant {0}', account.tenantId),
      })),
      { title: vscode.l10n.t('Sign out'), placeHolder: vscode.l10n.t('Which account should be signed out?') },
    );
    if (!picked) throw new UserCancelledError();
    target = picked.account;
  }
  await auth.signOut(target.id);
  void vscode.window.showInformationMessage(
    target.kind === 'user'
      ? vscode.l10n.t('Signed out {0} from every tenant; its tokens were removed from this computer.', accountLabel(target))
      : vscode.l10n.t('Signed out {0}; its secret was removed from this computer.', accountLabel(target)),
  );
}
