/**
 * The import engine and its Graph client for the active account, built on first use (the Graph client, node-fetch
 * and the engine load with `await import`, not at activation) and rebuilt when the account, the cloud or an import
 * setting changes. Work already under way keeps the engine it started with; a replaced engine, its Graph client and
 * its event subscription are disposed as soon as nothing uses them, so a window changed 50 times holds one engine.
 */
import * as l10n from '@vscode/l10n';
import { tenantLabel, type Account, type AuthService } from '../../auth/authService';
import { AuthFailure } from '../../auth/authErrors';
import type { HttpTransport } from '../../common/httpTransport';
import type { Subscription } from '../events';
import type { Logger } from '../../common/logger';
import type { GetAccessToken } from '../../graph/accessToken';
import type { GraphClient } from '../../graph/client';
import type { WriteBudget } from '../../graph/writeBudget';
import type { ImportEngine } from '../engine';
import type { RunTenant } from '../journal';
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
  /** Told about every engine built, so its events reach the tree; the subscription ends with the engine. */
  readonly onEngine: (engine: ImportEngine) => Subscription;
}

/** A session in use: `release` when done with it (a replaced session is disposed after its last release). */
export interface HeldSession {
  readonly session: EngineSession;
  release(): void;
}

interface Slot {
  readonly key: string;
  readonly session: Promise<EngineSession>;
  users: number;
  /** What to dispose with the session, once it is built. */
  resources?: { readonly client: GraphClient; readonly subscription: Subscription };
}

/** The tenant a run records: its id, and its verified domain where the account knows it. */
export function runTenantOf(account: Account): RunTenant {
  return { id: account.tenantId, label: tenantLabel(account) };
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
  private current: Slot | undefined;
  /** Every session built and not yet disposed: the current one, and replaced ones still in use. */
  private readonly slots = new Set<Slot>();
  /** One write budget per tenant: Intune counts writes per app and tenant, whichever engine makes them. */
  private readonly budgets = new Map<string, WriteBudget>();

  constructor(private readonly options: EngineSessionsOptions) {}

  /** How many engines are alive (built and not disposed). */
  get alive(): number {
    return this.slots.size;
  }

  /** Runs `work` with the session for the active account, built if needed, and releases it afterwards. */
  async use<T>(work: (session: EngineSession) => Promise<T>): Promise<T> {
    const held = await this.acquire();
    try {
      return await work(held.session);
    } finally {
      held.release();
    }
  }

  /**
   * The session for the active account, built if needed, held until `release`. Rejects when signed out or the
   * settings are unusable.
   */
  async acquire(): Promise<HeldSession> {
    const slot = this.slotForNow();
    slot.users++;
    let session: EngineSession;
    try {
      session = await slot.session;
    } catch (error) {
      slot.users--;
      throw error;
    }
    let released = false;
    return {
      session,
      release: () => {
        if (released) return;
        released = true;
        slot.users--;
        this.disposeIfReplaced(slot);
      },
    };
  }

  private slotForNow(): Slot {
    const { auth } = this.options;
    const account = auth.activeAccount;
    if (!account) throw new AuthFailure(l10n.t('Sign in to Microsoft Intune first (Autopilot: Sign In).'), 'notSignedIn');
    const graphRoot = auth.settings.endpoints.graphRoot;
    const settings = this.options.readSettings();
    const key = JSON.stringify([account.id, graphRoot, settings.apiVersion, settings.engine, settings.writesPer20Seconds]);
    if (this.current?.key === key) return this.current;
    const replaced = this.current;
    const slot: Slot = { key, users: 0, session: this.create(account, graphRoot, settings, () => slot) };
    this.current = slot;
    this.slots.add(slot);
    if (replaced) this.disposeIfReplaced(replaced);
    slot.session.catch(() => {
      this.slots.delete(slot);
      if (this.current === slot) this.current = undefined;
    });
    return slot;
  }

  private disposeIfReplaced(slot: Slot): void {
    if (slot === this.current || slot.users > 0 || !this.slots.has(slot)) return;
    this.slots.delete(slot);
    // Not built yet: it is disposed the moment it is (see create).
    if (slot.resources) disposeResources(slot.resources);
  }

  private async create(account: Account, graphRoot: string, settings: ImportSettings, slotOf: () => Slot): Promise<EngineSession> {
    const [{ GraphClient }, { AutopilotGraph }, { WriteBudget }, { systemClock }, { ImportEngine }, { Journal }] = await Promise.all([
      import('../../graph/client'),
      import('../../graph/autopilot'),
      import('../../graph/writeBudget'),
      import('../../common/clock'),
      import('../engine'),
      import('../journal'),
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
    const tenant = runTenantOf(account);
    const engine = new ImportEngine({
      graph: new AutopilotGraph(client),
      journal: new Journal(this.options.journalDirectory),
      logger: log,
      settings: settings.engine,
      tenant: () => Promise.resolve(tenant),
    });
    const resources = { client, subscription: this.options.onEngine(engine) };
    const slot = slotOf();
    slot.resources = resources;
    // Replaced (or the sessions disposed) while it was being built, with nobody waiting for it.
    if (!this.slots.has(slot)) disposeResources(resources);
    else this.disposeIfReplaced(slot);
    log.debug(`Import engine for ${account.label} in tenant ${account.tenantId} at ${client.graphRoot} (${client.apiVersion}), chunks of ${settings.engine.batchSize}`);
    return { engine, account, tenant, graphRoot: client.graphRoot };
  }

  dispose(): void {
    for (const slot of this.slots) if (slot.resources) disposeResources(slot.resources);
    this.slots.clear();
    this.current = undefined;
  }
}

function disposeResources(resources: { readonly client: GraphClient; readonly subscription: Subscription }): void {
  resources.subscription.dispose();
  resources.client.dispose();
}
