/**
 * The extension's side of the import engine: starts, continues and retries runs, stops their sending, polls them
 * once on request, deletes records, forgets runs, syncs and looks devices up, and keeps the Recent Imports model
 * in step with the journal and the engine's events. Commands and the poll scheduler call it; the tree reads the model.
 */
import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import type { AuthService } from '../../auth/authService';
import { linkSignals } from '../../common/clock';
import { isUserCancelled, oneLineMessage } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { SyncOutcome } from '../../graph/autopilot';
import type { ImportedDeviceIdentity, RegisteredDevice } from '../../graph/types';
import type { ImportEngine, RunOptions, RunResult } from '../engine';
import { Emitter, type ImportEvent, type Subscription } from '../events';
import type { RunView } from '../runState';
import { RunBusyError } from '../errors';
import { causeOf, describeFailure } from '../failures';
import { tenantRefusal } from '../tenant';
import type { DeviceToImport } from '../../payload/api';
import { awaitingResult, sourceName, type ImportsModel } from './importsModel';
import { EngineSessions, normalizedGraphRoot, runTenantOf, type EngineSession, type HeldSession } from './engineSessions';
import type { HttpTransport } from '../../common/httpTransport';
import type { ImportSettings } from './importSettings';

export interface ImportServiceOptions {
  readonly auth: AuthService;
  readonly log: Logger;
  readonly model: ImportsModel;
  readonly journalDirectory: string;
  readonly readSettings: () => ImportSettings;
  readonly userAgent: string;
  /** How Graph requests leave the process (VS Code's proxy support; see `hostProxy.ts`). */
  readonly transport?: HttpTransport;
}

export interface ImportRequest {
  readonly devices: readonly DeviceToImport[];
  /** The file (or untitled editor) the devices came from. */
  readonly source: string;
  /** Replaces every device's group tag. */
  readonly groupTag?: string;
}

/** The moment a progress notification can end: all sent devices decided, sending stopped, a time limit, or a failure. */
export type Milestone =
  | { readonly kind: 'processed' | 'stopped' | 'time-limit'; readonly view: RunView }
  | { readonly kind: 'failed'; readonly error: unknown };

export interface RunHandle {
  readonly runId: string;
  readonly milestone: Promise<Milestone>;
  /** The whole piece of work, including sync and record clean-up after processing; never rejects. */
  readonly finished: Promise<RunResult | undefined>;
}

interface Drive {
  readonly cancel: AbortController;
  readonly engine: ImportEngine;
}

/**
 * An error as the user should read it in VS Code: the shared vocabulary's sentence (see import/failures.ts), with the
 * original as its cause for the log. Cancellation stays cancellation, so it is not reported.
 */
export function errorForUser(error: unknown, accountKind: 'user' | 'app' = 'user', work: 'devices' | 'identifiers' = 'devices'): unknown {
  const cause = causeOf(error);
  if (isUserCancelled(cause) || !(cause instanceof Error)) return cause;
  const sentence = describeFailure(cause, { surface: 'editor', accountKind, work });
  return sentence === cause.message ? cause : new Error(sentence, { cause });
}

export class ImportService {
  private readonly sessions: EngineSessions;
  private readonly drives = new Map<string, Drive>();
  /** Work on one run in this window happens one piece at a time (a poll never races a delete). */
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly disposed = new AbortController();
  private readonly driveEnded = new Emitter<string>();
  private loading: Promise<void> | undefined;

  constructor(private readonly options: ImportServiceOptions) {
    this.sessions = new EngineSessions({ ...options, onEngine: (engine) => engine.events.on((event) => this.onEngineEvent(engine, event)) });
  }

  get model(): ImportsModel {
    return this.options.model;
  }

  /** Fires with a run id when this window stops sending and watching a run (the scheduler takes over from there). */
  onDidEndDrive(listener: (runId: string) => void): Subscription {
    return this.driveEnded.on(listener);
  }

  isDriving(runId: string): boolean {
    return this.drives.has(runId);
  }

  /** Whether the journal holds any run (checked without loading the engine). */
  hasJournal(): Promise<boolean> {
    return fsp.access(path.join(this.options.journalDirectory, 'runs')).then(
      () => true,
      () => false,
    );
  }

