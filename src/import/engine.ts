/**
 * The import engine: the one API the terminal command and the VS Code views use to import devices, watch them,
 * resume after a crash, retry failures, clean up import records, sync, and look serials up. No `vscode` here.
 */
import { systemClock, type Clock } from '../common/clock';
import { isUserCancelled } from '../common/errors';
import { silentLogger, type Logger } from '../common/logger';
import { GraphError } from '../graph/errors';
import type { AutopilotGraph, SyncOutcome } from '../graph/autopilot';
import type { RegisteredDevice } from '../graph/types';
import type { DeviceToImport } from '../payload/api';
import { Emitter, type ImportEvent } from './events';
import { JOURNAL_VERSION, Journal, RunBusyError, newRunId, type RunManifest, type RunTenant } from './journal';
import { RunContext } from './runContext';
import { RunState, awaitingRegistration, type RunView } from './runState';
import { checkForSecondRecords } from './reconcile';
import { sendUnsent, type SendModeMemo } from './sender';
import { engineSettings, type EngineSettings } from './settings';
import { checkRegistration, pollOnce, watchRegistration, watchUntilProcessed } from './watcher';

export interface ImportEngineOptions {
  readonly graph: AutopilotGraph;
  readonly journal: Journal;
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly settings?: Partial<EngineSettings>;
}

export interface RunOptions {
  /** Watch until Graph has processed every device (and, with `waitForRegistration`, until they are registered). */
  readonly wait?: boolean;
  /** Once processing is over and some devices completed, ask Intune to sync (beta; 409/429 are not failures). */
  readonly sync?: boolean;
  readonly waitForRegistration?: boolean;
  /** Delete the import records of completed devices at the end (they only clutter the tenant afterwards). */
  readonly removeCompletedRecords?: boolean;
  /** Cancelling stops sending further chunks; what was already sent is still watched. */
  readonly cancel?: AbortSignal;
  /** Stops everything, including requests in flight (they are reconciled on resume). */
  readonly stop?: AbortSignal;
}

export interface CreateOptions {
  /** Where the devices came from (file paths), shown in lists. */
  readonly source: string;
  /** Applied to every device, replacing any group tag from the payload. */
  readonly groupTag?: string;
  /** The tenant the run imports into, recorded so a run is only ever worked on under that tenant. */
  readonly tenant?: RunTenant;
}

export interface StartOptions extends RunOptions, CreateOptions {}

/** Why the engine stopped working on a run. */
export type StopReason = 'finished' | 'accepted' | 'cancelled' | 'time-limit';

export interface RunResult {
  readonly run: RunView;
  readonly stopped: StopReason;
  readonly sync?: SyncOutcome | 'failed';
  /** With `waitForRegistration`: whether every completed device appeared among registered devices in time. */
  readonly allRegistered?: boolean;
}

/** A run that stopped on an error that needs a person; the run is in the journal and can be resumed. */
export class RunFailedError extends Error {
  constructor(
    readonly runId: string,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.name = 'RunFailedError';
  }
}

/** Every run in a journal, newest first, without needing Graph (for `status` when signed out). */
export function listRunViews(journal: Journal, logger: Logger = silentLogger, live: (runId: string) => RunState | undefined = () => undefined): RunView[] {
  return journal.runIds().flatMap((id) => {
    try {
      const state = live(id) ?? loadRun(journal, id);
      return [state.view()];
    } catch (error) {
      logger.warn(`Skipping run ${id}: ${(error as Error).message}`);
      return [];
    }
  });
}

function loadRun(journal: Journal, runId: string): RunState {
  const { manifest, entries } = journal.read(runId);
  return RunState.load(manifest, entries);
}

export class ImportEngine {
  readonly events = new Emitter<ImportEvent>();
  readonly settings: EngineSettings;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly sendMode: SendModeMemo = { mode: 'import' };
  private readonly active = new Map<string, RunState>();

  constructor(private readonly options: ImportEngineOptions) {
    this.settings = engineSettings(options.settings);
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
  }

  get graph(): AutopilotGraph {
    return this.options.graph;
  }

  get journal(): Journal {
    return this.options.journal;
  }

  /** Journals a new run before anything is sent, then sends (and watches, if asked). */
  async startRun(devices: readonly DeviceToImport[], options: StartOptions): Promise<RunResult> {
    const created = this.createRun(devices, options);
    return this.drive(created, options, false);
  }

  /**
   * Journals a new run without sending anything; `resumeRun` then sends it. For callers that need the run id
   * before the first request (the extension shows the run in its tree at once).
   */
  prepareRun(devices: readonly DeviceToImport[], options: CreateOptions): RunView {
    return this.createRun(devices, options).view();
  }

