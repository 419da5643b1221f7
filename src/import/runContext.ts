/** What the sending and watching code needs while it works on one run. */
import type { Clock } from '../common/clock';
import type { Logger } from '../common/logger';
import type { AutopilotGraph } from '../graph/autopilot';
import type { ImportedDeviceIdentity } from '../graph/types';
import type { ImportEvent } from './events';
import type { Journal, JournalEntry, RecordSnapshot } from './journal';
import type { RunState } from './runState';
import type { SummaryWriter } from './runSummary';
import type { EngineSettings } from './settings';

/** A journal entry before it is stamped with its time. */
export type UnstampedEntry = JournalEntry extends infer E ? (E extends JournalEntry ? Omit<E, 'at'> : never) : never;

export class RunContext {
  constructor(
    readonly state: RunState,
    readonly graph: AutopilotGraph,
    private readonly journal: Journal,
    readonly settings: EngineSettings,
    readonly logger: Logger,
    readonly clock: Clock,
    private readonly emitter: (event: ImportEvent) => void,
    /** Aborts requests in flight: stopping the whole run, not just further sending. */
    readonly stop: AbortSignal | undefined,
    /** Keeps the run's summary (what lists show) in step with the journal. */
    readonly summary?: SummaryWriter,
  ) {}

  get runId(): string {
    return this.state.id;
  }

  /** Journals first, then updates memory: what we believe is never ahead of what a restart would believe. */
  record(entry: UnstampedEntry, durable = false): void {
    const stamped = { ...entry, at: new Date(this.clock.now()).toISOString() } as JournalEntry;
    const eventsBytes = this.journal.append(this.state.id, stamped, durable);
    this.state.apply(stamped);
    this.summary?.changed(eventsBytes);
  }

  emit(event: ImportEvent): void {
    this.emitter(event);
  }

  emitProgress(): void {
    const view = this.state;
    this.emit({
      type: 'progress',
      runId: this.runId,
      phase: view.phase(),
      counts: view.counts(),
      total: view.devices.length,
      unsent: view.unsent().length,
      registered: view.devices.filter((d) => d.registered).length,
    });
  }
}

/** What the journal keeps of a record. Intune names a success's error `None`: that is no error. */
export function snapshotOf(device: number, record: ImportedDeviceIdentity): RecordSnapshot {
  const errorName = record.state?.deviceErrorName;
  return {
    device,
    id: String(record.id),
    status: String(record.state?.deviceImportStatus ?? 'unknown'),
    errorCode: Number(record.state?.deviceErrorCode ?? 0) || 0,
    errorName: errorName && errorName !== 'None' ? errorName : null,
    registrationId: record.state?.deviceRegistrationId || null,
  };
}

/** Padding and surrounding blanks do not make two hashes different devices. */
export function sameHash(a: string | null | undefined, b: string | null | undefined): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false;
  return a.trim().replace(/=+$/, '') === b.trim().replace(/=+$/, '');
}
