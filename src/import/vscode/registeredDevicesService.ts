/**
 * The extension's side of registered Autopilot devices (after the import): one cached list per tenant, paged in the
 * background into the view's model and shared by everything that needs it (the view, plans, the filter), plans from
 * that list, and bulk changes (update, delete, retire, add to a group) through the journaled change engine, so a
 * closed window never leaves one half-known. It borrows the import service's Graph session for the active account.
 * Steps that need more than the Intune permission (Entra groups, Intune managed devices) get tokens for just those
 * permissions, and say so with a `ConsentNeededError` when the user has not consented yet.
 */
import { isUserCancelled } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { GetAccessToken } from '../../graph/accessToken';
import type { EntraGroup } from '../../graph/types';
import type { ChangeRunView, DeviceChangeEngine, DeviceSummary, ListingResult, NewChangeRun, RegisteredDeviceCache, RegisteredDeviceIndex } from '../lifecycle/api';
import type { RegisteredDevicesModel } from './registeredDevicesModel';
import type { EngineSession } from './engineSessions';
import { errorForUser } from './importService';

/** Delegated permissions beyond the Intune one, asked for when a step first needs them (incremental consent). */
export const GROUP_PERMISSIONS = ['GroupMember.ReadWrite.All', 'Device.Read.All'] as const;
export const MANAGED_DEVICE_PERMISSIONS = ['DeviceManagementManagedDevices.ReadWrite.All'] as const;
/** Deleting an Entra device, delegated (with an Entra role such as Intune Administrator or Cloud Device Administrator). */
export const ENTRA_DEVICE_PERMISSIONS = ['Directory.AccessAsUser.All'] as const;

export interface RegisteredDevicesServiceOptions {
  readonly model: RegisteredDevicesModel;
  readonly log: Logger;
  readonly journalDirectory: string;
  readonly useSession: <T>(work: (session: EngineSession) => Promise<T>) => Promise<T>;
  /** Tokens for the session's account with these delegated permissions (rejects with ConsentNeededError without consent). */
  readonly tokensFor: (session: EngineSession, permissions: readonly string[]) => GetAccessToken;
  /** How long a retire waits for Intune to let the registration go after the managed device (tests shorten it). */
  readonly retireWait?: () => { retireWaitMs?: number; retryIntervalMs?: number };
}

interface TenantCache {
  readonly cache: RegisteredDeviceCache;
  readonly tenant: string;
}

export class RegisteredDevicesService {
  private readonly disposed = new AbortController();
  /** One cached list per tenant and Graph root: switching back to a tenant shows its list without paging again. */
  private readonly caches = new Map<string, TenantCache>();
  private listing: Promise<void> | undefined;

  constructor(private readonly options: RegisteredDevicesServiceOptions) {}

  get model(): RegisteredDevicesModel {
    return this.options.model;
  }

  private withSession<T>(work: (session: EngineSession) => Promise<T>): Promise<T> {
    return this.options.useSession(async (session) => {
      try {
        return await work(session);
      } catch (error) {
        throw errorForUser(error, session.account.kind);
      }
    });
  }

  private async cacheFor(session: EngineSession, fresh: boolean): Promise<RegisteredDeviceCache> {
    const key = `${session.tenant.id}|${session.graphRoot}`;
    let entry = this.caches.get(key);
    if (!entry || fresh) {
      const { RegisteredDeviceCache } = await import('../lifecycle/registeredDevices');
      entry = { cache: new RegisteredDeviceCache(session.engine.graph), tenant: session.tenant.label };
      this.caches.set(key, entry);
    }
    return entry.cache;
  }

  /**
   * Fills the model from the tenant's cached list, listing it (page by page into the model) only when this tenant has
   * none yet. Asking again while a listing runs joins it: the view never pages twice.
   */
  load(): Promise<void> {
    this.listing ??= this.list(false).finally(() => (this.listing = undefined));
    return this.listing;
  }

  /** Lists the tenant again (the refresh button). */
  async refresh(): Promise<void> {
    await this.listing?.catch(() => undefined);
    this.listing = this.list(true).finally(() => (this.listing = undefined));
    return this.listing;
  }

