/**
 * Signing in as a user with MSAL's public client: the system browser with a loopback redirect, or a device code.
 * This is the only file that touches `PublicClientApplication` (later msal-node 7.x releases announce removing it;
 * everything else talks to the small interface below).
 */
import { randomUUID } from 'node:crypto';
import * as l10n from '@vscode/l10n';
import type { AccountInfo, AuthenticationResult, PublicClientApplication } from '@azure/msal-node';
import type { Logger } from '../common/logger';
import type { CloudEndpoints } from '../graph/clouds';
import { authorityUrl, cloudKey, delegatedScopes } from './authConfig';
import { authFailure, describeAuthError, type AuthErrorContext } from './authErrors';
import { accountsInSerializedCache, type CachedAccount } from './cachedAccounts';
import { raceCancellation, throwIfAborted } from './cancellation';
import { loadMsal, msalConfiguration } from './msalRuntime';
import type { AuthNetworkClient } from './networkClient';
import type { SecretStore } from './secretStore';
import { SecretStoreCachePlugin } from './tokenCachePlugin';

export interface AccessTokenResult {
  readonly accessToken: string;
  readonly expiresOn?: Date;
}

export interface DeviceCodePrompt {
  readonly userCode: string;
  readonly verificationUri: string;
  readonly expiresInSeconds: number;
}

export interface TokenRequestOptions {
  readonly signal?: AbortSignal;
  readonly forceRefresh?: boolean;
}

export interface DelegatedAuthOptions {
  readonly clientId: string;
  /** Tenant for new sign-ins unless one is named per sign-in (`organizations`: the user's home tenant). */
  readonly tenantId: string;
  readonly endpoints: CloudEndpoints;
  readonly secrets: SecretStore;
  readonly log: Logger;
  readonly network: AuthNetworkClient;
}

export interface InteractiveSignInOptions {
  /** Opens the authorize URL in the system browser (in VS Code: `env.openExternal`). */
  readonly openBrowser: (url: string) => Promise<void>;
  readonly signal?: AbortSignal;
  readonly timeoutMs: number;
  readonly tenantId?: string;
  /** Extra delegated permissions to consent to now (incremental consent), e.g. `GroupMember.ReadWrite.All`. */
  readonly permissions?: readonly string[];
}

export interface DeviceCodeSignInOptions {
  /** Shows the code and where to enter it. The code is for the user's eyes only: never log it. */
  readonly onDeviceCode: (prompt: DeviceCodePrompt) => void;
  readonly signal?: AbortSignal;
  readonly tenantId?: string;
  /** Extra delegated permissions to consent to now (incremental consent). */
  readonly permissions?: readonly string[];
}

/** The secret-storage key of a client id's token cache in one cloud: caches of different clouds never mix. */
export function tokenCacheKey(clientId: string, endpoints: CloudEndpoints): string {
  return `autopilot.auth.tokenCache/${clientId.toLowerCase()}/${cloudKey(endpoints)}`;
}

function successPage(): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Autopilot Devices</title></head><body style="font-family:sans-serif"><p>${l10n.t(
    'You are signed in to Autopilot Devices. You can close this tab and return to VS Code.',
  )}</p></body></html>`;
}

function errorPage(): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>Autopilot Devices</title></head><body style="font-family:sans-serif"><p>${l10n.t(
    'Sign-in did not complete. Return to VS Code to see what happened.',
  )}</p></body></html>`;
}

export class DelegatedAuth {
  readonly cacheKey: string;
  private app: Promise<PublicClientApplication> | undefined;

  constructor(private readonly options: DelegatedAuthOptions) {
    this.cacheKey = tokenCacheKey(options.clientId, options.endpoints);
  }

  get endpoints(): CloudEndpoints {
    return this.options.endpoints;
  }

  get clientId(): string {
    return this.options.clientId;
  }

  /** Signed-in accounts, one per tenant, straight from the stored cache (MSAL is not loaded for this). */
  async accounts(): Promise<CachedAccount[]> {
    return accountsInSerializedCache(await this.options.secrets.get(this.cacheKey));
  }

  async signInInteractive(request: InteractiveSignInOptions): Promise<CachedAccount> {
    const tenantId = request.tenantId ?? this.options.tenantId;
    const context = this.errorContext(tenantId);
    throwIfAborted(request.signal);
    const app = await this.client();
    let authorizeUrl: string | undefined;
    const correlationId = randomUUID();
    const signIn = app.acquireTokenInteractive({
      scopes: this.scopes(request.permissions),
      authority: authorityUrl(this.options.endpoints, tenantId),
      prompt: request.permissions?.length ? 'consent' : 'select_account',
      correlationId,
      successTemplate: successPage(),
      errorTemplate: errorPage(),
      openBrowser: async (url) => {
        authorizeUrl = url;
        this.options.log.info(`Opening the browser for sign-in at ${new URL(url).origin}.`);
        await request.openBrowser(url);
      },
    });
    try {
      const result = await raceCancellation(signIn, {
        signal: request.signal,
        timeoutMs: request.timeoutMs,
        onAbort: () => void releaseLoopback(authorizeUrl),
        onTimeout: () => authFailure('browserTimedOut', context),
      });
      return this.signedIn(result);
    } catch (error) {
      // MSAL's own promise settles once the loopback listener is released; nobody waits for it any more.
      signIn.catch(() => undefined);
      throw this.describe(error, context, correlationId);
    }
  }

