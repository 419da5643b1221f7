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
import { JOURNAL_VERSION, Journal, newRunId, type RunLock, type RunManifest, type RunTenant } from './journal';
import { adoptLaterImports } from './laterRuns';
import { RunContext } from './runContext';
import { RunState, registrationsAwaited, type RunView } from './runState';
import { SummaryWriter, listRunViews, readRunView, summaryIntervalMs } from './runSummary';
import { checkForSecondRecords } from './reconcile';
import { sendUnsent, type SendModeMemo } from './sender';
import { engineSettings, type EngineSettings } from './settings';
import { rememberedTenant, tenantRefusal } from './tenant';
import { checkRegistration, pollOnce, watchRegistration, watchUntilProcessed } from './watcher';
import { RunBusyError, RunFailedError, RunTenantError } from './errors';

export interface ImportEngineOptions {
  readonly graph: AutopilotGraph;
  readonly journal: Journal;
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly settings?: Partial<EngineSettings>;
  /**
   * The tenant the Graph client's credentials are for (for the terminal command this may mean signing in). New runs
   * are stamped with it, and no run of another tenant is worked on. Without it, only runs without a tenant are.
   */
  readonly tenant?: () => Promise<RunTenant>;
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


/** A run just journaled, with its lock. */
interface CreatedRun {
  readonly state: RunState;
  readonly lock: RunLock;
}

/** A run held for work: its state as the journal has it, and the journal's length it was folded from. */
interface HeldRun {
  readonly state: RunState;
  readonly eventsBytes: number;
}

export class ImportEngine {
  readonly events = new Emitter<ImportEvent>();
  readonly settings: EngineSettings;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly sendMode: SendModeMemo = { mode: 'import' };
  private readonly active = new Map<string, RunState>();
  private readonly currentTenant: () => Promise<RunTenant | undefined>;

  constructor(private readonly options: ImportEngineOptions) {
    this.settings = engineSettings(options.settings);
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.currentTenant = rememberedTenant(options.tenant);
  }

  get graph(): AutopilotGraph {
    return this.options.graph;
  }

  get journal(): Journal {
    return this.options.journal;
  }

  /**
   * Journals a new run before anything is sent, then sends (and watches, if asked). The tenant is settled first (a
   * sign-in for app-only credentials), and a run that fails before any device could reach Graph (the token or the
   * permission is refused, Graph cannot be reached) is discarded: a run becomes resumable only once its first
   * request could be sent, so a later `resume` never sends a file the user has imported again since.
   */
  async startRun(devices: readonly DeviceToImport[], options: StartOptions): Promise<RunResult> {
    const tenant = await this.currentTenant();
    return this.drive(this.createRun(devices, options, tenant), options, { resumed: false, discardUntouched: true });
  }

  /**
   * Journals a new run without sending anything; `resumeRun` then sends it. For callers that need the run id
   * before the first request (the extension shows the run in its tree at once).
   */
  async prepareRun(devices: readonly DeviceToImport[], options: CreateOptions): Promise<RunView> {
    const created = this.createRun(devices, options, await this.currentTenant());
    try {
      const view = created.state.view();
      await this.journal.writeSummary(created.state.id, view, 0);
      return view;
    } finally {
      created.lock.release();
    }
  }

  private createRun(devices: readonly DeviceToImport[], options: CreateOptions, tenant: RunTenant | undefined): CreatedRun {
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
      ...(tenant ? { tenant } : {}),
    };
    const lock = this.journal.createRun(manifest);
    this.logger.info(`Run ${manifest.id}: ${devices.length} device(s) from ${options.source}${tenant ? ` into tenant ${tenant.id}` : ''}`);
    return { state: new RunState(manifest), lock };
  }

  /** Continues a run from its journal: reconciles unanswered sends, sends the rest, and watches if asked. */
  async resumeRun(runId: string, options: RunOptions = {}): Promise<RunResult> {
    return this.drive(runId, options, { resumed: true });
  }

