/**
 * Run summaries: what run lists show of a run (counts, states, tenant, source, times, and each item's outcome, never
 * a hardware hash), kept beside the journal (see journal.ts) so listing runs reads a small file per run instead of
 * every manifest. Every kind of journaled run (hash imports, corporate identifiers, device changes) keeps one the same
 * way: the summary is the run's view folded from its journal; the engine writes it as a run progresses, and a run
 * without a current one (an older version's run, or a crash between an append and the summary) is folded from its
 * journal once and its summary written then.
 */
import { silentLogger, type Logger } from '../common/logger';
import type { Journal, JournalEntry, JournalManifest, LoadedRun, RunManifest } from './journal';
import { RunState, type RunView } from './runState';

/** A kind of journaled run as lists show it: its journal, and how a run read from it becomes its view. */
export class RunSummaries<View, Manifest extends JournalManifest = RunManifest, Entry = JournalEntry> {
  constructor(
    readonly journal: Journal<Manifest, Entry>,
    private readonly fold: (run: LoadedRun<Manifest, Entry>) => View,
    private readonly logger: Logger = silentLogger,
    /** What a run of this kind is called in log lines ("run", "identifier run"). */
    private readonly noun = 'run',
  ) {}

  /** A run's view from its summary, or folded from its journal (and its summary written) when it has no current one. */
  async read(runId: string): Promise<View> {
    const summary = await this.journal.readSummary<View>(runId);
    if (summary) return summary;
    const run = await this.journal.readRun(runId);
    const view = this.fold(run);
    // Only a cache: a run that cannot have one (a read-only folder) is still shown, folded again next time.
    await this.journal.writeSummary(runId, view, run.eventsBytes).catch((error: unknown) => this.logger.warn(`${capitalised(this.noun)} ${runId}: could not write its summary: ${(error as Error).message}`));
    return view;
  }

  /** Every run in the journal, newest first, without needing Graph; runs being worked on here come from `live`. */
  async list(live: (runId: string) => View | undefined = () => undefined): Promise<View[]> {
    const ids = await this.journal.listRunIds();
    const views = await Promise.all(
      ids.map(async (id) => {
        try {
          return live(id) ?? (await this.read(id));
        } catch (error) {
          this.logger.warn(`Skipping ${this.noun} ${id}: ${(error as Error).message}`);
          return undefined;
        }
      }),
    );
    return views.filter((view): view is Awaited<View> => view !== undefined);
  }

  /** Keeps the summary of `run`, being worked on under its lock, in step with the journal (see `SummaryWriter`). */
  writer(run: SummarisedRun<View>, items: number): SummaryWriter<View> {
    return new SummaryWriter(this.journal, run, this.logger, summaryIntervalMs(items), this.noun);
  }
}

/** Hash-import runs: the view `RunState` folds from the journal. */
export function hashRunSummaries(journal: Journal, logger: Logger = silentLogger): RunSummaries<RunView> {
  return new RunSummaries(journal, ({ manifest, entries }) => RunState.load(manifest, entries).view(), logger);
}

/** A hash-import run's view from its summary (see `RunSummaries.read`). */
export function readRunView(journal: Journal, runId: string, logger: Logger = silentLogger): Promise<RunView> {
  return hashRunSummaries(journal, logger).read(runId);
}

/** Every hash-import run in a journal, newest first (see `RunSummaries.list`). */
export function listRunViews(journal: Journal, logger: Logger = silentLogger, live: (runId: string) => RunView | undefined = () => undefined): Promise<RunView[]> {
  return hashRunSummaries(journal, logger).list(live);
}

/** A run being worked on, as its summary is made: its id and its view now. */
export interface SummarisedRun<View> {
  readonly id: string;
  view(): View;
}

/** How often a run of `items` devices or identifiers has its summary written: 1 s, and 1 ms per item up to 5 s. */
export function summaryIntervalMs(items: number): number {
  return Math.min(5000, Math.max(1000, items));
}

/**
 * Keeps the summary of a run being worked on up to date: after each journal append it is written again, at most once
 * per `intervalMs` (see `summaryIntervalMs`: folding 5,000 devices into JSON costs the extension host several
 * milliseconds), and once more by `flush` when the work ends. A summary that lags is never believed (see journal.ts),
 * so a crash costs only a fold.
 */
export class SummaryWriter<View = RunView> {
  private covered: number | undefined;
  private written: number | undefined;
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastWrite = -Infinity;

  constructor(
    private readonly journal: Pick<Journal<JournalManifest, unknown>, 'writeSummary'>,
    private readonly run: SummarisedRun<View>,
    private readonly logger: Logger,
    private readonly intervalMs = 1000,
    private readonly noun = 'run',
  ) {}

  /** The journal now has `eventsBytes` bytes, all of them folded into the run's state. */
  changed(eventsBytes: number): void {
    this.covered = eventsBytes;
    this.schedule();
  }

  /** Writes what is not written yet, and resolves when every write has ended. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.writing || this.covered !== this.written) {
      if (this.writing) await this.writing;
      else this.write();
    }
  }

  private schedule(): void {
    if (this.writing || this.timer) return;
    const wait = this.lastWrite + this.intervalMs - performance.now();
    if (wait <= 0) this.write();
    else this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write();
    }, wait);
  }

  private write(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const covered = this.covered;
    if (covered === undefined || covered === this.written) return;
    this.lastWrite = performance.now();
    // State and length are taken together, between two appends: the summary is the fold of exactly those bytes.
    this.writing = this.journal
      .writeSummary(this.run.id, this.run.view(), covered)
      .then(
        () => {
          this.written = covered;
        },
        (error: unknown) => {
          this.written = covered; // not retried: the next change writes it again, and a stale one is never believed
          this.logger.warn(`${capitalised(this.noun)} ${this.run.id}: could not write its summary: ${(error as Error).message}`);
        },
      )
      .finally(() => {
        this.writing = undefined;
        if (this.covered !== this.written) this.schedule();
      });
  }
}

function capitalised(noun: string): string {
  return noun.charAt(0).toUpperCase() + noun.slice(1);
}
