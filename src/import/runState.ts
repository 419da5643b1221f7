/**
 * A run's state, folded from its journal. `apply` is the only code that interprets journal entries, for loading
 * and for live updates alike, so what a resumed run believes is exactly what the original run believed.
 */
import { hashFingerprint } from '../common/redact';
import type { ImportStatus } from '../graph/types';
import type { JournalEntry, RecordSnapshot, RunManifest, RunTenant, SendError } from './journal';
import { JournaledRunState, runOrigin } from './journaledRunState';

/** Where a device is on its way into Graph. */
export type SendProgress = 'not-sent' | 'sending' | 'uncertain' | 'accepted' | 'rejected';

export interface DeviceState {
  readonly index: number;
  readonly serialNumber: string;
  readonly fingerprint: string;
  progress: SendProgress;
  recordId?: string;
  status?: string;
  errorCode: number;
  errorName: string | null;
  registrationId: string | null;
  registered: boolean;
  recordDeleted: boolean;
  rejection?: SendError;
  /** Whether the device was ever part of a send (its serial's records may then be its own). */
  everSent: boolean;
  /** When the device's last write left (journal time): Intune cannot have decided its record before then. */
  sentAt?: number;
  /** When the device's last write went unconfirmed (journal time), for the settle wait; unset after a crash mid-send. */
  unconfirmedAt?: number;
  /** Set when the record is a later run's (that run imported the device): this run neither deletes nor retries it. */
  importedBy?: string;
}

export interface RunCounts {
  complete: number;
  error: number;
  partial: number;
  pending: number;
}

/** `sending`: devices remain to be sent or confirmed; `processing`: all sent, some not terminal; `finished`: all terminal. */
export type RunPhase = 'sending' | 'processing' | 'finished';

/** A device as the CLI and the UI show it: no hash, Graph's words for status. */
export interface DeviceView {
  readonly index: number;
  readonly serialNumber: string;
  readonly fingerprint: string;
  /** Graph record id, or null while the device has no record. */
  readonly id: string | null;
  readonly status: ImportStatus;
  readonly errorCode: number;
  readonly errorName: string | null;
  readonly registered: boolean;
  /** Whether Graph holds (or held) a record for this device. */
  readonly sent: boolean;
  readonly registrationId: string | null;
  readonly recordDeleted: boolean;
  /** The group tag sent with the device (after any override), or null. */
  readonly groupTag: string | null;
}

export interface RunView {
  readonly id: string;
  readonly startedAt: string;
  readonly source: string;
  readonly graphRoot: string;
  /** The tenant the run imports into, when it was recorded. */
  readonly tenant?: RunTenant;
  readonly phase: RunPhase;
  readonly devices: readonly DeviceView[];
  readonly counts: RunCounts;
  readonly lastSync?: string;
  /** Whether a wait for registration has ended since the last retry (see `awaitsRegistration`). */
  readonly registrationWatched: boolean;
}

const TERMINAL = new Set(['complete', 'error', 'partial']);
const KNOWN_STATUSES = new Set<ImportStatus>(['unknown', 'pending', 'partial', 'complete', 'error']);

export class RunState extends JournaledRunState<RunManifest, JournalEntry> {
  readonly devices: DeviceState[];
  lastSync?: string;
  registrationWatched = false;
  /** Records that existed for the run's serials before it sent them: never adopted, never reported. */
  readonly existingRecordIds = new Set<string>();
  /** Records Graph made twice for a device (late commits), and records of devices before a retry replaced them. */
  private readonly foreignRecordIds = new Set<string>();
  /** Whether any write of the run went unconfirmed (so a late commit may have made a second record). */
  hadUnconfirmedWrites = false;

  constructor(manifest: RunManifest) {
    super(manifest);
    this.devices = manifest.devices.map((device, index) => ({
      index,
      serialNumber: device.serialNumber,
      fingerprint: hashFingerprint(device.hardwareIdentifier),
      progress: 'not-sent',
      errorCode: 0,
      errorName: null,
      registrationId: null,
      registered: false,
      recordDeleted: false,
      everSent: false,
    }));
  }

