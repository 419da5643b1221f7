/**
 * A plan before every change (issue 12, SPEC 6.2): per device, what an import, an update, a delete or a group change
 * would do in this tenant, worked out from the registered-device list and the files alone (nothing is sent). The
 * terminal's `plan` and `--dry-run` print it; the VS Code face shows it and asks before acting.
 */
import type { DeviceToImport } from '../../payload/api';
import { serialKey } from '../../graph/serialFilter';
import { isRealManagedDeviceId } from '../../graph/managedDevices';
import type { DeviceSummary, RegisteredDeviceIndex } from './registeredDevices';
import { UPDATABLE_FIELDS, type DeviceUpdate, type UpdatableField } from './updateFile';

export type ImportAction = 'import' | 'skip-registered' | 'duplicate';
export type UpdateAction = 'update' | 'unchanged' | 'not-found' | 'duplicate';
export type RemovalAction = 'delete' | 'still-enrolled' | 'not-found' | 'duplicate';
export type PlanAction = ImportAction | UpdateAction | RemovalAction;

export type Changes = Partial<Record<UpdatableField, { readonly from: string; readonly to: string }>>;

export interface PlannedDevice {
  readonly serialNumber: string;
  readonly action: PlanAction;
  /** The registered device the action concerns (the one already registered, for `skip-registered`). */
  readonly registeredId: string | null;
  readonly changes?: Changes;
  /** Why a device is `not-found` although its serial is registered (several devices share it). */
  readonly reason?: string;
}

export interface Plan {
  readonly devices: PlannedDevice[];
  readonly counts: Partial<Record<PlanAction, number>>;
}

function countActions(devices: readonly PlannedDevice[], actions: readonly PlanAction[]): Partial<Record<PlanAction, number>> {
  const counts: Partial<Record<PlanAction, number>> = Object.fromEntries(actions.map((action) => [action, 0]));
  for (const device of devices) counts[device.action] = (counts[device.action] ?? 0) + 1;
  return counts;
}

/** Several plans (one per file) as one, counts added up. */
export function mergePlans(plans: readonly Plan[]): Plan {
  const devices = plans.flatMap((plan) => plan.devices);
  const counts: Partial<Record<PlanAction, number>> = {};
  for (const plan of plans) for (const [action, count] of Object.entries(plan.counts)) counts[action as PlanAction] = (counts[action as PlanAction] ?? 0) + (count ?? 0);
  return { devices, counts };
}

/**
 * Import: a device whose serial is registered in this tenant would end in 806 (`skip-registered`); a serial or hash
 * that repeats an earlier line (of any of the files, `seen` carries them across) is a `duplicate`.
 */
export function planImport(devices: readonly DeviceToImport[], registered: RegisteredDeviceIndex, seen: Set<string> = new Set()): Plan {
  const planned = devices.map((device): PlannedDevice => {
    const serial = `serial:${serialKey(device.serialNumber)}`;
    const hash = `hash:${device.hardwareIdentifier.trim()}`;
    if (seen.has(serial) || seen.has(hash)) return { serialNumber: device.serialNumber, action: 'duplicate', registeredId: null };
    seen.add(serial);
    seen.add(hash);
    const [existing] = registered.withSerial(device.serialNumber);
    return existing ? { serialNumber: device.serialNumber, action: 'skip-registered', registeredId: existing.id } : { serialNumber: device.serialNumber, action: 'import', registeredId: null };
  });
  return { devices: planned, counts: countActions(planned, ['import', 'skip-registered', 'duplicate']) };
}

/** The one registered device a serial names, or why there is none. */
function target(registered: RegisteredDeviceIndex, serialNumber: string): DeviceSummary | { reason?: string } {
  const matches = registered.withSerial(serialNumber);
  if (matches.length === 1) return matches[0]!;
  return matches.length ? { reason: `${matches.length} registered devices have this serial number; change them one by one, by id` } : {};
}

function isDevice(found: DeviceSummary | { reason?: string }): found is DeviceSummary {
  return 'id' in found;
}

/** What an update row changes on a device: only the fields it sets to something other than what the device has. */
export function changesFor(update: Pick<DeviceUpdate, UpdatableField>, device: DeviceSummary): Changes {
  const changes: Record<string, { from: string; to: string }> = {};
  for (const field of UPDATABLE_FIELDS) {
    const to = update[field];
    if (to !== undefined && to !== device[field]) changes[field] = { from: device[field], to };
  }
  return changes as Changes;
}

/** Update: `update` with its changes from → to, `unchanged`, `not-found` (or ambiguous), `duplicate` (a repeated serial). */
export function planUpdate(updates: readonly DeviceUpdate[], registered: RegisteredDeviceIndex, seen: Set<string> = new Set()): Plan {
  const planned = updates.map((update): PlannedDevice => {
    const key = serialKey(update.serialNumber);
    if (seen.has(key)) return { serialNumber: update.serialNumber, action: 'duplicate', registeredId: null };
    seen.add(key);
    const found = target(registered, update.serialNumber);
    if (!isDevice(found)) return { serialNumber: update.serialNumber, action: 'not-found', registeredId: null, ...(found.reason ? { reason: found.reason } : {}) };
    const changes = changesFor(update, found);
    return Object.keys(changes).length
      ? { serialNumber: update.serialNumber, action: 'update', registeredId: found.id, changes }
      : { serialNumber: update.serialNumber, action: 'unchanged', registeredId: found.id };
  });
  return { devices: planned, counts: countActions(planned, ['update', 'unchanged', 'not-found', 'duplicate']) };
}

/**
 * Delete (or retire, `retire: true`): a device still enrolled in Intune cannot lose its registration first, so a
 * delete plans it as `still-enrolled`; a retire removes the managed device first and plans it as `delete`.
 */
export function planRemoval(serials: readonly string[], registered: RegisteredDeviceIndex, options: { readonly retire?: boolean } = {}): Plan {
  const seen = new Set<string>();
  const planned = serials.map((serialNumber): PlannedDevice => {
    const key = serialKey(serialNumber);
    if (seen.has(key)) return { serialNumber, action: 'duplicate', registeredId: null };
    seen.add(key);
    const found = target(registered, serialNumber);
    if (!isDevice(found)) return { serialNumber, action: 'not-found', registeredId: null, ...(found.reason ? { reason: found.reason } : {}) };
    const enrolled = isRealManagedDeviceId(found.managedDeviceId) || found.enrollmentState === 'enrolled';
    return { serialNumber, action: enrolled && !options.retire ? 'still-enrolled' : 'delete', registeredId: found.id };
  });
  return { devices: planned, counts: countActions(planned, ['delete', 'still-enrolled', 'not-found', 'duplicate']) };
}
