/**
 * Finding out what Graph did with a send whose answer never came: list the import records and match the devices by
 * serial number and hash. Devices found are adopted (never re-sent); only the missing ones go out again.
 */
import { sameSerial } from '../graph/serialFilter';
import type { ImportedDeviceIdentity } from '../graph/types';
import { sameHash, snapshotOf, type RunContext } from './runContext';

/** Returns the devices Graph does not have. */
export async function reconcile(ctx: RunContext, devices: readonly number[]): Promise<number[]> {
  if (!devices.length) return [];
  const manifest = ctx.state.manifest;
  ctx.logger.info(`Run ${ctx.runId}: reconciling ${devices.length} device(s) whose send had no answer, by listing import records`);
  const claimed = new Set(ctx.state.devices.filter((d) => d.progress === 'accepted' && d.recordId).map((d) => d.recordId!));
  const wanted = new Set(devices.map((i) => manifest.devices[i]!.serialNumber.trim().toUpperCase()));
  const candidates = new Map<string, ImportedDeviceIdentity[]>();
  for await (const page of ctx.graph.listImportedDevices({ pageSize: ctx.settings.pageSize, signal: ctx.stop })) {
    for (const record of page) {
      const key = String(record.serialNumber ?? '').trim().toUpperCase();
      if (!wanted.has(key) || !record.id || claimed.has(record.id)) continue;
      const list = candidates.get(key) ?? [];
      list.push(record);
      candidates.set(key, list);
    }
  }
  const found = [];
  const missing: number[] = [];
  for (const index of devices) {
    const device = manifest.devices[index]!;
    const matches = (candidates.get(device.serialNumber.trim().toUpperCase()) ?? []).filter(
      (record) => !claimed.has(record.id!) && sameSerial(record.serialNumber, device.serialNumber) && (record.hardwareIdentifier == null || sameHash(record.hardwareIdentifier, device.hardwareIdentifier)),
    );
    // A record still being processed is the one our lost send created; otherwise the newest.
    const match = matches.find((record) => ['unknown', 'pending'].includes(String(record.state?.deviceImportStatus))) ?? matches.at(-1);
    if (match) {
      claimed.add(match.id!);
      found.push(snapshotOf(index, match));
    } else {
      missing.push(index);
    }
  }
  ctx.record({ t: 'reconciled', devices: [...devices], found });
  ctx.logger.info(`Run ${ctx.runId}: reconcile found ${found.length}, missing ${missing.length}`);
  ctx.emit({ type: 'reconciled', runId: ctx.runId, found: found.length, missing: missing.length });
  return missing;
}
