/**
 * The import engine and its Graph client for the active account, built on first use (the Graph client, node-fetch
 * and the engine load with `await import`, not at activation) and rebuilt when the account, the cloud or an import
 * setting changes. Runs already under way keep the engine they started with.
 */
import * as l10n from '@vscode/l10n';
import type { Account, AuthService } from '../auth/authService';
import { AuthFailure } from '../auth/authErrors';
import type { HttpTransport } from '../common/httpTransport';
import type { Logger } from '../common/logger';
import type { GetAccessToken } from '../graph/accessToken';
import type { GraphClient } from '../graph/client';
import type { WriteBudget } from '../graph/writeBudget';
import type { ImportEngine } from '../import/engine';
import type { RunTenant } from '../import/journal';
import type { ImportSettings } from './importSettings';

export interface EngineSession {
  readonly engine: ImportEngine;
  readonly account: Account;
  readonly tenant: RunTenant;
  readonly graphRoot: string;
}

export interface EngineSessionsOptions {
  readonly auth: AuthService;
  readonly log: Logger;
  readonly journalDirectory: string;
  readonly readSettings: () => ImportSettings;
  readonly userAgent: string;
  /** How Graph requests leave the process (in VS Code: through VS Code's proxy support). */
  readonly transport?: HttpTransport;
  /** Told about every engine built, so its events reach the tree. */
  readonly onEngine: (engine: ImportEngine) => void;
}

/** The tenant of an account, named by the account's own domain when that is its home tenant. */
export function runTenantOf(account: Account): RunTenant {
  // MSAL's home account id is `<object id>.<home tenant id>`; the service prefixes it with `user/` and adds `@<tenant>`.
  const home = /^user\/[^.@]+\.([^@]+)@/.exec(account.id)?.[1];
  const domain = account.kind === 'user' ? account.label.split('@')[1] : undefined;
  return { id: account.tenantId, label: domain && home?.toLowerCase() === account.tenantId.toLowerCase() ? domain : account.tenantId };
}

/** A Graph root the way the Graph client and the journal spell it (lower-case origin, no trailing slash). */
export function normalizedGraphRoot(graphRoot: string): string {
  try {
    const url = new URL(graphRoot);
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  } catch {
    return graphRoot;
  }
}

export class AccountChangedError extends Error {
  constructor(expected: Account, now: Account | undefined) {
    super(
      now
        ? l10n.t('The active account changed from {0} to {1}; work for {0} stopped. Switch back to it to continue.', expected.label, now.label)
        : l10n.t('{0} was signed out; work for it stopped. Sign in again to continue.', expected.label),
    );
    this.name = 'AccountChangedError';
  }
}

export class EngineSessions {
  private current: { key: string; session: Promise<EngineSession> } | undefined;
  private readonly clients: GraphClient[] = [];
  /** One write budget per tenant: Intune counts writes per app and tenant, whichever engine makes them. */
  private readonly budgets = new Map<string, WriteBudget>();

  constructor(private readonly options: EngineSessionsOptions) {}

  /** The session for the active account, built if needed. Rejects when signed out or the settings are unusable. */
  async get(): Promise<EngineSession> {
    const { auth } = this.options;
    const account = auth.activeAccount;
    if (!account) throw new AuthFailure(l10n.t('Sign in to Microsoft Intune first (Autopilot: Sign In).'), 'notSignedIn');
    const graphRoot = auth.settings.endpoints.graphRoot;
    const settings = this.options.readSettings();
    const key = JSON.stringify([account.id, graphRoot, settings.apiVersion, settings.engine, settings.writesPer20Seconds]);
    if (this.current?.key === key) return this.current.session;
    const session = this.create(account, graphRoot, settings);
    this.current = { key, session };
    session.catch(() => {
      if (this.current?.session === session) this.current = undefined;
    });
    return session;
  }

  private async create(account: Account, graphRoot: string, settings: ImportSettings): Promise<EngineSession> {
    const [{ GraphClient }, { AutopilotGraph }, { WriteBudget }, { systemClock }, { ImportEngine }, { Journal }] = await Promise.all([
      import('../graph/client'),
      import('../graph/autopilot'),
      import('../graph/writeBudget'),
      import('../common/clock'),
      import('../import/engine'),
      import('../import/journal'),
    ]);
    const { auth, log } = this.options;
    // Tokens follow the account the session was built for: if the user switches, this session's work stops
    // instead of carrying on in another tenant.
    const getAccessToken: GetAccessToken = (request) => {
      const active = auth.activeAccount;
      if (active?.id !== account.id) return Promise.reject(new AccountChangedError(account, active));
      return auth.getAccessToken(request);
    };
    const budgetKey = `${account.tenantId}|${graphRoot}|${settings.writesPer20Seconds}`;
    let budget = this.budgets.get(budgetKey);
    if (!budget) this.budgets.set(budgetKey, (budget = new WriteBudget({ limit: settings.writesPer20Seconds, windowMs: 20_000 }, systemClock)));
    const client = new GraphClient({ graphRoot, apiVersion: settings.apiVersion, getAccessToken, logger: log, userAgent: this.options.userAgent, writeBudget: budget, ...(this.options.transport ? { transport: this.options.transport } : {}) });
    this.clients.push(client);
    const tenant = runTenantOf(account);
    const engine = new ImportEngine({
      graph: new AutopilotGraph(client),
      journal: new Journal(this.options.journalDirectory),
      logger: log,
      settings: settings.engine,
      tenant: () => Promise.resolve(tenant),
    });
    this.options.onEngine(engine);
    log.debug(`Import engine for ${account.label} in tenant ${account.tenantId} at ${client.graphRoot} (${client.apiVersion}), chunks of ${settings.engine.batchSize}`);
    return { engine, account, tenant, graphRoot: client.graphRoot };
  }

  dispose(): void {
    for (const client of this.clients) client.dispose();
    this.clients.length = 0;
    this.current = undefined;
  }
}