  private createRun(devices: readonly DeviceToImport[], options: CreateOptions): RunState {
    if (!devices.length) throw new Error('There are no devices to import.');
    const manifest: RunManifest = {
      version: JOURNAL_VERSION,
      id: newRunId(this.clock.now(), this.clock.random),
      startedAt: new Date(this.clock.now()).toISOString(),
      source: options.source,
      graphRoot: this.graph.client.graphRoot,
      batchSize: this.settings.batchSize,
      // Source line numbers mean nothing once the file has changed; the journal keeps only what is sent.
      devices: devices.map(({ serialNumber, hardwareIdentifier, groupTag, productKey, assignedUserPrincipalName, importId }) => ({
        serialNumber,
        hardwareIdentifier,
        groupTag: options.groupTag ?? groupTag,
        productKey,
        assignedUserPrincipalName,
        importId,
      })),
      ...(options.tenant ? { tenant: options.tenant } : {}),
    };
    this.journal.createRun(manifest);
    this.logger.info(`Run ${manifest.id}: ${devices.length} device(s) from ${options.source}`);
    return new RunState(manifest);
  }

  /** Continues a run from its journal: reconciles unanswered sends, sends the rest, and watches if asked. */
  async resumeRun(runId: string, options: RunOptions = {}): Promise<RunResult> {
    return this.drive(this.load(runId), options, true);
  }

  /**
   * Re-imports only the devices of a run that ended in `error`/`partial` — all of them, or those of `devices` (run
   * indexes) — after deleting their old import records.
   */
  async retryFailed(runId: string, options: RunOptions & { readonly devices?: readonly number[] } = {}): Promise<RunResult> {
    const state = this.load(runId);
    const failed = state.failed().filter((device) => !options.devices || options.devices.includes(device.index));
    if (!failed.length) return { run: state.view(), stopped: state.phase() === 'finished' ? 'finished' : 'accepted' };
    await this.withRun(state, options.stop, async (ctx) => {
      for (const device of failed) {
        if (device.recordId && !device.recordDeleted) {
          await this.graph.deleteImportedDevice(device.recordId, options.stop);
          ctx.record({ t: 'record-deleted', devices: [device.index] });
        }
      }
      ctx.record({ t: 'retry', devices: failed.map((d) => d.index) });
    });
    return this.drive(this.load(runId), options, true);
  }

  /** One look at Graph for a run's unfinished records and registrations; no waiting. */
  async refreshRun(runId: string, stop?: AbortSignal): Promise<RunView> {
    const state = this.load(runId);
    await this.withRun(state, stop, async (ctx) => {
      await pollOnce(ctx);
      await checkRegistration(ctx);
    });
    return state.view();
  }

  /**
   * Deletes a run's import records in Graph: those of completed devices, or of every terminal device; `devices`
   * (run indexes) narrows it further. Records still being processed are never deleted (their result would be lost).
   */
  async deleteImportRecords(runId: string, which: 'completed' | 'terminal', stop?: AbortSignal, devices?: readonly number[]): Promise<number> {
    const state = this.load(runId);
    let deleted = 0;
    await this.withRun(state, stop, async (ctx) => {
      deleted = await this.removeRecords(ctx, which, devices);
    });
    return deleted;
  }

  /** Forgets a run (journal only; Graph is not touched). */
  forgetRun(runId: string): void {
    if (this.active.has(runId)) throw new RunBusyError(runId, process.pid);
    this.journal.deleteRun(runId);
  }

  view(runId: string): RunView {
    return (this.active.get(runId) ?? this.load(runId)).view();
  }

  /** Every run in the journal, newest first. */
  listRuns(): RunView[] {
    return listRunViews(this.journal, this.logger, (id) => this.active.get(id));
  }

  /**
   * Runs for this Graph root that still have devices to send or records to watch; with `registration`, also runs
   * whose completed devices were never watched until registered (a crash during that wait, or no wait at all).
   */
  unfinishedRuns(options: { readonly registration?: boolean } = {}): RunView[] {
    const open = (run: RunView) => run.phase !== 'finished' || (options.registration === true && !run.registrationWatched && awaitingRegistration(run) > 0);
    return this.listRuns().filter((run) => run.graphRoot === this.graph.client.graphRoot && open(run));
  }

  async findRegisteredDevices(serialNumber: string, signal?: AbortSignal): Promise<RegisteredDevice[]> {
    return this.graph.findRegisteredDevicesBySerial(serialNumber, signal);
  }

