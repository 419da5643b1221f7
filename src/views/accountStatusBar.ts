/**
 * The status bar item for sign-in: the active account (click to switch), or a "Sign in" button. It reads the
 * AuthService and listens to it; it never signs in by itself.
 */
import * as vscode from 'vscode';
import { tenantLabel, type Account, type AuthService } from '../auth/authService';

export const ACCOUNT_STATUS_BAR_ID = 'autopilot.account';

export function accountLabel(account: Account): string {
  return account.kind === 'app' ? vscode.l10n.t('App {0}', account.label) : account.label;
}

export class AccountStatusBar implements vscode.Disposable {
  readonly item: vscode.StatusBarItem;
  private readonly subscription: { dispose(): void };

  constructor(private readonly auth: AuthService) {
    this.item = vscode.window.createStatusBarItem(ACCOUNT_STATUS_BAR_ID, vscode.StatusBarAlignment.Left, 10);
    this.item.name = vscode.l10n.t('Autopilot Account');
    this.subscription = auth.onDidChange(() => this.update());
    this.update();
    this.item.show();
  }

  update(): void {
    const active = this.auth.activeAccount;
    if (!active) {
      this.item.text = vscode.l10n.t('$(sign-in) Sign in to Intune');
      this.item.tooltip = this.auth.settingsProblem?.message ?? vscode.l10n.t('Autopilot Devices: sign in to import devices into Microsoft Intune.');
      this.item.command = 'autopilot.signIn';
      this.item.accessibilityInformation = { label: vscode.l10n.t('Autopilot: not signed in. Sign in to Intune.') };
      return;
    }
    const others = this.auth.accounts.length - 1;
    this.item.text = `$(${active.kind === 'app' ? 'server' : 'account'}) ${accountLabel(active)}`;
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendText(vscode.l10n.t('Autopilot Devices signed in as {0}', accountLabel(active)));
    tooltip.appendMarkdown('\n\n');
    tooltip.appendText(active.tenantName ? vscode.l10n.t('Tenant: {0} ({1})', active.tenantName, active.tenantId) : vscode.l10n.t('Tenant: {0}', active.tenantId));
    tooltip.appendMarkdown('\n\n');
    tooltip.appendText(
      others > 0 ? vscode.l10n.t('Click to switch between {0} signed-in accounts.', others + 1) : vscode.l10n.t('Click to switch account or sign out.'),
    );
    this.item.tooltip = tooltip;
    this.item.command = 'autopilot.selectAccount';
    this.item.accessibilityInformation = { label: vscode.l10n.t('Autopilot: signed in as {0} in tenant {1}. Switch account.', accountLabel(active), tenantLabel(active)) };
  }

  dispose(): void {
    this.subscription.dispose();
    this.item.dispose();
  }
}
