/** What the user sees while signing in: the choice of method, the device code, the app's credentials, progress. */
import * as vscode from 'vscode';
import { UserCancelledError } from '../../common/errors';
import type { AppCredential } from '../appOnlyAuth';
import { DEFAULT_CLIENT_ID, isTenantNeutral } from '../authConfig';
import type { AuthSettings } from '../authService';
import type { SignInFlow } from './authSettings';

interface FlowItem extends vscode.QuickPickItem {
  readonly flow: SignInFlow;
}

/**
 * The sign-in methods, best first: the device code where the browser redirect cannot reach this machine (Remote-SSH,
 * Codespaces, code-server, vscode.dev), the browser otherwise.
 */
export function flowChoices(remote: boolean): FlowItem[] {
  const browser: FlowItem = {
    flow: 'interactive',
    label: vscode.l10n.t('$(globe) Sign in with a browser'),
    detail: vscode.l10n.t('Opens your default browser and returns here when you are signed in.'),
  };
  const deviceCode: FlowItem = {
    flow: 'deviceCode',
    label: vscode.l10n.t('$(key) Sign in with a device code'),
    detail: vscode.l10n.t('Enter a code at Microsoft on any device; works over Remote-SSH, Codespaces and code-server.'),
  };
  const apps: FlowItem[] = [
    {
      flow: 'clientSecret',
      label: vscode.l10n.t('$(server) Sign in as an app with a client secret'),
      detail: vscode.l10n.t("App-only: uses the app registration's application permissions."),
    },
    {
      flow: 'clientCertificate',
      label: vscode.l10n.t('$(lock) Sign in as an app with a certificate'),
      detail: vscode.l10n.t('App-only, with a PEM file holding the private key and certificate.'),
    },
  ];
  return remote ? [deviceCode, browser, ...apps] : [browser, deviceCode, ...apps];
}

export function isRemoteOrWeb(): boolean {
  return vscode.env.remoteName !== undefined || vscode.env.uiKind === vscode.UIKind.Web;
}

export async function pickFlow(): Promise<SignInFlow> {
  const picked = await vscode.window.showQuickPick(flowChoices(isRemoteOrWeb()), {
    title: vscode.l10n.t('Sign in to Microsoft Intune'),
    placeHolder: vscode.l10n.t('How do you want to sign in?'),
    ignoreFocusOut: true,
  });
  if (!picked) throw new UserCancelledError();
  return picked.flow;
}

export async function openInBrowser(url: string): Promise<void> {
  const opened = await vscode.env.openExternal(vscode.Uri.parse(url, true));
  if (!opened) throw new UserCancelledError();
}

/** Runs `work` under a cancellable notification; cancelling aborts its signal. */
export function withCancellableProgress<T>(title: string, work: (signal: AbortSignal, report: (message: string) => void) => Promise<T>): Thenable<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    return work(controller.signal, (message) => progress.report({ message })).finally(() => subscription.dispose());
  });
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function ask(options: vscode.InputBoxOptions): Promise<string> {
  const value = await vscode.window.showInputBox({ ignoreFocusOut: true, ...options });
  if (value === undefined) throw new UserCancelledError();
  return value.trim();
}

/** A tenant to sign in to: an id or a verified domain. */
export async function askTenant(suggestion?: string): Promise<string> {
  return ask({
    title: vscode.l10n.t('Tenant'),
    prompt: vscode.l10n.t('The tenant ID or a verified domain, such as contoso.onmicrosoft.com.'),
    ...(suggestion ? { value: suggestion } : {}),
    validateInput: (value) =>
      !value.trim() || isTenantNeutral(value.trim()) ? vscode.l10n.t('Enter a tenant ID or domain (not organizations or common).') : undefined,
  });
}

/** The app's client id, its tenant, and its secret (password input) or certificate (a PEM file). */
export async function askAppCredential(
  kind: 'clientSecret' | 'clientCertificate',
  settings: AuthSettings,
  certificatePathSetting: string,
): Promise<{ clientId: string; tenantId: string; credential: AppCredential }> {
  const clientId = await ask({
    title: vscode.l10n.t('App registration'),
    prompt: vscode.l10n.t('The application (client) ID of your app registration.'),
    ...(settings.clientId !== DEFAULT_CLIENT_ID ? { value: settings.clientId } : {}),
    validateInput: (value) => (GUID.test(value.trim()) ? undefined : vscode.l10n.t('An application ID looks like 00000000-0000-0000-0000-000000000000.')),
  });
  const tenantId = await askTenant(isTenantNeutral(settings.tenantId) ? undefined : settings.tenantId);
  if (kind === 'clientSecret') {
    const secret = await ask({
      title: vscode.l10n.t('Client secret'),
      prompt: vscode.l10n.t("The secret's Value (not its Secret ID). It is kept in VS Code's secret storage."),
      password: true,
      validateInput: (value) => (value.trim() ? undefined : vscode.l10n.t('Paste the client secret.')),
    });
    return { clientId, tenantId, credential: { kind: 'secret', secret } };
  }
  let certificatePath = certificatePathSetting;
  if (!certificatePath) {
    const picked = await vscode.window.showOpenDialog({
      title: vscode.l10n.t('Certificate (PEM with private key)'),
      canSelectMany: false,
      filters: { [vscode.l10n.t('PEM files')]: ['pem', 'crt', 'key'] },
    });
    if (!picked?.[0]) throw new UserCancelledError();
    certificatePath = picked[0].fsPath;
  }
  return { clientId, tenantId, credential: { kind: 'certificate', certificatePath } };
}