  async syncAutopilot(signal?: AbortSignal): Promise<SyncOutcome> {
    return this.graph.syncAutopilot(signal);
  }

  private load(runId: string): RunState {
    return this.active.get(runId) ?? loadRun(this.journal, runId);
  }

  /** Runs `work` while holding the run (in this process and across processes). */
  private async withRun<T>(state: RunState, stop: AbortSignal | undefined, work: (ctx: RunContext) => Promise<T>): Promise<T> {
    if (this.active.has(state.id)) throw new RunBusyError(state.id, process.pid);
    const release = this.journal.lock(state.id);
    this.active.set(state.id, state);
    const ctx = new RunContext(state, this.graph, this.journal, this.settings, this.logger, this.clock, (event) => this.events.fire(event), stop);
    try {
      return await work(ctx);
    } finally {
      this.active.delete(state.id);
      release();
    }
  }

  private async drive(state: RunState, options: RunOptions, resumed: boolean): Promise<RunResult> {
    let stopped: StopReason = 'cancelled';
    let sync: RunResult['sync'];
    let allRegistered: boolean | undefined;
    try {
      await this.withRun(state, options.stop, async (ctx) => {
        ctx.emit({ type: 'run-started', runId: state.id, devices: state.devices.length, resumed });
        const sentAll = await sendUnsent(ctx, this.sendMode, options.cancel);
        ctx.emitProgress();
        if (!options.wait) {
          stopped = sentAll ? 'accepted' : 'cancelled';
          return;
        }
        const deadline = this.clock.now() + this.settings.timeLimitMs;
        if (!(await watchUntilProcessed(ctx, deadline))) {
          stopped = 'time-limit';
          return;
        }
        await checkForSecondRecords(ctx);
        if (options.sync && state.devices.some((d) => d.status === 'complete' && !d.registered)) sync = await this.syncFor(ctx);
        if (options.waitForRegistration) {
          allRegistered = await watchRegistration(ctx, deadline);
          ctx.record({ t: 'registration-watched', allRegistered });
        }
        if (options.removeCompletedRecords) await this.removeRecords(ctx, 'completed');
        stopped = sentAll ? 'finished' : 'cancelled';
      });
    } catch (error) {
      if (error instanceof RunBusyError) throw error; // someone else is driving it: nothing happened here
      if (!isUserCancelled(error)) {
        this.events.fire({ type: 'run-stopped', runId: state.id, phase: state.phase(), reason: 'failed' });
        throw new RunFailedError(state.id, error);
      }
      stopped = 'cancelled';
    }
    this.events.fire({ type: 'run-stopped', runId: state.id, phase: state.phase(), reason: stopped });
    return { run: state.view(), stopped, sync, allRegistered };
  }

  private async syncFor(ctx: RunContext): Promise<SyncOutcome | 'failed'> {
    let outcome: SyncOutcome | 'failed';
    let message: string | undefined;
    try {
      outcome = await this.graph.syncAutopilot(ctx.stop);
    } catch (error) {
      if (isUserCancelled(error)) throw error;
      // Sync only speeds things up; the devices sync on their own, so a failure here is not the run's failure.
      outcome = 'failed';
      message = error instanceof GraphError ? `${error.status} ${error.code}: ${error.graphMessage}` : (error as Error).message;
      this.logger.warn(`Run ${ctx.runId}: sync failed: ${message}`);
    }
    ctx.record({ t: 'sync', outcome });
    ctx.emit({ type: 'sync', runId: ctx.runId, outcome, message });
    return outcome;
  }

  private async removeRecords(ctx: RunContext, which: 'completed' | 'terminal', only?: readonly number[]): Promise<number> {
    const targets = ctx.state.devices.filter(
      (d) =>
        d.progress === 'accepted' &&
        d.recordId &&
        !d.recordDeleted &&
        (!only || only.includes(d.index)) &&
        // A completed record is what names the registered device (once Graph fills it in): it goes only after that.
        (which === 'completed' ? d.status === 'complete' && d.registrationId : ctx.state.isTerminal(d)),
    );
    const kept = which === 'completed' ? ctx.state.devices.filter((d) => d.status === 'complete' && !d.registrationId && !d.recordDeleted).length : 0;
    if (kept) ctx.logger.info(`Run ${ctx.runId}: kept ${kept} import record(s) of completed devices until Graph names their registration id`);
    for (const device of targets) {
      await this.graph.deleteImportedDevice(device.recordId!, ctx.stop);
      ctx.record({ t: 'record-deleted', devices: [device.index] });
    }
    return targets.length;
  }
}
