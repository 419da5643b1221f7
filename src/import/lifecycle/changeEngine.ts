/**
 * Carries out bulk changes to registered devices — update, delete, retire, add to a group — journaled so that a
 * crash, a Ctrl-C or a window reload never leaves one half-known (changeRun.ts). Every call it makes may safely
 * happen twice, and a device whose request left without an answer is checked before anything is sent for it again:
 * a resumed run repeats nothing that was done.
 *
 * Retire follows the documented order (lifecycle facts §3.3): the Intune managed device first, then the Autopilot
 * registration once Intune lets it go (it keeps refusing for a while after the managed device is deleted), and the
 * Entra device is left alone unless the run asks for it (`deleteEntraDevices`: Microsoft warns against it), then
 * only after the registration is gone (Entra refuses while Autopilot still lists the device). A failure names its step.
 */
import * as l10n from '@vscode/l10n';
import { systemClock, throwIfAborted, type Clock } from '../../common/clock';
import { silentLogger, type Logger } from '../../common/logger';
import type { AutopilotGraph, DevicePropertyUpdate } from '../../graph/autopilot';
import type { DirectoryGraph } from '../../graph/directory';
import { GraphError } from '../../graph/errors';
import { isRealManagedDeviceId, type ManagedDevicesGraph } from '../../graph/managedDevices';
import { newRunId, JOURNAL_VERSION, type Journal, type RunLock, type RunTenant } from '../journal';
import { tenantRefusal } from '../tenant';
import { MEMBERS_PER_REQUEST } from '../../graph/directory';
import type { RunSummaries } from '../runSummary';
import { changeRunSummaries, foldChangeRun, viewOf, CHANGE_RUN_KIND, type ChangeEntry, type ChangeItem, type ChangeOperation, type ChangeResult, type ChangeRunManifest, type ChangeRunView, type ItemError, type ItemState, type RetireStep } from './changeRun';

export interface ChangeEngineSettings {
  /** How long a retire waits for Intune to accept the registration's delete after the managed device's. */
  readonly retireWaitMs: number;
  /** How often it asks meanwhile. */
  readonly retryIntervalMs: number;
}

export const DEFAULT_CHANGE_SETTINGS: ChangeEngineSettings = { retireWaitMs: 15 * 60_000, retryIntervalMs: 15_000 };

export interface ChangeEngineOptions {
  readonly autopilot: AutopilotGraph;
  readonly managed: ManagedDevicesGraph;
  readonly directory: DirectoryGraph;
  /** Entra with the permission to delete devices (a retire's optional third step); `directory` when absent. */
  readonly entraDevices?: DirectoryGraph;
  readonly journal: Journal<ChangeRunManifest, ChangeEntry>;
  /** The tenant of the credentials in use; a run is only ever worked on in its own tenant. */
  readonly tenant?: () => Promise<RunTenant>;
  readonly graphRoot: string;
  readonly clock?: Clock;
  readonly logger?: Logger;
  readonly settings?: Partial<ChangeEngineSettings>;
}

export interface ChangeRunOptions {
  /** Stops before the next device; what was started is journaled and the run can be resumed. */
  readonly signal?: AbortSignal;
  /** Every outcome as it happens (a progress bar, a tree refresh). */
  readonly onProgress?: (run: ChangeRunView) => void;
}

export interface NewChangeRun {
  readonly operation: ChangeOperation;
  readonly items: readonly ChangeItem[];
  readonly source: string;
  readonly group?: { readonly id: string; readonly displayName: string };
  /** Retire only: also delete each device's Entra ID device object, after its registration is gone. */
  readonly deleteEntraDevices?: boolean;
}

export class DeviceChangeEngine {
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly settings: ChangeEngineSettings;
  private readonly summaries: RunSummaries<ChangeRunView, ChangeRunManifest, ChangeEntry>;

  constructor(private readonly options: ChangeEngineOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.settings = { ...DEFAULT_CHANGE_SETTINGS, ...options.settings };
    this.summaries = changeRunSummaries(options.journal, this.logger);
  }

