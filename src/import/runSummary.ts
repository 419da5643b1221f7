/**
 * Run summaries: what run lists and the Recent Imports tree show of a run (counts, states, tenant, source, times, and
 * each device's serial and state, never its hash), kept beside the journal (see journal.ts) so listing runs reads a
 * small file per run instead of every manifest. The summary is the run's view folded from the journal: the engine
 * writes it as a run progresses, and a run without a current one (an older version's run, or a crash between an
 * append and the summary) is folded from its journal once and its summary written then.
 */
import { silentLogger, type Logger } from '../common/logger';
import type { Journal } from './journal';
import { RunState, type RunView } from './runState';

/** A run's view from its summary, or folded from its journal (and its summary written) when it has no current one. */
export async function readRunView(journal: Journal, runId: string, logger: Logger = silentLogger): Promise<RunView> {
  const summary = await journal.readSummary<RunView>(runId);
  if (summary) return summary;
  const { manifest, entries, eventsBytes } = await journal.readRun(runId);
  const view = RunState.load(manifest, entries).view();
  // Only a cache: a run that cannot have one (a read-only folder) is still shown, folded again next time.
  await journal.writeSummary(runId, view, eventsBytes).catch((error: unknown) => logger.warn(`Run ${runId}: could not write its summary: ${(error as Error).message}`));
  return view;
}

/** Every run in a journal, newest first, without needing Graph; runs being worked on here come from `live`. */
export async function listRunViews(journal: Journal, logger: Logger = silentLogger, live: (runId: string) => RunView | undefined = () => undefined): Promise<RunView[]> {
  const ids = await journal.listRunIds();
  const views = await Promise.all(
    ids.map(async (id) => {
      try {
        return live(id) ?? (await readRunView(journal, id, logger));
      } catch (error) {
        logger.warn(`Skipping run ${id}: ${(error as Error).message}`);
        return undefined;
      }
    }),
  );
  return views.filter((view): view is RunView => view !== undefined);
}

/**
 * Keeps the summary of a run being worked on up to date: after each journal append it is written again, at most once
 * per `intervalMs` (by default 1 s, and 1 ms per device up to 5 s: folding 5,000 devices into JSON costs the extension
 * host several milliseconds), and once more by `flush` when the work ends. A summary that lags is never believed (see
 * journal.ts), so a crash costs only a fold.
 */
export class SummaryWriter {
  private covered: number | undefined;
  private written: number | undefined;
  private writing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private lastWrite = -Infinity;

  constructor(
    private readonly journal: Journal,
    private readonly state: RunState,
    private readonly logger: Logger,
    private readonly intervalMs = Math.min(5000, Math.max(1000, state.devices.length)),
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
      .writeSummary(this.state.id, this.state.view(), covered)
      .then(
        () => {
          this.written = covered;
        },
        (error: unknown) => {
          this.written = covered; // not retried: the next change writes it again, and a stale one is never believed
          this.logger.warn(`Run ${this.state.id}: could not write its summary: ${(error as Error).message}`);
        },
      )
      .finally(() => {
        this.writing = undefined;
        if (this.covered !== this.written) this.schedule();
      });
  }
}
