/**
 * `autopilot.selectAccount` (the status bar item's click): switch between signed-in accounts and tenants, sign in
 * to another one, or sign out.
 */
import * as vscode from 'vscode';
import { UserCancelledError } from '../common/errors';
import { tenantLabel, type Account } from '../auth/authService';
import { askTenant } from '../auth/vscode/signInPrompts';
import type { ExtensionServices } from '../services';
import { accountLabel } from '../views/accountStatusBar';
import { signIn } from './signIn';
import { signOut } from './signOut';

type Choice = vscode.QuickPickItem & { readonly account?: Account; readonly action?: 'signIn' | 'otherTenant' | 'signOut' };

export async function selectAccount(services: ExtensionServices): Promise<void> {
  const { auth } = services;
  const active = auth.activeAccount;
  const choices: Choice[] = [
    ...auth.accounts.map((account): Choice => ({
      account,
      label: `${account.id === active?.id ? '$(check)' : '$(blank)'} ${accountLabel(account)}`,
      description: vscode.l10n.t('tenant {0}', tenantLabel(account)),
    })),
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { action: 'signIn', label: vscode.l10n.t('$(add) Sign in with another account…') },
    { action: 'otherTenant', label: vscode.l10n.t('$(organization) Sign in to another tenant…') },
    ...(auth.accounts.length > 0 ? [{ action: 'signOut' as const, label: vscode.l10n.t('$(sign-out) Sign out…') }] : []),
  ];
  const picked = await vscode.window.showQuickPick(choices, {
    title: vscode.l10n.t('Autopilot account'),
    placeHolder: vscode.l10n.t('Choose the account and tenant to import devices into'),
  });
  if (!picked) throw new UserCancelledError();
  if (picked.account) return auth.selectAccount(picked.account.id);
  switch (picked.action) {
    case 'signIn':
      await signIn(services);
      return;
    case 'otherTenant':
      await signIn(services, { tenantId: await askTenant() });
      return;
    case 'signOut':
      return signOut(services);
    default:
      return;
  }
}