  /** Rebuilds a run from its journal. Sends that never got an answer (the process died) are uncertain. */
  static load(manifest: RunManifest, entries: readonly JournalEntry[]): RunState {
    return new RunState(manifest).replay(entries);
  }

  protected interrupted(): void {
    for (const device of this.devices) if (device.progress === 'sending') device.progress = 'uncertain';
  }

  apply(entry: JournalEntry): void {
    switch (entry.t) {
      case 'send':
        this.sawSend(entry.send);
        for (const i of entry.devices) Object.assign(this.device(i), { progress: 'sending', everSent: true, sentAt: Date.parse(entry.at), unconfirmedAt: undefined } satisfies Partial<DeviceState>);
        break;
      case 'accepted':
      case 'imported-by-later-run':
        this.holdRecords(entry.records, entry.t === 'imported-by-later-run' ? entry.run : undefined);
        break;
      case 'reconciled':
        // Devices a reconcile did not find were not received: they go out again.
        for (const i of entry.devices) this.device(i).progress = 'not-sent';
        this.holdRecords(entry.found, undefined);
        break;
      case 'rejected':
        for (const i of entry.devices) {
          const device = this.device(i);
          device.progress = entry.final ? 'rejected' : 'not-sent';
          device.rejection = entry.final ? entry.error : undefined;
        }
        break;
      case 'uncertain':
        this.hadUnconfirmedWrites = true;
        for (const i of entry.devices) Object.assign(this.device(i), { progress: 'uncertain', unconfirmedAt: Date.parse(entry.at) } satisfies Partial<DeviceState>);
        break;
      case 'existing':
        for (const id of entry.ids) this.existingRecordIds.add(id);
        break;
      case 'duplicate':
        this.foreignRecordIds.add(entry.id);
        break;
      case 'status':
        for (const record of entry.records) {
          const device = this.device(record.device);
          if (device.recordId === record.id) this.updateFromRecord(device, record);
        }
        break;
      case 'registered':
        for (const i of entry.devices) this.device(i).registered = true;
        break;
      case 'record-deleted':
        for (const i of entry.devices) this.device(i).recordDeleted = true;
        break;
      case 'retry':
        this.startOver(entry.devices);
        break;
      case 'sync':
        this.lastSync = entry.outcome;
        break;
      case 'registration-watched':
        this.registrationWatched = true;
        break;
    }
  }

  /** Devices whose records Graph has (accepted, found by a reconcile, or imported by a later run of the tenant). */
  private holdRecords(records: readonly RecordSnapshot[], importedBy: string | undefined): void {
    for (const record of records) {
      const device = this.device(record.device);
      device.progress = 'accepted';
      device.recordId = record.id;
      device.importedBy = importedBy;
      this.updateFromRecord(device, record);
    }
  }

  /** A retry: the devices are sent again as if never sent, and the records they replace are not theirs any more. */
  private startOver(devices: readonly number[]): void {
    this.registrationWatched = false;
    for (const i of devices) {
      const replaced = this.device(i).recordId;
      if (replaced) this.foreignRecordIds.add(replaced);
      Object.assign(this.device(i), {
        progress: 'not-sent',
        recordId: undefined,
        status: undefined,
        errorCode: 0,
        errorName: null,
        registrationId: null,
        registered: false,
        recordDeleted: false,
        rejection: undefined,
        importedBy: undefined,
      } satisfies Partial<DeviceState>);
    }
  }

  /**
   * Record ids that are not for the taking when Graph's lists are searched for a device's record: those that existed
   * before the run, those devices of the run already hold, second records of a device, and records a retry replaced.
   */
  knownRecordIds(): Set<string> {
    const known = new Set([...this.existingRecordIds, ...this.foreignRecordIds]);
    for (const device of this.devices) if (device.recordId) known.add(device.recordId);
    return known;
  }

