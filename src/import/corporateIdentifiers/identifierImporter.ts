/**
 * Imports corporate identifiers exactly once, whatever Graph does: the run is journaled before anything is sent; a
 * search first says which identifiers the tenant has (skipped unless overwrite); chunks go through
 * `importDeviceIdentityList`, each journaled as "sending" before it leaves; a chunk Graph did not confirm (a timeout,
 * a cut connection, a 5xx) is sent again only after the settle time has passed and a fresh search shows it missing; a
 * 400 is narrowed down to the identifiers Graph refused. A crash or Ctrl-C leaves a run that `resume` finishes.
 */
import { linkSignals, systemClock, throwIfAborted, type Clock } from '../../common/clock';
import { isUserCancelled } from '../../common/errors';
import { silentLogger, type Logger } from '../../common/logger';
import type { CorporateIdentifierGraph } from '../../graph/corporateIdentifiers';
import { GraphError } from '../../graph/errors';
import { Emitter } from '../events';
import { JOURNAL_VERSION, newRunId, type Journal, type RunLock, type RunTenant } from '../journal';
import { isUncertainOutcome } from '../sender';
import { rememberedTenant, sameTenant, tenantRefusal } from '../tenant';
import type { RunSummaries, SummaryWriter } from '../runSummary';
import { IDENTIFIER_RUN_KIND, IdentifierRunState, identifierRunSummaries, type IdentifierEntry, type IdentifierRunManifest, type IdentifierRunView, type IdentitySnapshot, type ItemResult } from './identifierRun';
import { chunked, matchRecords, searchIdentifiers, sendErrorOf, snapshotOf, type SearchResult } from './identifierSearch';
import { RunBusyError, RunFailedError, UnconfirmedIdentifiersError } from '../errors';

export interface IdentifierImportSettings {
  /**
   * Identifiers per `importDeviceIdentityList` (and `searchExistingIdentities`) call. Graph documents no maximum; the
   * portal takes 5,000 rows per file and the community script sends a file per call. 500 — the documented maximum of
   * the hardware-hash `/import` — stays well inside what the field has shown to work.
   */
  readonly chunkSize: number;
  /** How long Graph may take to commit a write it did not confirm (SPEC 6.1, `AUTOPILOT_SETTLE_SECONDS`). */
  readonly settleMs: number;
  /** How often an identifier may come back "outcome unknown" before the run stops with an error. */
  readonly maxUncertainAttempts: number;
}

export const MAX_IDENTIFIER_CHUNK_SIZE = 500;
export const DEFAULT_IDENTIFIER_SETTINGS: IdentifierImportSettings = { chunkSize: MAX_IDENTIFIER_CHUNK_SIZE, settleMs: 60_000, maxUncertainAttempts: 3 };

export type IdentifierEvent =
  | { readonly type: 'checking'; readonly runId: string; readonly identifiers: number }
  | { readonly type: 'sending'; readonly runId: string; readonly send: number; readonly identifiers: number }
  | { readonly type: 'settling'; readonly runId: string; readonly identifiers: number; readonly waitMs: number }
  | { readonly type: 'progress'; readonly runId: string; readonly view: IdentifierRunView };

/** What an import would do, from one search: sends nothing, journals nothing. */
export interface IdentifierPlan {
  /** Each identifier once, in the order given. */
  readonly identifiers: readonly string[];
  /** Those the tenant has already (by index into `identifiers`). */
  readonly existing: readonly IdentitySnapshot[];
  /** Those Graph refused to look up (it would refuse to import them too). */
  readonly refused: SearchResult['refused'];
  /** How many of the identifiers given repeated an earlier one. */
  readonly repeats: number;
}

export interface IdentifierRunOptions {
  /** Stops sending further chunks; what was sent is settled and reported. */
  readonly cancel?: AbortSignal;
  /** Stops everything, requests in flight included (the journal says what to reconcile on resume). */
  readonly stop?: AbortSignal;
}

export interface IdentifierStartOptions extends IdentifierRunOptions {
  readonly source: string;
  readonly overwrite: boolean;
  /** A plan made just before (it becomes the run's check, so the tenant is searched once). */
  readonly plan?: IdentifierPlan;
}

