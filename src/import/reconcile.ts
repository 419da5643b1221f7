/**
 * Finding a run's records in Graph's lists, where the hash never comes back and the order says nothing about when a
 * record was made: by serial number, leaving out every record the run knows is not a device's own — records of
 * earlier imports (noted before a device is first sent), records other devices of the run hold, and second records.
 *
 * - `noteExistingRecords`: before devices are first sent, the records their serials already have.
 * - `reconcile`: once the settle time has passed, which devices of unconfirmed writes Graph has; only the rest go
 *   out again.
 * - `noteDuplicates`: a record for a device that already holds one (Graph committed a write after the settle time).
 */
import { GraphError } from '../graph/errors';
import { serialKey } from '../graph/serialFilter';
import type { ImportedDeviceIdentity } from '../graph/types';
import type { RecordSnapshot } from './journal';
import { snapshotOf, type RunContext } from './runContext';

/**
 * The import records Graph holds for these serials: with the serial filter, one request each, for a few; else (or
 * when Graph refuses the filter, as it does for some serials) every page of the list.
 */
export async function listRecordsForSerials(ctx: RunContext, serials: readonly string[]): Promise<ImportedDeviceIdentity[]> {
  const wanted = new Map(serials.map((serial) => [serialKey(serial), serial]));
  const found = new Map<string, ImportedDeviceIdentity>();
  const keep = (record: ImportedDeviceIdentity) => {
    if (record.id && wanted.has(serialKey(record.serialNumber))) found.set(record.id, record);
  };
  if (wanted.size <= ctx.settings.perRecordPollLimit) {
    try {
      for (const serial of wanted.values()) (await ctx.graph.findImportedDevicesBySerial(serial, ctx.stop)).forEach(keep);
      return [...found.values()];
    } catch (error) {
      if (!(error instanceof GraphError && error.status === 400)) throw error;
      ctx.logger.info(`Run ${ctx.runId}: Graph refused the serial-number filter (${error.graphMessage}); listing every import record instead`);
    }
  }
  for await (const page of ctx.graph.listImportedDevices({ pageSize: ctx.settings.pageSize, signal: ctx.stop })) page.forEach(keep);
  return [...found.values()];
}

/** Journals the records that already exist for these devices' serials, so the run never takes them for its own. */
export function noteExistingRecords(ctx: RunContext, devices: readonly number[], records: readonly ImportedDeviceIdentity[]): void {
  const serials = new Set(devices.map((index) => serialKey(ctx.state.devices[index]!.serialNumber)));
  const known = ctx.state.knownRecordIds();
  const ids = records.filter((record) => serials.has(serialKey(record.serialNumber)) && !known.has(record.id!)).map((record) => record.id!);
  ctx.record({ t: 'existing', ids });
  if (ids.length) ctx.logger.info(`Run ${ctx.runId}: ${ids.length} import record(s) of earlier imports exist for its serial numbers; they are not this run's and are left alone`);
}

/** How likely a record is to be the first of several for one device: a decided one, then one being processed. */
function firstness(record: ImportedDeviceIdentity): number {
  const status = String(record.state?.deviceImportStatus ?? 'unknown');
  if (record.state?.deviceErrorName === 'ZtdDeviceDuplicated') return 2;
  return status === 'unknown' || status === 'pending' ? 1 : 0;
}

/**
 * Adopts, for each device of an unconfirmed write, the record Graph made for it (listing now, unless `records` come
 * from a listing made after the settle time), and returns the devices Graph does not have.
 */
export async function reconcile(ctx: RunContext, devices: readonly number[], records?: readonly ImportedDeviceIdentity[]): Promise<number[]> {
  if (!devices.length) return [];
  ctx.logger.info(`Run ${ctx.runId}: reconciling ${devices.length} device(s) whose send was not confirmed, by listing import records`);
  const listed = records ?? (await listRecordsForSerials(ctx, devices.map((index) => ctx.state.devices[index]!.serialNumber)));
  const known = ctx.state.knownRecordIds();
  const candidates = new Map<string, ImportedDeviceIdentity[]>();
  for (const record of listed) {
    if (!record.id || known.has(record.id)) continue;
    const key = serialKey(record.serialNumber);
    candidates.set(key, [...(candidates.get(key) ?? []), record]);
  }
  const found: RecordSnapshot[] = [];
  const missing: number[] = [];
  for (const index of devices) {
    const key = serialKey(ctx.state.devices[index]!.serialNumber);
    // Each record goes to one device (a file may hold a serial twice).
    const first = (candidates.get(key) ?? []).sort((a, b) => firstness(a) - firstness(b) || (a.id! < b.id! ? -1 : 1)).shift();
    if (first) found.push(snapshotOf(index, first));
    else missing.push(index);
  }
  ctx.record({ t: 'reconciled', devices: [...devices], found });
  // What is left for a serial whose device now holds a record is a second record of that device.
  noteDuplicates(ctx, listed);
  ctx.logger.info(`Run ${ctx.runId}: reconcile found ${found.length}, missing ${missing.length}`);
  ctx.emit({ type: 'reconciled', runId: ctx.runId, found: found.length, missing: missing.length });
  return missing;
}

/**
 * Looks through listed records for second records of devices that already hold one (made by a write Graph
 * committed after the settle time), and journals and logs each once. The device keeps its first record.
 */
export function noteDuplicates(ctx: RunContext, records: Iterable<ImportedDeviceIdentity>): void {
  // Without an unconfirmed write the run cannot have made a second record; one for its serials is someone else's.
  if (!ctx.state.hadUnconfirmedWrites) return;
  const holders = new Map<string, number>();
  for (const device of ctx.state.devices) if (device.progress === 'accepted' && device.recordId) holders.set(serialKey(device.serialNumber), device.index);
  if (!holders.size) return;
  const known = ctx.state.knownRecordIds();
  for (const record of records) {
    const device = holders.get(serialKey(record.serialNumber));
    if (device !== undefined && record.id && !known.has(record.id)) {
      noteDuplicate(ctx, device, record);
      known.add(record.id);
    }
  }
}

/**
 * Once a run that had unconfirmed writes is processed, one more look for second records of its devices (polling a
 * few records one GET each would not see them).
 */
export async function checkForSecondRecords(ctx: RunContext): Promise<void> {
  if (!ctx.state.hadUnconfirmedWrites) return;
  const holders = ctx.state.devices.filter((d) => d.progress === 'accepted' && d.recordId);
  if (holders.length) noteDuplicates(ctx, await listRecordsForSerials(ctx, holders.map((d) => d.serialNumber)));
}

function noteDuplicate(ctx: RunContext, device: number, record: ImportedDeviceIdentity): void {
  const state = ctx.state.devices[device]!;
  ctx.record({ t: 'duplicate', device, id: record.id! });
  ctx.logger.warn(
    `Run ${ctx.runId}: ${state.serialNumber} has a second import record (${record.id}, ${String(record.state?.deviceImportStatus ?? 'unknown')}): ` +
      `Graph committed an unconfirmed write after the settle time. The run reports the device by its first record, ${state.recordId ?? '-'}; ` +
      'the second one can be deleted in Intune.',
  );
}
