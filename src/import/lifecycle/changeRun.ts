/**
 * A bulk change to registered devices (update, delete, retire, add to a group) as the journal keeps it: the manifest,
 * written before anything is sent, names every device and what is to happen to it; `start` is written (and flushed)
 * before a device's request leaves, `step` after each finished step of a retire, `done` with the outcome. A resumed
 * run skips every `done` device and checks a started one before sending anything for it again. Runs live in a
 * journal of their own (`<journal>/device-changes`), so the import commands never meet them; lists read their
 * summaries (runSummary.ts), as for imports.
 */
import * as path from 'node:path';
import type { Logger } from '../../common/logger';
import { Journal, type JournalManifest, type RunTenant } from '../journal';
import { RunSummaries } from '../runSummary';
import type { Changes } from './plan';

export const CHANGE_RUN_KIND = 'device-changes';

export type ChangeOperation = 'update' | 'delete' | 'retire' | 'add-to-group';

/** Outcomes per operation (SPEC 6.2): update `updated|unchanged|not-found|failed`, delete `deleted|not-found|still-enrolled|failed`, add-to-group `added|already-member|not-found|failed`. */
export type ChangeResult = 'updated' | 'unchanged' | 'deleted' | 'still-enrolled' | 'added' | 'already-member' | 'not-found' | 'failed';

export interface ChangeItem {
  readonly serialNumber: string;
  /** The registered device (null when the plan found none: the item is done as `not-found` at once). */
  readonly id: string | null;
  readonly changes?: Changes;
  readonly azureActiveDirectoryDeviceId?: string | null;
  readonly managedDeviceId?: string | null;
  /** What the plan already knows the outcome to be, so nothing is sent (unchanged, not-found, still-enrolled). */
  readonly planned?: ChangeResult;
}

export interface ChangeRunManifest extends JournalManifest {
  readonly kind: typeof CHANGE_RUN_KIND;
  readonly operation: ChangeOperation;
  readonly startedAt: string;
  /** What the devices came from (files, serials on the command line), for people. */
  readonly source: string;
  readonly graphRoot: string;
  readonly tenant?: RunTenant;
  readonly group?: { readonly id: string; readonly displayName: string };
  /** Retire: the Entra ID device objects go too (a third step, after the registration). */
  readonly deleteEntraDevices?: boolean;
  readonly items: readonly ChangeItem[];
}

export type RetireStep = 'managed-device-deleted' | 'registration-deleted';

export interface ItemError {
  readonly status?: number;
  readonly code?: string;
  readonly message: string;
}

export type ChangeEntry =
  /** Written (and flushed) before the device's request leaves. */
  | { readonly t: 'start'; readonly at: string; readonly items: readonly number[] }
  | { readonly t: 'step'; readonly at: string; readonly item: number; readonly step: RetireStep }
  | { readonly t: 'done'; readonly at: string; readonly item: number; readonly result: ChangeResult; readonly error?: ItemError };

export function changeJournal(journalDirectory: string): Journal<ChangeRunManifest, ChangeEntry> {
  return new Journal<ChangeRunManifest, ChangeEntry>(path.join(journalDirectory, CHANGE_RUN_KIND));
}

/** Change runs as lists show them, from their summaries (see runSummary.ts). */
export function changeRunSummaries(journal: Journal<ChangeRunManifest, ChangeEntry>, logger?: Logger): RunSummaries<ChangeRunView, ChangeRunManifest, ChangeEntry> {
  return new RunSummaries(journal, ({ manifest, entries }) => viewOf(manifest, foldChangeRun(manifest, entries)), logger, 'change run');
}

export interface ItemState {
  readonly item: ChangeItem;
  readonly index: number;
  started: boolean;
  steps: Set<RetireStep>;
  result?: ChangeResult;
  error?: ItemError;
}

/** What the entries say about each device: the only reader of entries, so a resumed run believes what the first knew. */
export function foldChangeRun(manifest: ChangeRunManifest, entries: readonly ChangeEntry[]): ItemState[] {
  const states: ItemState[] = manifest.items.map((item, index) => ({ item, index, started: false, steps: new Set() }));
  for (const entry of entries) {
    if (entry.t === 'start') for (const index of entry.items) if (states[index]) states[index].started = true;
    if (entry.t === 'step') states[entry.item]?.steps.add(entry.step);
    if (entry.t === 'done' && states[entry.item]) {
      states[entry.item]!.result = entry.result;
      if (entry.error) states[entry.item]!.error = entry.error;
    }
  }
  return states;
}

export interface ChangeRunView {
  readonly id: string;
  readonly operation: ChangeOperation;
  readonly startedAt: string;
  readonly source: string;
  readonly group?: { readonly id: string; readonly displayName: string };
  readonly tenant?: RunTenant;
  readonly deleteEntraDevices?: boolean;
  readonly devices: readonly { serialNumber: string; id: string | null; changes?: Changes; result: ChangeResult | 'pending'; error?: ItemError }[];
  readonly counts: Readonly<Record<ChangeResult | 'pending', number>>;
  readonly finished: boolean;
}

const RESULTS: readonly (ChangeResult | 'pending')[] = ['updated', 'unchanged', 'deleted', 'still-enrolled', 'added', 'already-member', 'not-found', 'failed', 'pending'];

export function viewOf(manifest: ChangeRunManifest, states: readonly ItemState[]): ChangeRunView {
  const devices = states.map((state) => ({
    serialNumber: state.item.serialNumber,
    id: state.item.id,
    ...(state.item.changes ? { changes: state.item.changes } : {}),
    result: state.result ?? ('pending' as const),
    ...(state.error ? { error: state.error } : {}),
  }));
  const counts = Object.fromEntries(RESULTS.map((result) => [result, 0])) as Record<ChangeResult | 'pending', number>;
  for (const device of devices) counts[device.result]++;
  return {
    id: manifest.id,
    operation: manifest.operation,
    startedAt: manifest.startedAt,
    source: manifest.source,
    ...(manifest.group ? { group: manifest.group } : {}),
    ...(manifest.tenant ? { tenant: manifest.tenant } : {}),
    ...(manifest.deleteEntraDevices ? { deleteEntraDevices: true } : {}),
    devices,
    counts,
    finished: counts.pending === 0,
  };
}
