/**
 * An import of corporate identifiers as the journal keeps it: the manifest (written before anything is sent), the
 * entries, and the state folded from them. `apply` is the only code that reads entries, so a resumed run believes
 * exactly what the interrupted one did. Runs live in a journal of their own (`<journal>/corporate-identifiers`), so
 * the hardware-hash commands never meet them; lists read their summaries (runSummary.ts), as for hash imports.
 */
import * as path from 'node:path';
import { Journal, type JournalManifest, type RunTenant, type SendError } from '../journal';
import { JournaledRunState, runOrigin } from '../journaledRunState';
import { RunSummaries } from '../runSummary';
import type { Logger } from '../../common/logger';

export const IDENTIFIER_RUN_KIND = 'corporate-identifiers';

/** Where identifier runs are journaled, inside the journal folder the hash imports use. */
export function identifierJournal(journalDirectory: string): Journal<IdentifierRunManifest, IdentifierEntry> {
  return new Journal<IdentifierRunManifest, IdentifierEntry>(path.join(journalDirectory, IDENTIFIER_RUN_KIND));
}

/** Identifier runs as lists show them, from their summaries (see runSummary.ts). */
export function identifierRunSummaries(journal: Journal<IdentifierRunManifest, IdentifierEntry>, logger?: Logger): RunSummaries<IdentifierRunView, IdentifierRunManifest, IdentifierEntry> {
  return new RunSummaries(journal, ({ manifest, entries }) => IdentifierRunState.load(manifest, entries).view(), logger, 'identifier run');
}

export interface IdentifierRunManifest extends JournalManifest {
  readonly kind: typeof IDENTIFIER_RUN_KIND;
  readonly startedAt: string;
  /** The files the identifiers came from, for people. */
  readonly source: string;
  readonly graphRoot: string;
  readonly tenant?: RunTenant;
  /** Identifiers per `importDeviceIdentityList` call. */
  readonly chunkSize: number;
  /** `overwriteImportedDeviceIdentities`: identifiers already in the tenant are sent again (else they are skipped). */
  readonly overwrite: boolean;
  /** `Manufacturer,Model,Serial`, each once, in file order; entries name them by index. */
  readonly identifiers: readonly string[];
}

/** What Graph holds for an identifier at some moment (a search or an import answer). */
export interface IdentitySnapshot {
  readonly item: number;
  readonly id: string;
  readonly enrollmentState: string | null;
  readonly lastContactedDateTime: string | null;
  readonly lastModifiedDateTime: string | null;
}

export interface ItemResult extends IdentitySnapshot {
  /** `importedDeviceIdentityResult.status`: whether Intune imported it. */
  readonly status: boolean;
}

/** One line of a run's `events.jsonl`; `at` is an ISO time. */
export type IdentifierEntry =
  /** `searchExistingIdentities` before sending: which of `items` the tenant has already. */
  | { readonly t: 'checked'; readonly at: string; readonly items: readonly number[]; readonly found: readonly IdentitySnapshot[] }
  /** Graph refused these identifiers (a 400 narrowed down to them): they are done, and failed. */
  | { readonly t: 'refused'; readonly at: string; readonly items: readonly number[]; readonly error: SendError }
  /** Written (and flushed) before the request leaves. */
  | { readonly t: 'send'; readonly at: string; readonly send: number; readonly items: readonly number[] }
  | { readonly t: 'accepted'; readonly at: string; readonly send: number; readonly results: readonly ItemResult[] }
  /** Graph refused the whole request for a reason of its own (403, throttling that outlasted the retries): not sent. */
  | { readonly t: 'rejected'; readonly at: string; readonly send: number; readonly items: readonly number[]; readonly error: SendError }
  /** No answer (timeout, cut connection, 5xx): Graph may commit the write later. */
  | { readonly t: 'uncertain'; readonly at: string; readonly send: number; readonly items: readonly number[]; readonly reason: string }
  /** After the settle time, a search: `imported` were committed; the other `items` were not and go out again. */
  | { readonly t: 'reconciled'; readonly at: string; readonly items: readonly number[]; readonly imported: readonly IdentitySnapshot[] };

export type IdentifierResult = 'imported' | 'exists' | 'failed' | 'pending';

type Phase = 'unchecked' | 'to-send' | 'sending' | 'uncertain' | 'done';

export interface ItemState {
  readonly index: number;
  readonly identifier: string;
  phase: Phase;
  result?: Exclude<IdentifierResult, 'pending'>;
  /** The tenant's record when the run checked, if it had one (an overwrite is told apart from it by its changes). */
  existing?: IdentitySnapshot;
  id?: string;
  enrollmentState?: string | null;
  lastContactedDateTime?: string | null;
  error?: string;
  /** When its last send went unconfirmed (journal time); unset after a crash mid-send. */
  unconfirmedAt?: number;
  /** A request carrying it may have reached Graph (sent, and not refused as a whole). */
  sent?: boolean;
}

export interface IdentifierView {
  readonly identifier: string;
  readonly id: string | null;
  readonly result: IdentifierResult;
  readonly enrollmentState: string | null;
  readonly lastContactedDateTime: string | null;
  readonly error: string | null;
}