  /**
   * Re-imports only the devices of a run that ended in `error`/`partial` — all of them, or those of `devices` (run
   * indexes) — after deleting their old import records.
   */
  async retryFailed(runId: string, options: RunOptions & { readonly devices?: readonly number[] } = {}): Promise<RunResult> {
    return this.drive(runId, options, { resumed: true }, async (ctx) => {
      // A device that took a later run's record is that run's to retry.
      const failed = ctx.state.failed().filter((device) => !device.importedBy && (!options.devices || options.devices.includes(device.index)));
      if (!failed.length) return true;
      for (const device of failed) {
        if (device.recordId && !device.recordDeleted) {
          await this.graph.deleteImportedDevice(device.recordId, options.stop);
          ctx.record({ t: 'record-deleted', devices: [device.index] });
        }
      }
      ctx.record({ t: 'retry', devices: failed.map((d) => d.index) });
      return false;
    });
  }

  /** One look at Graph for a run's unfinished records and registrations; no waiting. */
  async refreshRun(runId: string, stop?: AbortSignal): Promise<RunView> {
    return this.withRun(runId, stop, async (ctx) => {
      await pollOnce(ctx);
      await checkRegistration(ctx);
      return ctx.state.view();
    });
  }

  /**
   * Deletes a run's import records in Graph: those of completed devices, or of every terminal device; `devices`
   * (run indexes) narrows it further. Records still being processed are never deleted (their result would be lost).
   */
  async deleteImportRecords(runId: string, which: 'completed' | 'terminal', stop?: AbortSignal, devices?: readonly number[]): Promise<number> {
    return this.withRun(runId, stop, (ctx) => this.removeRecords(ctx, which, devices));
  }

  /**
   * Why this engine's credentials may not work on `run` (another tenant's, or one without a tenant), or undefined.
   * The same rule guards every piece of work on a run; callers ask first to word it for their audience.
   */
  async checkTenant(run: Pick<RunView, 'id' | 'tenant'>): Promise<RunTenantError | undefined> {
    return tenantRefusal(run, await this.currentTenant());
  }

  /** A run as it is now: from memory while this engine works on it, else from its summary (no hashes read). */
  async view(runId: string): Promise<RunView> {
    return this.activeView(runId) ?? readRunView(this.journal, runId, this.logger);
  }

  /** A run this engine is working on, as it is now (synchronous: for progress events); undefined for any other run. */
  activeView(runId: string): RunView | undefined {
    return this.active.get(runId)?.view();
  }

  /** Every run in the journal, newest first, from their summaries. */
  listRuns(): Promise<RunView[]> {
    return listRunViews(this.journal, this.logger, (id) => this.activeView(id));
  }

  /**
   * Runs for this Graph root that still have devices to send or records to watch; with `registration`, also runs
   * whose completed devices were never watched until registered (a crash during that wait, or no wait at all).
   */
  async unfinishedRuns(options: { readonly registration?: boolean } = {}): Promise<RunView[]> {
    const open = (run: RunView) => run.phase !== 'finished' || (options.registration === true && !run.registrationWatched && registrationsAwaited(run) > 0);
    return (await this.listRuns()).filter((run) => run.graphRoot === this.graph.client.graphRoot && open(run));
  }

  async findRegisteredDevices(serialNumber: string, signal?: AbortSignal): Promise<RegisteredDevice[]> {
    return this.graph.findRegisteredDevicesBySerial(serialNumber, signal);
  }

  async syncAutopilot(signal?: AbortSignal): Promise<SyncOutcome> {
    return this.graph.syncAutopilot(signal);
  }

  /** A run's whole state, hashes included (to send, resume or poll it), read without blocking. */
  private async load(runId: string): Promise<HeldRun> {
    const { manifest, entries, eventsBytes } = await this.journal.readRun(runId);
    return { state: RunState.load(manifest, entries), eventsBytes };
  }