export interface IdentifierRunResult {
  readonly run: IdentifierRunView;
  readonly stopped: 'finished' | 'cancelled';
}


function unique(identifiers: readonly string[]): { identifiers: string[]; repeats: number } {
  const seen = new Set<string>();
  const kept = identifiers.filter((identifier) => !seen.has(identifier) && Boolean(seen.add(identifier)));
  return { identifiers: kept, repeats: identifiers.length - kept.length };
}

export class IdentifierImporter {
  readonly events = new Emitter<IdentifierEvent>();
  readonly settings: IdentifierImportSettings;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly active = new Map<string, IdentifierRunState>();
  private readonly summaries: RunSummaries<IdentifierRunView, IdentifierRunManifest, IdentifierEntry>;
  private readonly currentTenant: () => Promise<RunTenant | undefined>;

  constructor(
    private readonly options: {
      readonly graph: CorporateIdentifierGraph;
      readonly journal: Journal<IdentifierRunManifest, IdentifierEntry>;
      readonly logger?: Logger;
      readonly clock?: Clock;
      readonly settings?: Partial<IdentifierImportSettings>;
      /**
       * The tenant the credentials are for, as for hash imports (SPEC 6.1): new runs are stamped with it and no run
       * of another tenant is worked on. Without it, only runs without a tenant are.
       */
      readonly tenant?: () => Promise<RunTenant>;
    },
  ) {
    const overrides = Object.fromEntries(Object.entries(options.settings ?? {}).filter(([, value]) => value !== undefined));
    this.settings = { ...DEFAULT_IDENTIFIER_SETTINGS, ...overrides };
    const { chunkSize } = this.settings;
    if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_IDENTIFIER_CHUNK_SIZE) throw new RangeError(`The chunk size must be a whole number from 1 to ${MAX_IDENTIFIER_CHUNK_SIZE}.`);
    this.logger = options.logger ?? silentLogger;
    this.clock = options.clock ?? systemClock;
    this.summaries = identifierRunSummaries(options.journal, this.logger);
    this.currentTenant = rememberedTenant(options.tenant);
  }

  get graph(): CorporateIdentifierGraph {
    return this.options.graph;
  }

  get journal(): Journal<IdentifierRunManifest, IdentifierEntry> {
    return this.options.journal;
  }

  /** Which of `identifiers` the tenant has already, and which Graph refuses. Sends nothing. */
  async plan(identifiers: readonly string[], signal?: AbortSignal): Promise<IdentifierPlan> {
    const { identifiers: kept, repeats } = unique(identifiers);
    const result = await searchIdentifiers(this.graph, kept, kept.map((_, index) => index), this.settings.chunkSize, signal);
    return { identifiers: kept, existing: result.found, refused: result.refused, repeats };
  }

  /**
   * Journals a new run (locked from the moment it exists) before anything is sent, then checks, sends and settles it.
   * A run that fails before any identifier could reach Graph (the token or the permission is refused, Graph cannot be
   * reached) is discarded, as for hash imports: it becomes resumable only once its first import request could leave.
   */
  async start(identifiers: readonly string[], options: IdentifierStartOptions): Promise<IdentifierRunResult> {
    const planned = options.plan && options.plan.identifiers.join('\n') === unique(identifiers).identifiers.join('\n') ? options.plan : undefined;
    const created = this.create(unique(identifiers).identifiers, options, await this.currentTenant());
    return this.drive(created, options, planned);
  }

  /** Finishes a run from its journal: settles and reconciles what was unconfirmed, sends what was never sent. */
  async resume(runId: string, options: IdentifierRunOptions = {}): Promise<IdentifierRunResult> {
    return this.drive(runId, options);
  }

  /** A run as it is now: from memory while this importer works on it, else from its summary (read without blocking). */
  async view(runId: string): Promise<IdentifierRunView> {
    return this.active.get(runId)?.view() ?? this.summaries.read(runId);
  }

  /** Every identifier run of the journal, newest first, from their summaries (runs that cannot be read are left out, with a warning). */
  listRuns(): Promise<IdentifierRunView[]> {
    return this.summaries.list((runId) => this.active.get(runId)?.view());
  }

  /** Runs for this Graph root that still have identifiers to check, send or settle: `mine` these credentials may finish. */
  async unfinishedRuns(): Promise<{ mine: IdentifierRunView[]; others: IdentifierRunView[] }> {
    const tenant = await this.currentTenant();
    const open = (await this.listRuns()).filter((run) => !run.finished && run.graphRoot === this.graph.client.graphRoot);
    return { mine: open.filter((run) => sameTenant(run.tenant, tenant)), others: open.filter((run) => !sameTenant(run.tenant, tenant)) };
  }


  private create(identifiers: readonly string[], options: IdentifierStartOptions, tenant: RunTenant | undefined): CreatedRun {
    if (!identifiers.length) throw new Error('There are no corporate identifiers to import.');
    const manifest: IdentifierRunManifest = {
      version: JOURNAL_VERSION,
      kind: IDENTIFIER_RUN_KIND,
      id: newRunId(this.clock.now(), this.clock.random),
      startedAt: new Date(this.clock.now()).toISOString(),
      source: options.source,
      graphRoot: this.graph.client.graphRoot,
      ...(tenant ? { tenant } : {}),
      chunkSize: this.settings.chunkSize,
      overwrite: options.overwrite,
      identifiers,
    };
    const lock = this.journal.createRun(manifest);
    this.logger.info(
      `Identifier run ${manifest.id}: ${identifiers.length} corporate identifier(s) from ${options.source}${tenant ? ` into tenant ${tenant.id}` : ''}${options.overwrite ? ', overwriting' : ''}`,
    );
    return { state: new IdentifierRunState(manifest), lock };
  }

  /** A run's whole state, to work on it, read without blocking; with the length of the journal it was folded from. */
  private async load(runId: string): Promise<{ state: IdentifierRunState; eventsBytes: number }> {
    const { manifest, entries, eventsBytes } = await this.journal.readRun(runId);
    return { state: IdentifierRunState.load(manifest, entries), eventsBytes };
  }

  /**
   * Works on a run while holding it, in this process and across processes: the lock first (a new run comes with
   * it), then the state as the journal has it (never read before: another process may have changed it until then),
   * then the run's tenant. Refusals (busy, another tenant) leave the run as it was.
   */
  private async drive(run: string | CreatedRun, options: IdentifierRunOptions, plan?: IdentifierPlan): Promise<IdentifierRunResult> {
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
      const summary = this.summaries.writer(state, state.items.length);
      // Written at once: a run without a current summary (an older version's, a crash) gets one.
      summary.changed(eventsBytes);
      const work = new IdentifierRunWork(state, this, this.journal, this.logger, this.clock, options, summary);
      let stopped: IdentifierRunResult['stopped'] = 'cancelled';
      try {
        if (plan) work.recordPlan(plan);
        stopped = (await work.work()) ? 'finished' : 'cancelled';
      } catch (error) {
        if (isUserCancelled(error)) return { run: state.view(), stopped };
        if (typeof run !== 'string' && !state.anySent) {
          await summary.flush();
          this.journal.discard(lock);
          lock = undefined;
          this.logger.info(`Identifier run ${runId}: discarded, nothing reached Graph before it failed`);
          throw new RunFailedError(runId, error, true);
        }
        throw new RunFailedError(runId, error);
      } finally {
        this.active.delete(runId);
        // Before the lock goes: the next holder starts from this summary.
        await summary.flush();
      }
      return { run: state.view(), stopped };
    } finally {
      lock?.release();
    }
  }
}