export interface IdentifierCounts {
  imported: number;
  exists: number;
  failed: number;
  pending: number;
}

export interface IdentifierRunView {
  readonly id: string;
  readonly startedAt: string;
  readonly source: string;
  readonly graphRoot: string;
  readonly tenant?: RunTenant;
  readonly overwrite: boolean;
  readonly finished: boolean;
  readonly identifiers: readonly IdentifierView[];
  readonly counts: IdentifierCounts;
}

function describe(error: SendError): string {
  return error.status ? `${error.status} ${error.code}: ${error.message}` : error.message;
}

export class IdentifierRunState extends JournaledRunState<IdentifierRunManifest, IdentifierEntry> {
  readonly items: ItemState[];

  constructor(manifest: IdentifierRunManifest) {
    super(manifest);
    this.items = manifest.identifiers.map((identifier, index) => ({ index, identifier, phase: 'unchecked' }));
  }

  /** A run rebuilt from its journal: a send that never got an answer (the process died) is unconfirmed. */
  static load(manifest: IdentifierRunManifest, entries: readonly IdentifierEntry[]): IdentifierRunState {
    if (manifest.kind !== IDENTIFIER_RUN_KIND) throw new Error(`Run ${manifest.id} is not an import of corporate identifiers.`);
    return new IdentifierRunState(manifest).replay(entries);
  }

  protected interrupted(): void {
    for (const item of this.items) if (item.phase === 'sending') item.phase = 'uncertain';
  }

  apply(entry: IdentifierEntry): void {
    switch (entry.t) {
      case 'checked': {
        const found = new Map(entry.found.map((snapshot) => [snapshot.item, snapshot]));
        for (const index of entry.items) {
          const item = this.item(index);
          const existing = found.get(index);
          item.existing = existing;
          if (existing && !this.manifest.overwrite) this.finish(item, 'exists', existing);
          else item.phase = 'to-send';
        }
        break;
      }
      case 'refused':
        for (const index of entry.items) Object.assign(this.item(index), { phase: 'done', result: 'failed', error: describe(entry.error) } satisfies Partial<ItemState>);
        break;
      case 'send':
        this.sawSend(entry.send);
        for (const index of entry.items) Object.assign(this.item(index), { phase: 'sending', unconfirmedAt: undefined, sent: true } satisfies Partial<ItemState>);
        break;
      case 'accepted':
        for (const result of entry.results) {
          const item = this.item(result.item);
          if (result.status) this.finish(item, 'imported', result);
          else {
            this.finish(item, 'failed', result);
            item.error = this.manifest.overwrite ? 'Intune did not import this identifier (status false).' : 'Intune did not import this identifier (status false): it may be in the tenant already; import with overwrite to replace it.';
          }
        }
        break;
      case 'rejected':
        for (const index of entry.items) Object.assign(this.item(index), { phase: 'to-send', sent: false } satisfies Partial<ItemState>);
        break;
      case 'uncertain':
        for (const index of entry.items) Object.assign(this.item(index), { phase: 'uncertain', unconfirmedAt: Date.parse(entry.at) } satisfies Partial<ItemState>);
        break;
      case 'reconciled': {
        const imported = new Map(entry.imported.map((snapshot) => [snapshot.item, snapshot]));
        for (const index of entry.items) {
          const item = this.item(index);
          const snapshot = imported.get(index);
          if (snapshot) this.finish(item, 'imported', snapshot);
          else Object.assign(item, { phase: 'to-send', unconfirmedAt: undefined } satisfies Partial<ItemState>);
        }
        break;
      }
    }
  }

  private finish(item: ItemState, result: NonNullable<ItemState['result']>, snapshot: Partial<IdentitySnapshot>): void {
    Object.assign(item, {
      phase: 'done',
      result,
      id: snapshot.id || item.existing?.id,
      enrollmentState: snapshot.enrollmentState ?? null,
      lastContactedDateTime: snapshot.lastContactedDateTime ?? null,
    } satisfies Partial<ItemState>);
  }

  private item(index: number): ItemState {
    const item = this.items[index];
    if (!item) throw new Error(`Run ${this.manifest.id} has no identifier ${index}.`);
    return item;
  }

  inPhase(phase: Phase): ItemState[] {
    return this.items.filter((item) => item.phase === phase);
  }

  /** Whether any import request of the run may have reached Graph (a run without one is not worth resuming). */
  get anySent(): boolean {
    return this.items.some((item) => item.sent === true);
  }

  get finished(): boolean {
    return this.items.every((item) => item.phase === 'done');
  }

  view(): IdentifierRunView {
    const counts: IdentifierCounts = { imported: 0, exists: 0, failed: 0, pending: 0 };
    const identifiers = this.items.map((item): IdentifierView => {
      const result = item.result ?? 'pending';
      counts[result] += 1;
      return {
        identifier: item.identifier,
        id: item.id ?? null,
        result,
        enrollmentState: item.enrollmentState ?? null,
        lastContactedDateTime: item.lastContactedDateTime ?? null,
        error: item.error ?? null,
      };
    });
    return {
      ...runOrigin(this.manifest),
      overwrite: this.manifest.overwrite,
      finished: this.finished,
      identifiers,
      counts,
    };
  }
}