  /**
   * Runs `work` while holding the run, in this process and across processes: the lock is taken first, then the state
   * is read from the journal (never before: another process may have changed it until then), then the run's tenant
   * is checked. A new run comes with its lock and state already.
   */
  private async withRun<T>(run: string | CreatedRun, stop: AbortSignal | undefined, work: (ctx: RunContext, lock: RunLock) => Promise<T>): Promise<T> {
    const runId = typeof run === 'string' ? run : run.state.id;
    let lock: RunLock | undefined = typeof run === 'string' ? undefined : run.lock;
    try {
      if (this.active.has(runId)) throw new RunBusyError(runId, process.pid);
      const tenant = await this.currentTenant();
      lock ??= this.journal.lock(runId);
      const { state, eventsBytes } = typeof run === 'string' ? await this.load(runId) : { state: run.state, eventsBytes: 0 };
      const refusal = tenantRefusal(state.manifest, tenant);
      if (refusal) throw refusal;
      this.active.set(runId, state);
      const summary = new SummaryWriter(this.journal, state, this.logger, summaryIntervalMs(state.devices.length));
      // Written at once: a run without a current summary (an older version's, a crash) gets one.
      summary.changed(eventsBytes);
      try {
        return await work(new RunContext(state, this.graph, this.journal, this.settings, this.logger, this.clock, (event) => this.events.fire(event), stop, summary), lock);
      } finally {
        this.active.delete(runId);
        // Before the lock goes: the next holder starts from this summary.
        await summary.flush();
      }
    } finally {
      lock?.release();
    }
  }

  private async drive(
    run: string | CreatedRun,
    options: RunOptions,
    how: { readonly resumed: boolean; readonly discardUntouched?: boolean },
    /** Work under the same lock before sending; returning true ends the drive there. */
    prepare?: (ctx: RunContext) => Promise<boolean>,
  ): Promise<RunResult> {
    let state: RunState | undefined;
    let outcome: Omit<RunResult, 'run'> & { readonly state: RunState };
    try {
      outcome = await this.withRun(run, options.stop, async (ctx, lock) => {
        state = ctx.state;
        try {
          return { state: ctx.state, ...(await this.work(ctx, options, how.resumed, prepare)) };
        } catch (error) {
          if (how.discardUntouched && !isUserCancelled(error) && ctx.state.devices.every((d) => d.progress === 'not-sent')) {
            await ctx.summary?.flush();
            this.journal.discard(lock);
            this.logger.info(`Run ${ctx.runId}: discarded, nothing reached Graph before it failed`);
            throw new RunFailedError(ctx.runId, error, true);
          }
          throw error;
        }
      });
    } catch (error) {
      // Refused before any work (busy elsewhere, another tenant, not readable): nothing happened to the run here.
      if (!state || error instanceof RunFailedError) throw error;
      if (!isUserCancelled(error)) {
        this.events.fire({ type: 'run-stopped', runId: state.id, phase: state.phase(), reason: 'failed' });
        throw new RunFailedError(state.id, error);
      }
      outcome = { state, stopped: 'cancelled' };
    }
    const { state: final, ...result } = outcome;
    this.events.fire({ type: 'run-stopped', runId: final.id, phase: final.phase(), reason: result.stopped });
    return { run: final.view(), ...result };
  }

  private async work(ctx: RunContext, options: RunOptions, resumed: boolean, prepare?: (ctx: RunContext) => Promise<boolean>): Promise<Omit<RunResult, 'run'>> {
    if (await prepare?.(ctx)) return { stopped: ctx.state.phase() === 'finished' ? 'finished' : 'accepted' };
    ctx.emit({ type: 'run-started', runId: ctx.runId, devices: ctx.state.devices.length, resumed });
    if (resumed) await adoptLaterImports(ctx, this.journal);
    const sentAll = await sendUnsent(ctx, this.sendMode, options.cancel);
    ctx.emitProgress();
    if (!options.wait) return { stopped: sentAll ? 'accepted' : 'cancelled' };
    const deadline = this.clock.now() + this.settings.timeLimitMs;
    if (!(await watchUntilProcessed(ctx, deadline))) return { stopped: 'time-limit' };
    await checkForSecondRecords(ctx);
    let sync: RunResult['sync'];
    let allRegistered: boolean | undefined;
    if (options.sync && ctx.state.devices.some((d) => d.status === 'complete' && !d.registered)) sync = await this.syncFor(ctx);
    if (options.waitForRegistration) {
      allRegistered = await watchRegistration(ctx, deadline);
      ctx.record({ t: 'registration-watched', allRegistered });
    }
    if (options.removeCompletedRecords) await this.removeRecords(ctx, 'completed');
    return { stopped: sentAll ? 'finished' : 'cancelled', sync, allRegistered };
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
        !d.importedBy &&
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