/** A run just journaled, with its lock. */
interface CreatedRun {
  readonly state: IdentifierRunState;
  readonly lock: RunLock;
}

/** One drive of one run, while its lock is held. */
class IdentifierRunWork {
  private readonly attempts = new Map<number, number>();

  constructor(
    private readonly state: IdentifierRunState,
    private readonly importer: IdentifierImporter,
    private readonly journal: Journal<IdentifierRunManifest, IdentifierEntry>,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly options: IdentifierRunOptions,
    private readonly summary: SummaryWriter<IdentifierRunView>,
  ) {}

  private get identifiers(): readonly string[] {
    return this.state.manifest.identifiers;
  }

  private get chunkSize(): number {
    return this.state.manifest.chunkSize;
  }

  /** Journals first, then updates memory: what the run believes is never ahead of what a restart would believe. */
  private record(entry: DistributiveOmit<IdentifierEntry, 'at'>, durable = false): void {
    const stamped = { ...entry, at: new Date(this.clock.now()).toISOString() } as IdentifierEntry;
    const eventsBytes = this.journal.append(this.state.id, stamped, durable);
    this.state.apply(stamped);
    this.summary.changed(eventsBytes);
  }

  private progress(): void {
    this.importer.events.fire({ type: 'progress', runId: this.state.id, view: this.state.view() });
  }

