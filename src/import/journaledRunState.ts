/**
 * What every kind of journaled import keeps in memory besides its own items: the manifest, and send numbers that go
 * on from the highest the journal holds. A subclass's `apply` is the only code that reads its entries; `replay` is the
 * only way a run is rebuilt from them, so a resumed run believes exactly what the interrupted one did.
 */
import type { JournalManifest, RunTenant } from './journal';

/** Where a run came from, as every kind of run's view begins: taken from its manifest. */
export interface RunOrigin {
  readonly id: string;
  readonly startedAt: string;
  readonly source: string;
  readonly graphRoot: string;
  readonly tenant?: RunTenant;
}

export function runOrigin(manifest: RunOrigin): RunOrigin {
  const { id, startedAt, source, graphRoot, tenant } = manifest;
  return { id, startedAt, source, graphRoot, ...(tenant ? { tenant } : {}) };
}

export abstract class JournaledRunState<Manifest extends JournalManifest, Entry> {
  private nextSend = 1;

  constructor(readonly manifest: Manifest) {}

  get id(): string {
    return this.manifest.id;
  }

  takeSendNumber(): number {
    return this.nextSend++;
  }

  abstract apply(entry: Entry): void;

  /** A `send` entry the journal holds: the next send gets a higher number. */
  protected sawSend(send: number): void {
    this.nextSend = Math.max(this.nextSend, send + 1);
  }

  /** Folds a journal's entries into this fresh state, then lets a send that never got an answer count as unconfirmed. */
  protected replay(entries: readonly Entry[]): this {
    for (const entry of entries) this.apply(entry);
    this.interrupted();
    return this;
  }

  /** The process that made the journal is gone: what it was sending may or may not have reached Graph. */
  protected abstract interrupted(): void;
}