  /** Journals the run (every device and what is to happen to it), then carries it out. */
  async start(run: NewChangeRun, options: ChangeRunOptions = {}): Promise<ChangeRunView> {
    const tenant = await this.options.tenant?.();
    const manifest: ChangeRunManifest = {
      version: JOURNAL_VERSION,
      id: newRunId(this.clock.now(), this.clock.random),
      kind: CHANGE_RUN_KIND,
      operation: run.operation,
      startedAt: new Date(this.clock.now()).toISOString(),
      source: run.source,
      graphRoot: this.options.graphRoot,
      ...(tenant ? { tenant } : {}),
      ...(run.group ? { group: run.group } : {}),
      ...(run.operation === 'retire' && run.deleteEntraDevices ? { deleteEntraDevices: true } : {}),
      items: run.items,
    };
    const lock = this.options.journal.createRun(manifest);
    return this.work(manifest, [], 0, lock, options);
  }

  /** Finishes a run a crash or a stop left open: `done` devices are skipped, started ones checked first. */
  async resume(runId: string, options: ChangeRunOptions = {}): Promise<ChangeRunView> {
    const lock = this.options.journal.lock(runId);
    try {
      // Read only once the lock is held (another process may have changed the run until then), without blocking.
      const { manifest, entries, eventsBytes } = await this.options.journal.readRun(runId);
      const refusal = tenantRefusal(manifest, await this.options.tenant?.());
      if (refusal) throw refusal;
      return await this.work(manifest, entries, eventsBytes, lock, options);
    } finally {
      lock.release();
    }
  }

  /** A run as it is now, from its summary (read without blocking). */
  view(runId: string): Promise<ChangeRunView> {
    return this.summaries.read(runId);
  }

  /** Runs with devices still pending, newest first (of every tenant: callers compare `tenant`), from their summaries. */
  async unfinishedRuns(): Promise<ChangeRunView[]> {
    return (await this.summaries.list()).filter((view) => !view.finished);
  }

  private async work(manifest: ChangeRunManifest, entries: readonly ChangeEntry[], eventsBytes: number, lock: RunLock, options: ChangeRunOptions): Promise<ChangeRunView> {
    const states = foldChangeRun(manifest, entries);
    const at = () => new Date(this.clock.now()).toISOString();
    const journal = this.options.journal;
    const summary = this.summaries.writer({ id: manifest.id, view: () => viewOf(manifest, states) }, states.length);
    // Written at once: a run without a current summary (an older version's, a crash) gets one.
    summary.changed(eventsBytes);
    /** Journals first, then updates memory, then the summary: it is the fold of exactly the bytes it names. */
    const record = (entry: ChangeEntry, learn: () => void, durable = false) => {
      const bytes = journal.append(manifest.id, entry, durable);
      learn();
      summary.changed(bytes);
    };
    const progress = () => options.onProgress?.(viewOf(manifest, states));
    const worker: Worker = {
      start: (items) =>
        record({ t: 'start', at: at(), items: items.map((state) => state.index) }, () => {
          for (const state of items) state.started = true;
        }, true),
      step: (state, step) => record({ t: 'step', at: at(), item: state.index, step }, () => state.steps.add(step)),
      done: (state, result, error) => {
        record({ t: 'done', at: at(), item: state.index, result, ...(error ? { error } : {}) }, () => {
          state.result = result;
          if (error) state.error = error;
        });
        progress();
      },
    };
    try {
      for (const state of states) if (state.result === undefined && (state.item.planned || !state.item.id)) worker.done(state, state.item.planned ?? 'not-found');
      const pending = states.filter((state) => state.result === undefined);
      if (manifest.operation === 'add-to-group') await this.addToGroup(manifest.group!.id, pending, worker, options.signal);
      else {
        for (const state of pending) {
          throwIfAborted(options.signal);
          await this.guard(state, worker, () => this.one(manifest, state, worker, options.signal));
        }
      }
    } finally {
      // Before the lock goes: the next holder starts from this summary.
      await summary.flush();
      lock.release();
    }
    return viewOf(manifest, states);
  }