  recordPlan(plan: IdentifierPlan): void {
    this.record({ t: 'checked', items: plan.identifiers.map((_, index) => index), found: plan.existing });
    for (const refusal of plan.refused) this.record({ t: 'refused', items: refusal.items, error: refusal.error });
  }

  /** True when every identifier is done; false when `cancel` stopped it first. */
  async work(): Promise<boolean> {
    const { cancel, stop } = this.options;
    await this.check();
    const unconfirmed = this.state.inPhase('uncertain').map((item) => item.index);
    if (unconfirmed.length && !(await this.settleAndReconcile(unconfirmed))) return false;
    const queue = chunked(
      this.state.inPhase('to-send').map((item) => item.index),
      this.chunkSize,
    );
    for (;;) {
      while (queue.length) {
        if (cancel?.aborted) return false;
        throwIfAborted(stop);
        queue.unshift(...(await this.send(queue.shift()!)));
        this.progress();
      }
      const pending = this.state.inPhase('uncertain').map((item) => item.index);
      if (!pending.length) break;
      if (!(await this.settleAndReconcile(pending))) return false;
      const missing = this.state.inPhase('to-send').map((item) => item.index);
      if (missing.some((item) => (this.attempts.get(item) ?? 0) >= this.importer.settings.maxUncertainAttempts)) throw new UnconfirmedIdentifiersError(missing.length);
      queue.push(...chunked(missing, this.chunkSize));
    }
    return this.state.finished;
  }

  /** `searchExistingIdentities` for identifiers never checked: the tenant's own are skipped unless overwriting. */
  private async check(): Promise<void> {
    const unchecked = this.state.inPhase('unchecked').map((item) => item.index);
    if (!unchecked.length) return;
    this.importer.events.fire({ type: 'checking', runId: this.state.id, identifiers: unchecked.length });
    for (const chunk of chunked(unchecked, this.chunkSize)) {
      const result = await searchIdentifiers(this.importer.graph, this.identifiers, chunk, this.chunkSize, this.options.stop);
      this.record({ t: 'checked', items: chunk, found: result.found });
      for (const refusal of result.refused) this.record({ t: 'refused', items: refusal.items, error: refusal.error });
    }
    const existing = this.state.items.filter((item) => item.existing).length;
    this.logger.info(`Identifier run ${this.state.id}: ${existing} of ${this.identifiers.length} already in the tenant${this.state.manifest.overwrite ? ' (overwriting them)' : ' (skipped)'}`);
    this.progress();
  }

