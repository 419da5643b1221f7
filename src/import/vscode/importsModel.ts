/**
 * The import service's runs as this window knows them: every run of the journal as the engine last described it, plus
 * what this window is doing with it. The service feeds it (from the journal at start, from engine events while runs
 * proceed); the Recent Imports tree, the badge and the commands only read it and listen to it. No `vscode` and no HTTP
 * here.
 */
import { Emitter, type Subscription } from '../events';
import type { DeviceView, RunView } from '../runState';
export { registrationsAwaited } from '../runState';

/** How the user knows a run: the file name of its source (a path on any OS, or an untitled editor's name). */
export function sourceName(source: string): string {
  return source.split(/[\\/]/).filter(Boolean).pop() ?? source;
}

/** What this window is doing with a run: sending it, watching it after a stop request, or nothing. */
export type RunActivity = 'sending' | 'stopping' | 'watching' | 'idle';

export interface RunEntry {
  readonly view: RunView;
  readonly activity: RunActivity;
  /** Why work on the run stopped early (an error, a time limit), in one line for people. */
  readonly problem?: string;
}

/** Which runs changed; `undefined` means the whole list (loaded, cleared, reordered). */
export type ImportsChange = { readonly runIds?: readonly string[] };

/** A device Graph holds and has not decided yet, or one still queued in a run that is being sent. */
export function isStillProcessing(device: DeviceView, activity: RunActivity): boolean {
  if (device.status !== 'unknown' && device.status !== 'pending') return false;
  return device.sent || activity === 'sending';
}

export function processingCount(entry: RunEntry): number {
  return entry.view.devices.filter((device) => isStillProcessing(device, entry.activity)).length;
}

/** Devices Graph is processing right now (sent, no result yet). */
export function awaitingResult(view: RunView): number {
  return view.devices.filter((device) => device.sent && (device.status === 'unknown' || device.status === 'pending')).length;
}


export class ImportsModel {
  private readonly changes = new Emitter<ImportsChange>();
  private readonly entries = new Map<string, RunEntry>();
  private hasLoaded = false;

  onDidChange(listener: (change: ImportsChange) => void): Subscription {
    return this.changes.on(listener);
  }

  /** Whether the journal has been read once; until then the tree asks the service to load it. */
  get loaded(): boolean {
    return this.hasLoaded;
  }

  /** Newest first (run ids sort by their start time). */
  runs(): RunEntry[] {
    return [...this.entries.values()].sort((a, b) => (a.view.id < b.view.id ? 1 : a.view.id > b.view.id ? -1 : 0));
  }

  run(runId: string): RunEntry | undefined {
    return this.entries.get(runId);
  }

  device(runId: string, index: number): DeviceView | undefined {
    return this.entries.get(runId)?.view.devices[index];
  }

  /** The whole journal, as read from disk; what this window is doing with each run is kept. */
  replaceAll(views: readonly RunView[]): void {
    const previous = new Map(this.entries);
    this.entries.clear();
    for (const view of views) {
      const before = previous.get(view.id);
      this.entries.set(view.id, { view, activity: before?.activity ?? 'idle', ...(before?.problem ? { problem: before.problem } : {}) });
    }
    this.hasLoaded = true;
    this.changes.fire({});
  }

  /** A run's new state, from the engine. */
  update(view: RunView): void {
    const before = this.entries.get(view.id);
    this.entries.set(view.id, { view, activity: before?.activity ?? 'idle', ...(before?.problem ? { problem: before.problem } : {}) });
    this.changes.fire(before ? { runIds: [view.id] } : {});
  }

  setActivity(runId: string, activity: RunActivity): void {
    const entry = this.entries.get(runId);
    if (!entry || entry.activity === activity) return;
    // Starting work again clears the last problem; stopping keeps it for the user to read.
    this.entries.set(runId, { view: entry.view, activity, ...(entry.problem && activity === 'idle' ? { problem: entry.problem } : {}) });
    this.changes.fire({ runIds: [runId] });
  }

  setProblem(runId: string, problem: string | undefined): void {
    const entry = this.entries.get(runId);
    if (!entry || entry.problem === problem) return;
    this.entries.set(runId, { view: entry.view, activity: entry.activity, ...(problem ? { problem } : {}) });
    this.changes.fire({ runIds: [runId] });
  }

  remove(runIds: readonly string[]): void {
    let removed = false;
    for (const runId of runIds) removed = this.entries.delete(runId) || removed;
    if (removed) this.changes.fire({});
  }

  /** The badge: devices whose result is not known yet, across every run. */
  stillProcessing(): number {
    let count = 0;
    for (const entry of this.entries.values()) count += processingCount(entry);
    return count;
  }
}