  async signInWithDeviceCode(request: DeviceCodeSignInOptions): Promise<CachedAccount> {
    const tenantId = request.tenantId ?? this.options.tenantId;
    throwIfAborted(request.signal);
    const app = await this.client();
    const correlationId = randomUUID();
    let minutes: number | undefined;
    const deviceCodeRequest = {
      scopes: this.scopes(request.permissions),
      authority: authorityUrl(this.options.endpoints, tenantId),
      correlationId,
      cancel: false,
      deviceCodeCallback: (response: { userCode?: string; verificationUri?: string; expiresIn?: number }) => {
        if (!response.userCode || !response.verificationUri) {
          // Entra refused to issue a code; MSAL would go on polling with nothing. The network client kept the reason.
          throw new Error('The device code endpoint returned no code.');
        }
        minutes = Math.max(1, Math.round((response.expiresIn ?? 900) / 60));
        this.options.log.info(`Waiting for the device code to be entered at ${response.verificationUri} (valid for ${minutes} minutes).`);
        request.onDeviceCode({ userCode: response.userCode, verificationUri: response.verificationUri, expiresInSeconds: response.expiresIn ?? 900 });
      },
    };
    const signIn = app.acquireTokenByDeviceCode(deviceCodeRequest);
    try {
      const result = await raceCancellation(signIn, {
        signal: request.signal,
        // MSAL checks this flag before each poll, so polling stops at the next interval.
        onAbort: () => (deviceCodeRequest.cancel = true),
      });
      if (!result) throw new Error('MSAL returned no result for the device code flow.');
      return this.signedIn(result);
    } catch (error) {
      // After a cancel MSAL polls once more at most, then its own promise settles: the polling is over.
      const over = () => this.options.log.debug('Device code sign-in: polling stopped.');
      signIn.then(over, over);
      throw this.describe(error, { ...this.errorContext(tenantId), ...(minutes ? { deviceCodeMinutes: minutes } : {}) }, correlationId);
    }
  }

  /** A token for `account` from the cache, refreshed with its refresh token when it expired (or when forced). */
  async getToken(account: Pick<CachedAccount, 'homeAccountId' | 'tenantId'>, scopes: readonly string[], options: TokenRequestOptions = {}): Promise<AccessTokenResult> {
    const context = this.errorContext(account.tenantId);
    throwIfAborted(options.signal);
    const app = await this.client();
    const correlationId = randomUUID();
    try {
      // MSAL lists one AccountInfo per tenant the account signed in to; the tenant's own one picks its tokens.
      const msalAccount = (await app.getAllAccounts()).find((a) => a.homeAccountId === account.homeAccountId && a.tenantId === account.tenantId);
      if (!msalAccount) throw authFailure('sessionExpired', context);
      const result = await raceCancellation(
        app.acquireTokenSilent({
          account: msalAccount,
          scopes: [...scopes],
          authority: authorityUrl(this.options.endpoints, account.tenantId),
          forceRefresh: options.forceRefresh ?? false,
          correlationId,
        }),
        { signal: options.signal },
      );
      return { accessToken: result.accessToken, ...(result.expiresOn ? { expiresOn: result.expiresOn } : {}) };
    } catch (error) {
      throw this.describe(error, context, correlationId);
    }
  }

  /** Removes the account (in every tenant it signed in to) and all its tokens from the stored cache. */
  async signOut(account: Pick<CachedAccount, 'homeAccountId'>): Promise<void> {
    const app = await this.client();
    const cache = app.getTokenCache();
    const msalAccount: AccountInfo | null = await cache.getAccountByHomeId(account.homeAccountId);
    if (msalAccount) await cache.removeAccount(msalAccount);
    this.options.log.info('Signed out; the account and its tokens were removed from secret storage.');
  }

  private signedIn(result: AuthenticationResult): CachedAccount {
    const account = result.account;
    if (!account) throw new Error('MSAL returned a token without an account.');
    this.options.log.info(`Signed in to tenant ${result.tenantId || account.tenantId}.`);
    return {
      homeAccountId: account.homeAccountId,
      tenantId: result.tenantId || account.tenantId,
      username: account.username,
      environment: account.environment,
      ...(account.name ? { name: account.name } : {}),
    };
  }

  /** The Intune scope, or these permissions of the same Graph (Entra issues a token for one resource at a time). */
  private scopes(permissions: readonly string[] | undefined): string[] {
    return permissions?.length ? permissions.map((permission) => `${this.options.endpoints.graphRoot}/${permission}`) : delegatedScopes(this.options.endpoints);
  }

  private errorContext(tenantId: string): AuthErrorContext {
    return { clientId: this.options.clientId, tenantId, endpoints: this.options.endpoints, kind: 'user' };
  }

  private describe(error: unknown, context: AuthErrorContext, correlationId: string): Error {
    const network = this.options.network;
    const server = network.serverError(correlationId, authorityUrl(this.options.endpoints, context.tenantId));
    return describeAuthError(error, context, this.options.log, server, network.lastTransportFailure);
  }

  private client(): Promise<PublicClientApplication> {
    this.app ??= loadMsal().then(
      (msal) =>
        new msal.PublicClientApplication(
          msalConfiguration({
            ...this.options,
            cachePlugin: new SecretStoreCachePlugin(this.options.secrets, this.cacheKey, this.options.log),
          }),
        ),
    );
    return this.app;
  }
}

/**
 * MSAL keeps its loopback listener open until a response arrives, so a cancelled or timed-out sign-in answers it
 * the way Entra would when the user cancels, which lets MSAL close the port.
 */
async function releaseLoopback(authorizeUrl: string | undefined): Promise<void> {
  if (!authorizeUrl) return;
  const query = new URL(authorizeUrl).searchParams;
  const redirect = query.get('redirect_uri');
  const state = query.get('state');
  if (!redirect || !state) return;
  const loopback = new URL(redirect);
  loopback.hostname = '127.0.0.1';
  try {
    await fetch(loopback, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ error: 'user_cancelled', state }).toString(),
    });
  } catch {
    // Already closed.
  }
}