  /** Sends one chunk; returns chunks to send next (the halves of a chunk Graph refused with a 400). */
  private async send(items: number[]): Promise<number[][]> {
    const send = this.state.takeSendNumber();
    this.record({ t: 'send', send, items }, true);
    this.importer.events.fire({ type: 'sending', runId: this.state.id, send, identifiers: items.length });
    this.logger.info(`Identifier run ${this.state.id}: sending chunk ${send} (${items.length} identifier(s)) through importDeviceIdentityList`);
    try {
      const results = await this.importer.graph.importList(
        items.map((item) => this.identifiers[item]!),
        this.state.manifest.overwrite,
        this.options.stop,
      );
      const matched = matchRecords(this.identifiers, items, results);
      const accepted: ItemResult[] = [...matched].map(([item, result]) => ({ ...snapshotOf(item, result), status: result.status !== false }));
      this.record({ t: 'accepted', send, results: accepted });
      const unanswered = items.filter((item) => !matched.has(item));
      if (unanswered.length) this.unconfirmed(send, unanswered, 'missing from the answer');
      return [];
    } catch (error) {
      if (isUserCancelled(error)) {
        // The request may have left: the next run of this journal settles and checks it.
        this.record({ t: 'uncertain', send, items, reason: 'stopped' });
        throw error;
      }
      if (isUncertainOutcome(error)) {
        this.logger.warn(`Identifier run ${this.state.id}: no answer for chunk ${send} (${(error as Error).message}); will check Graph before sending again`);
        this.unconfirmed(send, items, (error as Error).message);
        return [];
      }
      if (error instanceof GraphError && error.status === 400) {
        // A 400 refuses the whole request, so nothing was imported: find the identifiers Graph objects to.
        if (items.length === 1) {
          this.record({ t: 'refused', items, error: sendErrorOf(error) });
          return [];
        }
        this.record({ t: 'rejected', send, items, error: sendErrorOf(error) });
        const half = Math.ceil(items.length / 2);
        return [items.slice(0, half), items.slice(half)];
      }
      this.record({ t: 'rejected', send, items, error: sendErrorOf(error) });
      throw error;
    }
  }

  private unconfirmed(send: number, items: readonly number[], reason: string): void {
    for (const item of items) this.attempts.set(item, (this.attempts.get(item) ?? 0) + 1);
    this.record({ t: 'uncertain', send, items, reason });
  }

  /**
   * Waits out the settle time of unconfirmed sends, then searches: an identifier Graph has now was committed (for an
   * overwrite, once its record differs from the one the run saw before sending); the rest go out again.
   */
  private async settleAndReconcile(items: readonly number[]): Promise<boolean> {
    if (!(await this.settle(items))) return false;
    const result = await searchIdentifiers(this.importer.graph, this.identifiers, items, this.chunkSize, this.options.stop);
    const found = new Map(result.found.map((snapshot) => [snapshot.item, snapshot]));
    const refused = new Set(result.refused.flatMap((refusal) => refusal.items));
    const imported = items.flatMap((index) => {
      const snapshot = found.get(index);
      if (!snapshot) return [];
      const before = this.state.items[index]!.existing;
      const changed = !before || snapshot.id !== before.id || !snapshot.lastModifiedDateTime || snapshot.lastModifiedDateTime !== before.lastModifiedDateTime;
      return changed ? [snapshot] : [];
    });
    this.record({ t: 'reconciled', items: items.filter((index) => !refused.has(index)), imported });
    for (const refusal of result.refused) this.record({ t: 'refused', items: refusal.items, error: refusal.error });
    this.logger.info(`Identifier run ${this.state.id}: ${imported.length} of ${items.length} unconfirmed identifier(s) found in Graph; the rest go out again`);
    this.progress();
    return true;
  }

  private async settle(items: readonly number[]): Promise<boolean> {
    const now = this.clock.now();
    const since = Math.max(...items.map((index) => this.state.items[index]!.unconfirmedAt ?? now));
    const waitMs = since + this.importer.settings.settleMs - now;
    if (waitMs <= 0) return true;
    this.logger.info(`Identifier run ${this.state.id}: Graph may still commit ${items.length} identifier(s) it did not confirm; waiting ${(waitMs / 1000).toFixed(1)} s before checking`);
    this.importer.events.fire({ type: 'settling', runId: this.state.id, identifiers: items.length, waitMs });
    const linked = linkSignals(this.options.stop, this.options.cancel);
    try {
      await this.clock.sleep(waitMs, linked.signal);
      return true;
    } catch (error) {
      if (this.options.cancel?.aborted && !this.options.stop?.aborted) return false;
      throw error;
    } finally {
      linked.dispose();
    }
  }
}

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;