  /** Reads every run's summary from the journal into the model (no hashes, no blocking file I/O). No Graph call. */
  loadRuns(): Promise<void> {
    this.loading ??= this.readJournal().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async readJournal(): Promise<void> {
    if (!(await this.hasJournal())) {
      this.model.replaceAll([]);
      return;
    }
    const [{ listRunViews }, { Journal }] = await Promise.all([import('../runSummary'), import('../journal')]);
    const views = await listRunViews(new Journal(this.options.journalDirectory), this.options.log, (id) => this.drives.get(id)?.engine.activeView(id));
    this.model.replaceAll(views);
  }

  /**
   * Whether this window may watch a run now: the active account is in the run's tenant and the configured Graph
   * root is the run's. Polling a run under another tenant would find none of its records.
   */
  canWatch(view: RunView): boolean {
    const account = this.options.auth.activeAccount;
    if (!account || tenantRefusal(view, runTenantOf(account))) return false;
    const problem = this.options.auth.settingsProblem;
    return !problem && normalizedGraphRoot(this.options.auth.settings.endpoints.graphRoot) === view.graphRoot;
  }

  /** How many import engines are alive in this window (one per account and settings in use). */
  get aliveEngines(): number {
    return this.sessions.alive;
  }

  /**
   * Runs `work` with the Graph session of the active account, for features that share its client, write budget and
   * tenant; the session stays alive until the work ends.
   */
  useActiveSession<T>(work: (session: EngineSession) => Promise<T>): Promise<T> {
    return this.sessions.use(work);
  }

  /** Journals a new run, shows it, and sends it under the returned handle. */
  async startImport(request: ImportRequest, onProgress?: (view: RunView) => void): Promise<RunHandle> {
    const held = await this.sessions.acquire();
    try {
      const { engine } = held.session;
      const view = await engine.prepareRun(request.devices, {
        source: request.source,
        ...(request.groupTag !== undefined ? { groupTag: request.groupTag } : {}),
      });
      this.model.update(view);
      return this.drive(held, view.id, (options) => engine.resumeRun(view.id, options), onProgress);
    } catch (error) {
      held.release();
      throw error;
    }
  }

  /** Sends what a run has not sent yet (after reconciling any chunk whose answer never came), then watches. */
  async continueRun(runId: string, onProgress?: (view: RunView) => void): Promise<RunHandle> {
    return this.driveWithSessionFor(runId, (engine, options) => engine.resumeRun(runId, options), onProgress);
  }

  /** Deletes the failed devices' records and imports those devices again (all failed ones, or `devices`). */
  async retryFailed(runId: string, devices?: readonly number[], onProgress?: (view: RunView) => void): Promise<RunHandle> {
    return this.driveWithSessionFor(runId, (engine, options) => engine.retryFailed(runId, { ...options, ...(devices ? { devices } : {}) }), onProgress);
  }

  private async driveWithSessionFor(runId: string, work: (engine: ImportEngine, options: RunOptions) => Promise<RunResult>, onProgress?: (view: RunView) => void): Promise<RunHandle> {
    const held = await this.sessions.acquire();
    try {
      this.checkSessionFor(runId, held.session);
      return this.drive(held, runId, (options) => work(held.session.engine, options), onProgress);
    } catch (error) {
      held.release();
      throw error;
    }
  }

  /** Stops sending further chunks of a run; what was sent is still watched. */
  stopSending(runId: string): boolean {
    const drive = this.drives.get(runId);
    if (!drive) return false;
    if (!drive.cancel.signal.aborted) {
      drive.cancel.abort();
      if (this.model.run(runId)?.activity === 'sending') this.model.setActivity(runId, 'stopping');
    }
    return true;
  }

  /** One look at Graph for a run's unfinished records and registrations. */
  async refreshRun(runId: string): Promise<void> {
    if (this.drives.has(runId)) return; // its drive is watching it already
    await this.useSessionFor(runId, (session) => this.exclusive(runId, async () => {
      try {
        this.model.update(await session.engine.refreshRun(runId, this.disposed.signal));
        this.model.setProblem(runId, undefined);
      } catch (error) {
        if (error instanceof RunBusyError) {
          // Another window or a terminal is working on it: show what it has journaled so far.
          this.model.update(await session.engine.view(runId));
          return;
        }
        throw errorForUser(error, session.account.kind);
      }
    }));
  }

  /** Deletes import records of decided devices of a run (all of them, or those of `devices`). */
  async deleteRecords(runId: string, devices?: readonly number[]): Promise<number> {
    if (this.drives.has(runId)) throw new Error(l10n.t('{0} is still being imported; wait until it has finished.', this.runName(runId)));
    return this.useSessionFor(runId, (session) => this.exclusive(runId, async () => {
      try {
        return await session.engine.deleteImportRecords(runId, 'terminal', this.disposed.signal, devices);
      } catch (error) {
        throw errorForUser(error, session.account.kind);
      } finally {
        this.model.update(await session.engine.view(runId));
      }
    }));
  }

  /**
   * Removes runs from the journal (and the tree); Graph is not touched. Runs being worked on, here or by another
   * window or terminal, are kept. Returns the ids removed.
   */
  async forget(runIds: readonly string[]): Promise<string[]> {
    const { Journal } = await import('../journal');
    const journal = new Journal(this.options.journalDirectory);
    const removed: string[] = [];
    for (const runId of runIds) {
      if (this.drives.has(runId)) continue;
      await this.exclusive(runId, async () => {
        try {
          // Under the run's lock: never while another window or terminal is working on it.
          journal.forget(runId);
          removed.push(runId);
        } catch (error) {
          if (!(error instanceof RunBusyError)) throw error;
          this.options.log.info(`Kept import ${runId} in the list: ${error.message}`);
        }
      });
    }
    this.model.remove(removed);
    return removed;
  }

  sync(): Promise<SyncOutcome> {
    return this.sessions.use(async (session) => {
      try {
        return await session.engine.syncAutopilot(this.disposed.signal);
      } catch (error) {
        throw errorForUser(error, session.account.kind);
      }
    });
  }

  findRegistered(serialNumber: string): Promise<{ devices: RegisteredDevice[]; session: EngineSession }> {
    return this.sessions.use(async (session) => {
      try {
        return { devices: await session.engine.findRegisteredDevices(serialNumber, this.disposed.signal), session };
      } catch (error) {
        throw errorForUser(error, session.account.kind);
      }
    });
  }

  /** A device's import record as Graph has it now, or undefined when Graph has none (never sent, or deleted). */
  async readRecord(runId: string, index: number): Promise<ImportedDeviceIdentity | undefined> {
    const device = this.model.device(runId, index);
    const recordId = device?.id;
    if (!recordId || device.recordDeleted) return undefined;
    return this.useSessionFor(runId, async (session) => {
      try {
        return await session.engine.graph.getImportedDevice(recordId, this.disposed.signal);
      } catch (error) {
        throw errorForUser(error, session.account.kind);
      }
    });
  }

  /** Runs `work` with the active session, if it may work on `runId`; else says why not. */
  private useSessionFor<T>(runId: string, work: (session: EngineSession) => Promise<T>): Promise<T> {
    return this.sessions.use((session) => {
      this.checkSessionFor(runId, session);
      return work(session);
    });
  }

  /** Throws why the session may not work on `runId` (another tenant or Graph root), if it may not. */
  private checkSessionFor(runId: string, session: EngineSession): void {
    const view = this.model.run(runId)?.view;
    if (!view) throw new Error(l10n.t('That import is no longer in Recent Imports.'));
    if (view.graphRoot !== session.graphRoot) {
      throw new Error(l10n.t('{0} was imported through {1}, not {2}: switch autopilot.cloud back to work on it.', this.runName(runId), view.graphRoot, session.graphRoot));
    }
    const refusal = tenantRefusal(view, session.tenant);
    if (refusal) throw new Error(describeFailure(refusal, { surface: 'editor', runName: this.runName(runId) }), { cause: refusal });
  }

  private runName(runId: string): string {
    const view = this.model.run(runId)?.view;
    return view ? sourceName(view.source) : runId;
  }

  private exclusive<T>(runId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(runId) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    const settled = next.catch(() => undefined);
    this.queues.set(runId, settled);
    void settled.then(() => {
      if (this.queues.get(runId) === settled) this.queues.delete(runId);
    });
    return next;
  }

  private onEngineEvent(engine: ImportEngine, event: ImportEvent): void {
    // Runs this window drives are updated by their drive; other engines' events (old sessions) update the view too.
    if (event.type === 'progress' || event.type === 'sync' || event.type === 'run-stopped') {
      if (!this.model.run(event.runId)) return;
      const driven = this.drives.get(event.runId)?.engine === engine;
      // The drive shows its own run's progress (one view of thousands of devices per event, not two).
      if (driven && event.type === 'progress') return;
      const live = engine.activeView(event.runId);
      if (live) this.model.update(live);
      // A run this window drives shows its final state when the drive ends.
      else if (!driven) void this.showFromJournal(engine, event.runId);
    }
  }

  /** Sends and watches a run with a held session, released when the work ends. */
  private drive(held: HeldSession, runId: string, work: (options: RunOptions) => Promise<RunResult>, onProgress?: (view: RunView) => void): RunHandle {
    if (this.drives.has(runId)) throw new Error(l10n.t('{0} is already being imported in this window.', this.runName(runId)));
    const { engine, account } = held.session;
    const settings = this.options.readSettings();
    const cancel = new AbortController();
    const stop = linkSignals(this.disposed.signal);
    this.drives.set(runId, { cancel, engine });
    this.model.setProblem(runId, undefined);
    this.model.setActivity(runId, 'sending');

    const milestone = firstOf<Milestone>();
    const progress = this.followProgress(engine, runId, cancel.signal, milestone.reach, onProgress);
    const options: RunOptions = { wait: true, sync: settings.syncAfterImport, removeCompletedRecords: settings.removeCompletedRecords, cancel: cancel.signal, stop: stop.signal };
    const worked = this.exclusive(runId, () => work(options)).then(
      (result) => {
        if (result.stopped === 'time-limit') this.model.setProblem(runId, l10n.t('Stopped watching after the time limit (autopilot.poll.timeLimitMinutes); Refresh checks again.'));
        milestone.reach({ kind: result.stopped === 'time-limit' ? 'time-limit' : result.stopped === 'cancelled' ? 'stopped' : 'processed', view: result.run });
        return result;
      },
      (error: unknown) => {
        const shown = errorForUser(error, account.kind);
        // The notification ends first: nothing after this (the log, the model, reading the journal) may keep it open.
        milestone.reach({ kind: 'failed', error: shown });
        if (!isUserCancelled(error)) {
          this.options.log.error(`Import ${runId} stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          this.model.setProblem(runId, oneLineMessage(shown));
        }
        return undefined;
      },
    );
    const finished = worked.then(async (result) => {
      held.release();
      progress.dispose();
      stop.dispose();
      await this.endDrive(engine, runId, result?.run);
      return result;
    });
    return { runId, milestone: milestone.promise, finished };
  }

  /**
   * Feeds a driven run's progress to the model and the caller, and names the moment its notification can end: all
   * sent devices decided, or the chunk in flight answered after a stop request.
   */
  private followProgress(engine: ImportEngine, runId: string, cancelled: AbortSignal, reach: (milestone: Milestone) => void, onProgress?: (view: RunView) => void): Subscription {
    let sendingOver = false;
    return engine.events.on((event) => {
      if (event.runId !== runId || event.type !== 'progress') return;
      // Progress comes from work under way, so the engine has the run in memory.
      const view = engine.activeView(runId) ?? this.model.run(runId)?.view;
      if (!view) return;
      this.model.update(view);
      // A progress event after a stop request means the chunk in flight has been answered: nothing more is sent.
      if (!sendingOver && (event.phase !== 'sending' || cancelled.aborted)) {
        sendingOver = true;
        this.model.setActivity(runId, 'watching');
      }
      onProgress?.(view);
      if (sendingOver && cancelled.aborted) reach({ kind: 'stopped', view });
      else if (sendingOver && awaitingResult(view) === 0) reach({ kind: 'processed', view });
    });
  }

  /** This window stops driving a run: the model shows its final state (the journal's last word after a failure), and the scheduler takes over. */
  private async endDrive(engine: ImportEngine, runId: string, final: RunView | undefined): Promise<void> {
    this.drives.delete(runId);
    // Idle once the model shows the run's final state, so whoever waits for idle sees it.
    if (final && this.model.run(runId)) this.model.update(final);
    else if (!final) await this.showFromJournal(engine, runId);
    this.model.setActivity(runId, 'idle');
    this.driveEnded.fire(runId);
  }

  /** Shows the journal's last word on a run no engine here is working on (its summary). */
  private async showFromJournal(engine: ImportEngine, runId: string): Promise<void> {
    try {
      const view = await engine.view(runId);
      if (this.model.run(runId)) this.model.update(view);
    } catch (error) {
      this.options.log.warn(`Import ${runId}: could not read it back from the journal: ${(error as Error).message}`);
    }
  }

  dispose(): void {
    // Requests in flight are aborted; the journal says what was sent, so the next window resumes watching.
    this.disposed.abort();
    this.sessions.dispose();
  }
}

/** A promise settled by the first `reach` only: later ones (a stop after processing ended, say) change nothing. */
function firstOf<T>(): { readonly promise: Promise<T>; reach(value: T): void } {
  let settle!: (value: T) => void;
  let settled = false;
  const promise = new Promise<T>((resolve) => (settle = resolve));
  return {
    promise,
    reach: (value) => {
      if (settled) return;
      settled = true;
      settle(value);
    },
  };
}
