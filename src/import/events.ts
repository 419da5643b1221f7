/**
 * What the engine tells its audiences (the CLI's progress line and JSON, the VS Code tree) while a run proceeds.
 * Plain data, no `vscode`: the extension adapts these to its own event emitters.
 */
import type { SyncOutcome } from '../graph/autopilot';
import type { RunCounts, RunPhase } from './runState';

export type ImportEvent =
  | { readonly type: 'run-started'; readonly runId: string; readonly devices: number; readonly resumed: boolean }
  | { readonly type: 'chunk-sending'; readonly runId: string; readonly send: number; readonly devices: number; readonly mode: 'import' | 'create' }
  | { readonly type: 'chunk-accepted'; readonly runId: string; readonly send: number; readonly devices: number }
  | { readonly type: 'chunk-rejected'; readonly runId: string; readonly send: number; readonly devices: number; readonly message: string; readonly split: boolean }
  | { readonly type: 'chunk-uncertain'; readonly runId: string; readonly send: number; readonly devices: number; readonly reason: string }
  /** Waiting out the settle time before listing what unconfirmed writes left in Graph. */
  | { readonly type: 'settling'; readonly runId: string; readonly devices: number; readonly waitMs: number }
  | { readonly type: 'reconciled'; readonly runId: string; readonly found: number; readonly missing: number }
  | { readonly type: 'fallback-per-device'; readonly runId: string; readonly status: number }
  | { readonly type: 'progress'; readonly runId: string; readonly phase: RunPhase; readonly counts: RunCounts; readonly total: number; readonly unsent: number; readonly registered: number }
  | { readonly type: 'sync'; readonly runId: string; readonly outcome: SyncOutcome | 'failed'; readonly message?: string }
  | { readonly type: 'run-stopped'; readonly runId: string; readonly phase: RunPhase; readonly reason: 'finished' | 'accepted' | 'cancelled' | 'time-limit' | 'failed' };

export interface Subscription {
  dispose(): void;
}

/** A minimal typed event source; listeners that throw are isolated from each other and from the engine. */
export class Emitter<T> {
  private readonly listeners = new Set<(event: T) => void>();

  on(listener: (event: T) => void): Subscription {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  fire(event: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // A broken listener must not break an import.
      }
    }
  }
}