  private async list(fresh: boolean): Promise<void> {
    try {
      await this.withSession(async (session) => {
        const cache = await this.cacheFor(session, fresh);
        const done = cache.result;
        if (done) {
          this.model.finish(done.index.all(), session.tenant.label, done.complete, done.requests);
          return;
        }
        this.model.startReading(session.tenant.label);
        const started = Date.now();
        const result: ListingResult = await cache.load({ signal: this.disposed.signal, onPage: ({ page, requests }) => this.model.addPage(page, requests) });
        this.model.finish(result.index.all(), session.tenant.label, result.complete, result.requests);
        this.options.log.info(`Listed ${result.index.size} registered Autopilot devices of ${session.tenant.label} in ${result.requests} requests (${Date.now() - started} ms)${result.complete ? '' : '; Graph repeated a page, so some may be missing'}`);
      });
    } catch (error) {
      if (isUserCancelled(error)) return;
      this.model.setFailed(error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  /** The tenant's list for a plan: the cached one, listed first when there is none. */
  async index(): Promise<RegisteredDeviceIndex> {
    if (this.model.state !== 'read') await this.load();
    return this.withSession(async (session) => {
      const cache = await this.cacheFor(session, false);
      return cache.result?.index ?? (await cache.load({ signal: this.disposed.signal })).index;
    });
  }

  /**
   * Registered devices with this serial: from the cached list, else through Graph's serial filter (its quirks are the
   * client's job), which also finds a device registered since the list was read; what Graph finds is cached and shown.
   */
  async find(serial: string, signal?: AbortSignal): Promise<readonly DeviceSummary[]> {
    return this.withSession(async (session) => {
      const cache = await this.cacheFor(session, false);
      const cached = cache.result?.index.withSerial(serial) ?? [];
      if (cached.length) return cached;
      const { summarize } = await import('../lifecycle/registeredDevices');
      const found = (await session.engine.graph.findRegisteredDevicesBySerial(serial, signal ?? this.disposed.signal, 'beta')).map(summarize);
      for (const device of found) cache.update(device);
      if (found.length && (this.model.tenant === undefined || this.model.tenant === session.tenant.label)) this.model.merge(found);
      return found;
    });
  }

  /** Entra groups whose name starts with `name`. */
  async searchGroups(name: string, signal?: AbortSignal): Promise<EntraGroup[]> {
    return this.withSession(async (session) => {
      const { DirectoryGraph } = await import('../../graph/directory');
      const directory = new DirectoryGraph(session.engine.graph.client.withAccessToken(this.options.tokensFor(session, GROUP_PERMISSIONS)));
      return directory.searchGroups(name, signal ?? this.disposed.signal);
    });
  }

  private async engineFor(session: EngineSession): Promise<DeviceChangeEngine> {
    const [{ DeviceChangeEngine, changeJournal }, { DirectoryGraph }, { ManagedDevicesGraph }] = await Promise.all([
      import('../lifecycle/api'),
      import('../../graph/directory'),
      import('../../graph/managedDevices'),
    ]);
    const client = session.engine.graph.client;
    return new DeviceChangeEngine({
      autopilot: session.engine.graph,
      managed: new ManagedDevicesGraph(client.withAccessToken(this.options.tokensFor(session, MANAGED_DEVICE_PERMISSIONS))),
      directory: new DirectoryGraph(client.withAccessToken(this.options.tokensFor(session, GROUP_PERMISSIONS))),
      entraDevices: new DirectoryGraph(client.withAccessToken(this.options.tokensFor(session, ENTRA_DEVICE_PERMISSIONS))),
      journal: changeJournal(this.options.journalDirectory),
      graphRoot: session.graphRoot,
      tenant: () => Promise.resolve(session.tenant),
      logger: this.options.log,
      settings: this.options.retireWait?.() ?? {},
    });
  }

  /** Journals the change (every device and what is to happen to it), then carries it out; the view follows. */
  async change(run: NewChangeRun, options: { signal?: AbortSignal; onProgress?: (view: ChangeRunView) => void } = {}): Promise<ChangeRunView> {
    return this.withSession(async (session) => {
      const engine = await this.engineFor(session);
      // A step that needs another permission asks for its token first: no consent, no journaled run left behind.
      const permissions =
        run.operation === 'retire' ? [...MANAGED_DEVICE_PERMISSIONS, ...(run.deleteEntraDevices ? ENTRA_DEVICE_PERMISSIONS : [])] : run.operation === 'add-to-group' ? GROUP_PERMISSIONS : undefined;
      if (permissions) await this.options.tokensFor(session, permissions)({ signal: options.signal });
      let last: ChangeRunView | undefined;
      try {
        last = await engine.start(run, { signal: options.signal, onProgress: (view) => options.onProgress?.((last = view)) });
        return last;
      } finally {
        if (last) await this.learn(session, last);
      }
    });
  }

  /** Changes of this tenant a closed window or a cancel left with devices pending. */
  async unfinished(): Promise<ChangeRunView[]> {
    return this.withSession(async (session) => (await (await this.engineFor(session)).unfinishedRuns()).filter((run) => run.tenant?.id === session.tenant.id));
  }

  async resume(runId: string, options: { signal?: AbortSignal; onProgress?: (view: ChangeRunView) => void } = {}): Promise<ChangeRunView> {
    return this.withSession(async (session) => {
      const engine = await this.engineFor(session);
      let last: ChangeRunView | undefined;
      try {
        last = await engine.resume(runId, { signal: options.signal, onProgress: (view) => options.onProgress?.((last = view)) });
        return last;
      } finally {
        if (last) await this.learn(session, last);
      }
    });
  }

  /**
   * After a change: deleted devices leave the list (Graph keeps listing them for a while), updated ones are read
   * again (one GET each, beta for the profile status), so the cached list and the view stay true without a listing.
   */
  private async learn(session: EngineSession, run: ChangeRunView): Promise<void> {
    const { summarize } = await import('../lifecycle/registeredDevices');
    const cache = await this.cacheFor(session, false);
    const gone = run.devices.filter((device) => device.id && device.result === 'deleted').map((device) => device.id!);
    const now: DeviceSummary[] = [];
    for (const device of run.devices.filter((entry) => entry.id && entry.result === 'updated')) {
      try {
        const read = await session.engine.graph.getRegisteredDevice(device.id!, this.disposed.signal, 'beta');
        if (read) now.push(summarize(read));
      } catch (error) {
        this.options.log.warn(`Reading registered device ${device.serialNumber} after a change failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    for (const device of now) cache.update(device);
    for (const id of gone) cache.forget(id);
    if (this.model.tenant !== session.tenant.label) return;
    this.model.remove(gone);
    this.model.merge(now);
  }

  dispose(): void {
    this.disposed.abort();
  }
}