  /** A device's own failure (a 400, a 404, a 5xx after the retries) is its outcome; a reason that stops every device is thrown. */
  private async guard(state: ItemState, worker: Worker, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      if (error instanceof GraphError && error.status !== 401 && error.status !== 403 && error.status !== 429) {
        worker.done(state, 'failed', { status: error.status, code: error.code, message: error.graphMessage });
        return;
      }
      throw error;
    }
  }

  private async one(manifest: ChangeRunManifest, state: ItemState, worker: Worker, signal?: AbortSignal): Promise<void> {
    const { operation } = manifest;
    const steps = operation === 'retire' && manifest.deleteEntraDevices ? 3 : 2;
    const { autopilot } = this.options;
    const id = state.item.id!;
    if (operation === 'update') {
      const update = propertyUpdate(state.item);
      if (state.started) {
        // The request may have been applied before the crash: look before sending it again.
        const current = await autopilot.getRegisteredDevice(id, signal);
        if (!current) return worker.done(state, 'not-found');
        if (Object.entries(update).every(([field, value]) => (current[field] ?? '') === value)) return worker.done(state, 'updated');
      }
      worker.start([state]);
      await autopilot.updateDeviceProperties(id, update, signal);
      return worker.done(state, 'updated');
    }
    if (operation === 'retire' && !state.steps.has('managed-device-deleted')) {
      try {
        await this.deleteManagedDevice(state, worker, signal);
      } catch (error) {
        if (error instanceof GraphError && error.status !== 401 && error.status !== 403) {
          return worker.done(state, 'failed', stepError(1, steps, l10n.t('delete the Intune managed device'), error));
        }
        throw error;
      }
    }
    if (steps === 3 && state.steps.has('registration-deleted')) return this.deleteEntraDevice(state, worker, signal);
    const registrationGone = async () => {
      if (steps === 3) {
        worker.step(state, 'registration-deleted');
        return this.deleteEntraDevice(state, worker, signal);
      }
      return worker.done(state, 'deleted');
    };
    if (state.started && !(await autopilot.getRegisteredDevice(id, signal))) return registrationGone();
    worker.start([state]);
    const deadline = this.clock.now() + (operation === 'retire' ? this.settings.retireWaitMs : 0);
    for (;;) {
      try {
        const outcome = await autopilot.deleteRegisteredDevice(id, signal);
        if (operation === 'retire') return registrationGone();
        return worker.done(state, outcome === 'deleted' ? 'deleted' : 'not-found');
      } catch (error) {
        if (!(error instanceof GraphError) || error.status !== 400) throw error;
        // Decided from the device, not from Intune's wording (which is undocumented).
        const current = await autopilot.getRegisteredDevice(id, signal);
        const enrolled = current !== undefined && (isRealManagedDeviceId(current.managedDeviceId) || current.enrollmentState === 'enrolled');
        if (operation === 'delete') return enrolled ? worker.done(state, 'still-enrolled') : worker.done(state, 'failed', { status: 400, code: error.code, message: error.graphMessage });
        if (this.clock.now() >= deadline) {
          return worker.done(state, 'failed', stepError(2, steps, l10n.t('delete the Autopilot registration (Intune still refused it {0} minutes after the managed device was deleted)', Math.round(this.settings.retireWaitMs / 60_000)), error));
        }
        this.logger.info(`Retire ${state.item.serialNumber}: Intune still counts the device as enrolled; asking again in ${this.settings.retryIntervalMs} ms`);
        await this.clock.sleep(this.settings.retryIntervalMs, signal);
      }
    }
  }

  /**
   * A retire's third step, when asked for: the Entra device object behind the registration. Entra refuses (403) while
   * Autopilot still lists the device, which it does for a while after the delete, so a refusal is asked again until
   * the registration is gone and the retire's time limit passes; a refusal after that is a missing role or permission.
   * An Entra device that is not there (never was, or removed by Intune) is not a failure.
   */
  private async deleteEntraDevice(state: ItemState, worker: Worker, signal?: AbortSignal): Promise<void> {
    const entra = this.options.entraDevices ?? this.options.directory;
    const deviceId = state.item.azureActiveDirectoryDeviceId;
    const what = l10n.t('delete the Entra ID device');
    const deadline = this.clock.now() + this.settings.retireWaitMs;
    for (;;) {
      try {
        const object = deviceId ? await entra.findDeviceByDeviceId(deviceId, signal) : undefined;
        if (object) {
          worker.start([state]);
          await entra.deleteDevice(object.id, signal);
        }
        return worker.done(state, 'deleted');
      } catch (error) {
        if (!(error instanceof GraphError) || error.status === 401 || error.status === 429 || error.status >= 500) throw error;
        const refused = error.status === 403 || error.status === 400;
        const stillListed = refused && (await this.options.autopilot.getRegisteredDevice(state.item.id!, signal)) !== undefined;
        if (!stillListed || this.clock.now() >= deadline) return worker.done(state, 'failed', stepError(3, 3, what, error));
        this.logger.info(`Retire ${state.item.serialNumber}: Entra refuses to delete the device while Autopilot still lists it; asking again in ${this.settings.retryIntervalMs} ms`);
        await this.clock.sleep(this.settings.retryIntervalMs, signal);
      }
    }
  }

  private async deleteManagedDevice(state: ItemState, worker: Worker, signal?: AbortSignal): Promise<void> {
    const { managed } = this.options;
    let managedId = isRealManagedDeviceId(state.item.managedDeviceId) ? state.item.managedDeviceId : undefined;
    if (!managedId) {
      const found = await managed.findManagedDevicesBySerial(state.item.serialNumber, signal);
      const deviceId = state.item.azureActiveDirectoryDeviceId?.toLowerCase();
      managedId = (found.find((device) => deviceId && device.azureADDeviceId?.toLowerCase() === deviceId) ?? (found.length === 1 ? found[0] : undefined))?.id;
    }
    if (managedId) {
      worker.start([state]);
      await managed.deleteManagedDevice(managedId, signal);
    }
    worker.step(state, 'managed-device-deleted');
  }

  /** Looks each device's Entra object up, then adds them 20 per `$batch`; "already a member" after our own start means added. */
  private async addToGroup(groupId: string, pending: readonly ItemState[], worker: Worker, signal?: AbortSignal): Promise<void> {
    const { directory } = this.options;
    for (let at = 0; at < pending.length; at += MEMBERS_PER_REQUEST) {
      throwIfAborted(signal);
      const chunk: { state: ItemState; objectId: string }[] = [];
      for (const state of pending.slice(at, at + MEMBERS_PER_REQUEST)) {
        const deviceId = state.item.azureActiveDirectoryDeviceId;
        const object = deviceId ? await directory.findDeviceByDeviceId(deviceId, signal) : undefined;
        if (object) chunk.push({ state, objectId: object.id });
        else worker.done(state, 'not-found');
      }
      if (!chunk.length) continue;
      const startedBefore = new Set(chunk.filter(({ state }) => state.started).map(({ state }) => state.index));
      worker.start(chunk.map(({ state }) => state));
      const byObject = new Map(chunk.map((entry) => [entry.objectId, entry.state]));
      await directory.addGroupMembers(groupId, [...byObject.keys()], {
        signal,
        onResult: (objectId, outcome) => {
          const state = byObject.get(objectId)!;
          if (outcome.result === 'failed') return worker.done(state, 'failed', { status: outcome.status, code: outcome.code, message: outcome.message });
          const result: ChangeResult = outcome.result === 'already-member' && startedBefore.has(state.index) ? 'added' : outcome.result;
          worker.done(state, result);
        },
      });
    }
  }
}

interface Worker {
  start(items: readonly ItemState[]): void;
  step(state: ItemState, step: RetireStep): void;
  done(state: ItemState, result: ChangeResult, error?: ItemError): void;
}

function propertyUpdate(item: ChangeItem): DevicePropertyUpdate {
  const update: Record<string, string> = {};
  for (const [field, change] of Object.entries(item.changes ?? {})) if (change) update[field] = change.to;
  return update;
}

function stepError(step: number, of: number, what: string, error: GraphError): ItemError {
  return { status: error.status, code: error.code, message: l10n.t('Step {0} of {1} ({2}) failed: {3}', step, of, what, error.graphMessage) };
}
