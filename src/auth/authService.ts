/**
 * Who is signed in, which account is active, and tokens for it: the one object the rest of the extension asks. It
 * knows nothing about VS Code; the glue in `auth/vscode/` hands it the secret store, the settings and a place to
 * remember the last active account.
 *
 * Accounts are per cloud: a user account lives in the MSAL cache of (client id, cloud), an app-only credential is
 * stored with its cloud's authority host. Switching cloud shows the accounts of the new cloud only.
 */
import type { Logger } from '../common/logger';
import type { AccessTokenRequest, GetAccessToken } from '../graph/accessToken';
import type { CloudEndpoints } from '../graph/clouds';
import { AppOnlyAuth, type AppCredential } from './appOnlyAuth';
import { cloudKey, delegatedScopes } from './authConfig';
import { authFailure, type AuthErrorContext } from './authErrors';
import type { CachedAccount } from './cachedAccounts';
import {
  DelegatedAuth,
  type AccessTokenResult,
  type DeviceCodeSignInOptions,
  type InteractiveSignInOptions,
  type TokenRequestOptions,
} from './delegatedAuth';
import { AuthNetworkClient, type AuthNetworkClientOptions } from './networkClient';
import type { Disposable, SecretStore } from './secretStore';

export interface AuthSettings {
  readonly endpoints: CloudEndpoints;
  readonly clientId: string;
  readonly tenantId: string;
}

/** Settings that cannot be used (a custom cloud without its URLs, say): no sign-in and no token until fixed. */
export class SettingsProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsProblem';
  }
}

export type AccountKind = 'user' | 'app';

export interface Account {
  readonly id: string;
  readonly kind: AccountKind;
  /** The user name, or the app's client id. */
  readonly label: string;
  readonly name?: string;
  readonly tenantId: string;
  /**
   * A verified domain of the tenant, where one is known: the user's own domain in their home tenant (a UPN suffix is
   * always a verified domain), or the domain an app signed in to. Entra's tokens carry only the tenant's id.
   */
  readonly tenantName?: string;
  readonly clientId: string;
}

/** How people read a tenant: its verified domain where known, else its id. */
export function tenantLabel(account: Pick<Account, 'tenantId' | 'tenantName'>): string {
  return account.tenantName ?? account.tenantId;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The user's domain when the account is in its home tenant (MSAL's home account id is `<object id>.<home tenant>`). */
function userTenantName(account: Pick<CachedAccount, 'homeAccountId' | 'tenantId' | 'username'>): string | undefined {
  const homeTenant = account.homeAccountId.split('.')[1];
  const domain = account.username.split('@')[1];
  return domain && homeTenant?.toLowerCase() === account.tenantId.toLowerCase() ? domain.toLowerCase() : undefined;
}

/** Remembers the last account chosen, so a new window starts with it (each window may then choose its own). */
export interface ActiveAccountMemory {
  get(): string | undefined;
  set(accountId: string | undefined): void | PromiseLike<void>;
}

export interface AuthServiceOptions {
  readonly settings: AuthSettings | SettingsProblem;
  readonly secrets: SecretStore;
  readonly log: Logger;
  readonly memory: ActiveAccountMemory;
  /** Extra options for the HTTP client MSAL uses (tests trust their CA here). */
  readonly network?: Omit<AuthNetworkClientOptions, 'log'>;
}

interface StoredAppCredential {
  readonly clientId: string;
  readonly tenantId: string;
  /** The verified domain the app signed in to, when it was named by one rather than by its id. */
  readonly tenantName?: string;
  readonly cloud: string;
  readonly credential: AppCredential;
}

export const APP_CREDENTIALS_KEY = 'autopilot.auth.appCredentials';

function userAccountId(account: Pick<CachedAccount, 'homeAccountId' | 'tenantId'>): string {
  return `user/${account.homeAccountId}@${account.tenantId}`;
}

function appAccountId(clientId: string, tenantId: string): string {
  return `app/${clientId.toLowerCase()}@${tenantId.toLowerCase()}`;
}

export class AuthService implements Disposable {
  private current: AuthSettings | SettingsProblem;
  private delegatedAuth: DelegatedAuth | undefined;
  private readonly network: AuthNetworkClient;
  private readonly appClients = new Map<string, AppOnlyAuth>();
  private knownAccounts: Account[] = [];
  private userAccounts = new Map<string, CachedAccount>();
  private appCredentials = new Map<string, StoredAppCredential>();
  private activeId: string | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly subscription: Disposable;
  private reloading: Promise<void> = Promise.resolve();

  /** `getAccessToken` for the Graph client: a token for the active account, scoped to the current cloud's Graph. */
  readonly getAccessToken: GetAccessToken = async (request?: AccessTokenRequest) =>
    (await this.getToken(undefined, { ...(request?.signal ? { signal: request.signal } : {}), forceRefresh: request?.forceRefresh ?? false })).accessToken;

