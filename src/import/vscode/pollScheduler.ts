/**
 * Watches runs this window is not driving (restored after a reload, or finished processing and waiting for
 * registration): every `autopilot.poll.intervalSeconds` it asks the import service for one look at each run that
 * needs one. Devices Intune is still processing are always watched; registration checks (devices that completed
 * but have not appeared among registered devices yet) pause while the Recent Imports view is hidden. A run is
 * watched until its time limit (`autopilot.poll.timeLimitMinutes`) from its start or the last action on it.
 */
import type { Logger } from '../../common/logger';
import { oneLineMessage } from '../../common/errors';
import type { Subscription } from '../events';
import { registrationsAwaited, awaitingResult, type RunEntry } from './importsModel';
import type { ImportService } from './importService';
import type { ImportSettings } from './importSettings';

export interface Visibility {
  readonly visible: boolean;
  onDidChangeVisibility(listener: () => void): Subscription;
}

export interface PollSchedulerOptions {
  readonly service: ImportService;
  readonly log: Logger;
  readonly readSettings: () => ImportSettings;
  readonly view: Visibility;
  /** Milliseconds since the epoch; tests may pass their own. */
  readonly now?: () => number;
}

export class PollScheduler {
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private lastTick = 0;
  /** After a failure, polling waits for a reason to try again (sign-in, a setting, an import, Refresh). */
  private paused = false;
  private readonly watchSince = new Map<string, number>();
  private readonly subscriptions: Subscription[];
  private readonly now: () => number;

  constructor(private readonly options: PollSchedulerOptions) {
    this.now = options.now ?? (() => Date.now());
    this.subscriptions = [
      options.service.model.onDidChange(() => this.schedule()),
      options.service.onDidEndDrive((runId) => this.extend(runId)),
      options.view.onDidChangeVisibility(() => this.schedule()),
    ];
  }

  /** Polling may have become possible (signed in, settings changed, the user asked): try again. */
  wake(): void {
    this.paused = false;
    this.schedule();
  }

  /** Restarts a run's time limit: someone just acted on it. */
  extend(runId: string): void {
    this.watchSince.set(runId, this.now());
    this.wake();
  }

  /** Whether a poll is under way or armed; when not, no request is made until something changes (tests rely on it). */
  get active(): boolean {
    return this.timer !== undefined || this.ticking;
  }

  /** Whether the scheduler would poll this run now. */
  isDue(entry: RunEntry, settings: ImportSettings = this.options.readSettings()): boolean {
    const { view } = entry;
    if (entry.activity !== 'idle' || this.options.service.isDriving(view.id)) return false;
    const since = this.watchSince.get(view.id) ?? Date.parse(view.startedAt);
    if (!(this.now() < since + settings.engine.timeLimitMs)) return false;
    const needed = awaitingResult(view) > 0 || (settings.waitForRegistration && this.options.view.visible && registrationsAwaited(view) > 0);
    return needed && this.options.service.canWatch(view);
  }

  private dueRuns(): RunEntry[] {
    const settings = this.options.readSettings();
    return this.options.service.model.runs().filter((entry) => this.isDue(entry, settings));
  }

  private schedule(): void {
    if (this.timer || this.ticking || this.paused || this.dueRuns().length === 0) return;
    const interval = this.options.readSettings().engine.pollIntervalMs;
    const delay = Math.max(0, this.lastTick + interval - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.tick().catch((error: unknown) => this.options.log.error(`Watching imports stopped: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`));
    }, delay);
  }

  private async tick(): Promise<void> {
    this.ticking = true;
    this.lastTick = this.now();
    try {
      for (const entry of this.dueRuns()) {
        try {
          await this.options.service.refreshRun(entry.view.id);
        } catch (error) {
          // One line in the tree and the log, not a popup every interval; polling resumes when something changes.
          this.options.log.warn(`Watching import ${entry.view.id} paused: ${error instanceof Error ? error.message : String(error)}`);
          this.options.service.model.setProblem(entry.view.id, oneLineMessage(error));
          this.paused = true;
          break;
        }
      }
    } finally {
      this.ticking = false;
      this.schedule();
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.paused = true;
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