  isTerminal(device: DeviceState): boolean {
    return device.progress === 'rejected' || (device.progress === 'accepted' && TERMINAL.has(device.status ?? ''));
  }

  /** Devices that must be sent, or confirmed, before the run can be watched to its end. */
  unsent(): DeviceState[] {
    return this.devices.filter((d) => d.progress !== 'accepted' && d.progress !== 'rejected');
  }

  /** Accepted devices Graph is still processing. */
  processing(): DeviceState[] {
    return this.devices.filter((d) => d.progress === 'accepted' && !this.isTerminal(d) && d.recordId);
  }

  failed(): DeviceState[] {
    return this.devices.filter((d) => this.isTerminal(d) && (d.progress === 'rejected' || d.status === 'error' || d.status === 'partial'));
  }

  phase(): RunPhase {
    if (this.unsent().length) return 'sending';
    return this.devices.every((d) => this.isTerminal(d)) ? 'finished' : 'processing';
  }

  counts(): RunCounts {
    const counts: RunCounts = { complete: 0, error: 0, partial: 0, pending: 0 };
    for (const device of this.devices) {
      const status = viewStatus(device);
      if (status === 'complete' || status === 'error' || status === 'partial') counts[status]++;
      else counts.pending++;
    }
    return counts;
  }

  view(): RunView {
    return {
      ...runOrigin(this.manifest),
      phase: this.phase(),
      devices: this.devices.map((device) => ({
        index: device.index,
        serialNumber: device.serialNumber,
        fingerprint: device.fingerprint,
        id: device.progress === 'accepted' ? (device.recordId ?? null) : null,
        status: viewStatus(device),
        errorCode: device.progress === 'rejected' ? (device.rejection?.status ?? 0) : device.errorCode,
        errorName: device.progress === 'rejected' ? (device.rejection?.message ?? null) : device.errorName,
        registered: device.registered,
        sent: device.progress === 'accepted',
        registrationId: device.registrationId,
        recordDeleted: device.recordDeleted,
        groupTag: this.manifest.devices[device.index]?.groupTag || null,
      })),
      counts: this.counts(),
      // Absent rather than undefined, so a view read back from its summary (JSON) is the same view.
      ...(this.lastSync !== undefined ? { lastSync: this.lastSync } : {}),
      registrationWatched: this.registrationWatched,
    };
  }

  private device(index: number): DeviceState {
    const device = this.devices[index];
    if (!device) throw new Error(`Run ${this.manifest.id} has no device ${index}.`);
    return device;
  }

  private updateFromRecord(device: DeviceState, record: RecordSnapshot): void {
    device.status = record.status;
    device.errorCode = record.errorCode;
    device.errorName = record.errorName;
    device.registrationId = record.registrationId;
  }
}

/** Graph's status words; a device without a record yet is `pending`, one Graph refused outright is `error`. */
function viewStatus(device: DeviceState): ImportStatus {
  if (device.progress === 'rejected') return 'error';
  if (device.progress !== 'accepted') return 'pending';
  return KNOWN_STATUSES.has(device.status as ImportStatus) ? (device.status as ImportStatus) : 'unknown';
}

/**
 * A completed device that Graph does not list among registered Autopilot devices yet (a run's state or its view).
 * `complete` comes before the record's `deviceRegistrationId` and before the listing, so neither makes it registered;
 * only a record deleted before it named its registration id can no longer be followed.
 */
export function awaitsRegistration(device: {
  readonly status?: string;
  readonly registrationId: string | null;
  readonly registered: boolean;
  readonly recordDeleted: boolean;
}): boolean {
  return device.status === 'complete' && !device.registered && !(device.recordDeleted && !device.registrationId);
}

/** How many devices of a run still await registration. */
export function registrationsAwaited(view: Pick<RunView, 'devices'>): number {
  return view.devices.filter(awaitsRegistration).length;
}
