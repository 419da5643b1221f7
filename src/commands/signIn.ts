/**
 * `autopilot.signIn`: choose how (unless `autopilot.auth.flow` says), then sign in under a cancellable progress
 * notification. Arguments `{ flow?, tenantId? }` skip the questions they answer (the account picker passes a
 * tenant; scripts and tests may pass a flow).
 */
import * as vscode from 'vscode';
import { UserCancelledError } from '../common/errors';
import { tenantLabel, type Account } from '../auth/authService';
import { SIGN_IN_FLOWS, configuredCertificatePath, configuredFlow, type SignInFlow } from '../auth/vscode/authSettings';
import { deviceCodeMessage, offerDeviceCode } from '../auth/vscode/deviceCodeOffer';
import { askAppCredential, openInBrowser, pickFlow, withCancellableProgress } from '../auth/vscode/signInPrompts';
import type { ExtensionServices } from '../services';
import { accountLabel } from '../views/accountStatusBar';

/** How long the browser may take before the sign-in gives up and frees the loopback port. */
export const BROWSER_SIGN_IN_TIME_LIMIT_MS = 5 * 60_000;

export interface SignInArguments {
  readonly flow?: SignInFlow;
  readonly tenantId?: string;
  /** Delegated permissions to consent to, beyond the Intune one (incremental consent, asked when first needed). */
  readonly permissions?: readonly string[];
}

function parseArguments(value: unknown): SignInArguments {
  if (!value || typeof value !== 'object') return {};
  const { flow, tenantId, permissions } = value as Record<string, unknown>;
  return {
    ...(Array.isArray(permissions) && permissions.every((p) => typeof p === 'string') ? { permissions: permissions as string[] } : {}),
    ...(typeof flow === 'string' && SIGN_IN_FLOWS.includes(flow as SignInFlow) ? { flow: flow as SignInFlow } : {}),
    ...(typeof tenantId === 'string' && tenantId.trim() ? { tenantId: tenantId.trim() } : {}),
  };
}

export async function signIn(services: ExtensionServices, rawArguments?: unknown): Promise<Account> {
  const { auth } = services;
  const settings = auth.settings; // throws the settings problem, if any, before asking anything
  const args = parseArguments(rawArguments);
  const configured = configuredFlow();
  const flow = args.flow ?? (configured === 'ask' ? await pickFlow() : configured);
  const tenant = { ...(args.tenantId ? { tenantId: args.tenantId } : {}), ...(args.permissions?.length ? { permissions: args.permissions } : {}) };

  let account: Account;
  switch (flow) {
    case 'interactive':
      account = await withCancellableProgress(vscode.l10n.t('Signing in: finish in your browser…'), (signal) =>
        auth.signInInteractive({ openBrowser: openInBrowser, signal, timeoutMs: BROWSER_SIGN_IN_TIME_LIMIT_MS, ...tenant }),
      );
      break;
    case 'deviceCode': {
      // One notification shows the code, offers "Copy code and open", and closes when the sign-in ends.
      const offers: vscode.Disposable[] = [];
      try {
        account = await withCancellableProgress(vscode.l10n.t('Signing in with a device code'), (signal, report) =>
          auth.signInWithDeviceCode({
            signal,
            ...tenant,
            onDeviceCode: (prompt) => {
              offers.push(offerDeviceCode(prompt));
              report(deviceCodeMessage(prompt));
            },
          }),
        );
      } finally {
        for (const offer of offers) offer.dispose();
      }
      break;
    }
    case 'clientSecret':
    case 'clientCertificate': {
      // An app's permissions are granted by an administrator in Entra ID, never at a prompt.
      if (args.permissions?.length) throw new Error(vscode.l10n.t('Apps get Microsoft Graph permissions from an administrator (API permissions, with admin consent): grant {0} to the app in Entra ID.', args.permissions.join(', ')));
      const app = await askAppCredential(flow, settings, configuredCertificatePath());
      account = await withCancellableProgress(vscode.l10n.t("Checking the app's credentials…"), (signal) => auth.signInApp(app, { signal }));
      break;
    }
  }
  void vscode.window.showInformationMessage(
    args.permissions?.length
      ? vscode.l10n.t('{0} granted {1} to Autopilot Devices.', accountLabel(account), args.permissions.join(', '))
      : vscode.l10n.t('Signed in to Microsoft Intune as {0} (tenant {1}).', accountLabel(account), tenantLabel(account)),
  );
  return account;
}

/** Before an import: asks the user to sign in when nobody is (a modal they may cancel), and signs in. */
export async function ensureSignedIn(services: ExtensionServices, name: string): Promise<void> {
  if (services.auth.activeAccount) return;
  void services.auth.settings; // a settings problem is the real reason: say that instead
  const signInChoice = vscode.l10n.t('Sign In');
  const choice = await vscode.window.showInformationMessage(
    vscode.l10n.t('Sign in to Microsoft Intune to import {0}.', name),
    { modal: true, detail: vscode.l10n.t('The devices are imported into the tenant of the account you sign in with.') },
    signInChoice,
  );
  if (choice !== signInChoice) throw new UserCancelledError();
  await signIn(services);
}