  constructor(private readonly options: AuthServiceOptions) {
    this.current = options.settings;
    this.network = new AuthNetworkClient({ ...options.network, log: options.log });
    this.delegatedAuth = this.createDelegated();
    this.subscription = options.secrets.onDidChange((key) => {
      if (key === this.delegatedAuth?.cacheKey || key === APP_CREDENTIALS_KEY) void this.reload();
    });
  }

  /** The settings in force; throws the problem with them if they cannot be used. */
  get settings(): AuthSettings {
    if (this.current instanceof SettingsProblem) throw this.current;
    return this.current;
  }

  /** What is wrong with the settings, if anything (shown instead of signing in). */
  get settingsProblem(): SettingsProblem | undefined {
    return this.current instanceof SettingsProblem ? this.current : undefined;
  }

  get accounts(): readonly Account[] {
    return this.knownAccounts;
  }

  get activeAccount(): Account | undefined {
    return this.knownAccounts.find((account) => account.id === this.activeId);
  }

  onDidChange(listener: () => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Re-reads the stored accounts (at start, and whenever any window changed them). */
  reload(): Promise<void> {
    return this.loadInOrder().catch(() => undefined); // logged by loadInOrder
  }

  /**
   * Reads the accounts after every read already under way: two reads side by side could finish in the wrong order,
   * and one begun before a sign-in stored its account would then hide that account (seen as a sign-in that returned
   * nothing while another window's change was being read).
   */
  private loadInOrder(): Promise<void> {
    const next = this.reloading.then(() => this.load());
    this.reloading = next.catch((error: unknown) => this.options.log.error(`Could not read the signed-in accounts: ${String(error)}`));
    return next;
  }

  /** Applies changed settings; a different cloud or client id means different accounts and a fresh MSAL client. */
  async updateSettings(settings: AuthSettings | SettingsProblem): Promise<void> {
    this.current = settings;
    this.delegatedAuth = this.createDelegated();
    this.appClients.clear();
    if (settings instanceof SettingsProblem) {
      this.options.log.warn(`Sign-in is unavailable until the settings are fixed: ${settings.message}`);
    } else {
      this.options.log.info(`Sign-in now uses ${settings.endpoints.authorityHost} for ${settings.endpoints.graphRoot} (cloud: ${settings.endpoints.cloud}).`);
    }
    await this.reload();
  }

  async selectAccount(accountId: string): Promise<void> {
    if (!this.knownAccounts.some((account) => account.id === accountId)) throw new Error(`No signed-in account ${accountId}`);
    await this.activate(accountId);
  }

  async signInInteractive(options: InteractiveSignInOptions): Promise<Account> {
    const account = await this.delegated().signInInteractive(options);
    return this.afterUserSignIn(account);
  }

  async signInWithDeviceCode(options: DeviceCodeSignInOptions): Promise<Account> {
    const account = await this.delegated().signInWithDeviceCode(options);
    return this.afterUserSignIn(account);
  }

  /** Checks the app credential by getting a token with it, then stores it (secrets only in the secret store). */
  async signInApp(app: { clientId: string; tenantId: string; credential: AppCredential }, options: { signal?: AbortSignal } = {}): Promise<Account> {
    const client = this.createAppClient(app);
    const token = await client.getToken(options);
    const named = app.tenantId.trim();
    const stored: StoredAppCredential = {
      clientId: app.clientId,
      tenantId: token.tenantId,
      ...(named && !GUID.test(named) ? { tenantName: named.toLowerCase() } : {}),
      cloud: cloudKey(this.settings.endpoints),
      credential: app.credential,
    };
    const others = (await this.readAppCredentials()).filter((c) => !(c.cloud === stored.cloud && appAccountId(c.clientId, c.tenantId) === appAccountId(stored.clientId, stored.tenantId)));
    await this.options.secrets.store(APP_CREDENTIALS_KEY, JSON.stringify([...others, stored]));
    const id = appAccountId(stored.clientId, stored.tenantId);
    this.appClients.set(id, client);
    this.options.log.info(`Signed in as app ${app.clientId} (${app.credential.kind}) in tenant ${stored.tenantId}.`);
    await this.loadInOrder();
    await this.activate(id);
    return this.signedInAccount(id);
  }

  async signOut(accountId: string): Promise<void> {
    if (this.userAccounts.has(accountId)) {
      await this.delegated().signOut(this.userAccounts.get(accountId)!);
    } else if (this.appCredentials.has(accountId)) {
      const cloud = cloudKey(this.settings.endpoints);
      const remaining = (await this.readAppCredentials()).filter((c) => !(c.cloud === cloud && appAccountId(c.clientId, c.tenantId) === accountId));
      await this.options.secrets.store(APP_CREDENTIALS_KEY, JSON.stringify(remaining));
      this.appClients.delete(accountId);
      this.options.log.info('Signed out the app; its credential was removed from secret storage.');
    } else {
      throw new Error(`No signed-in account ${accountId}`);
    }
    await this.loadInOrder();
  }

  /**
   * A token for the active account. `scopes` default to the cloud's Intune scope; app-only tokens are always for
   * `<graph root>/.default`.
   */
  async getToken(scopes: readonly string[] | undefined, options: TokenRequestOptions = {}): Promise<AccessTokenResult> {
    await this.reloading;
    const active = this.activeAccount;
    if (!active) throw authFailure('notSignedIn', this.errorContext());
    const user = this.userAccounts.get(active.id);
    if (user) return this.delegated().getToken(user, scopes ?? delegatedScopes(this.settings.endpoints), options);
    return this.appClient(active.id).getToken(options);
  }

  dispose(): void {
    this.subscription.dispose();
    this.listeners.clear();
  }

  private createDelegated(): DelegatedAuth | undefined {
    if (this.current instanceof SettingsProblem) return undefined;
    const { clientId, tenantId, endpoints } = this.current;
    return new DelegatedAuth({ clientId, tenantId, endpoints, secrets: this.options.secrets, log: this.options.log, network: this.network });
  }

  private delegated(): DelegatedAuth {
    if (!this.delegatedAuth) throw this.settingsProblem ?? new Error('Sign-in is not configured.');
    return this.delegatedAuth;
  }

  private createAppClient(app: { clientId: string; tenantId: string; credential: AppCredential }): AppOnlyAuth {
    return new AppOnlyAuth({ ...app, endpoints: this.settings.endpoints, log: this.options.log, network: this.network });
  }

  private appClient(accountId: string): AppOnlyAuth {
    let client = this.appClients.get(accountId);
    if (!client) {
      const stored = this.appCredentials.get(accountId);
      if (!stored) throw authFailure('notSignedIn', this.errorContext());
      client = this.createAppClient(stored);
      this.appClients.set(accountId, client);
    }
    return client;
  }

  private errorContext(): AuthErrorContext {
    const { clientId, tenantId, endpoints } = this.settings;
    return { clientId, tenantId, endpoints, kind: 'user' };
  }

  private async afterUserSignIn(account: CachedAccount): Promise<Account> {
    await this.loadInOrder();
    const id = userAccountId(account);
    await this.activate(id);
    return this.signedInAccount(id);
  }

  /** The account a sign-in just stored; absent only when the settings changed meanwhile (other accounts apply). */
  private signedInAccount(id: string): Account {
    const account = this.knownAccounts.find((known) => known.id === id);
    if (!account) throw new Error('The sign-in finished, but the sign-in settings changed meanwhile; sign in again.');
    return account;
  }

  private async readAppCredentials(): Promise<StoredAppCredential[]> {
    const raw = await this.options.secrets.get(APP_CREDENTIALS_KEY);
    if (!raw) return [];
    try {
      const parsed = JSON.parse(raw) as unknown;
      return Array.isArray(parsed) ? (parsed as StoredAppCredential[]) : [];
    } catch {
      this.options.log.warn('The stored app credentials could not be read; sign in with the app again.');
      return [];
    }
  }

  private async load(): Promise<void> {
    const delegated = this.delegatedAuth;
    const users = delegated ? await delegated.accounts() : [];
    const cloud = delegated ? cloudKey(delegated.endpoints) : undefined;
    const apps = (await this.readAppCredentials()).filter((c) => c.cloud === cloud);
    if (delegated !== this.delegatedAuth) return; // settings changed meanwhile; that reload wins

    this.userAccounts = new Map(users.map((u) => [userAccountId(u), u]));
    this.appCredentials = new Map(apps.map((a) => [appAccountId(a.clientId, a.tenantId), a]));
    const accounts: Account[] = [
      ...users.map((u): Account => {
        const tenantName = userTenantName(u);
        return {
          id: userAccountId(u), kind: 'user', label: u.username, tenantId: u.tenantId, clientId: delegated!.clientId,
          ...(tenantName ? { tenantName } : {}),
          ...(u.name ? { name: u.name } : {}),
        };
      }),
      ...apps.map((a): Account => ({
        id: appAccountId(a.clientId, a.tenantId), kind: 'app', label: a.clientId, tenantId: a.tenantId, clientId: a.clientId,
        ...(a.tenantName ? { tenantName: a.tenantName } : {}),
      })),
    ];
    const before = JSON.stringify([this.knownAccounts, this.activeId]);
    this.knownAccounts = accounts;
    const ids = new Set(accounts.map((a) => a.id));
    const remembered = this.options.memory.get();
    if (!this.activeId || !ids.has(this.activeId)) {
      this.activeId = remembered && ids.has(remembered) ? remembered : accounts[0]?.id;
    }
    for (const id of this.appClients.keys()) if (!ids.has(id)) this.appClients.delete(id);
    if (JSON.stringify([this.knownAccounts, this.activeId]) !== before) this.fire();
  }

  private async activate(accountId: string): Promise<void> {
    const changed = this.activeId !== accountId;
    this.activeId = accountId;
    await this.options.memory.set(accountId);
    if (changed) this.fire();
  }

  private fire(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch (error) {
        this.options.log.error(`An account-change listener failed: ${String(error)}`);
      }
    }
  }
}
