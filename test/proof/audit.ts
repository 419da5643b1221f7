/**
 * Checks a run's reported result against the emulator's own records: the ground truth of what Graph holds, what it
 * created (deleted records included) and what each record has turned into. Used by the soak and the crash tests.
 */
import type { GraphEmulator } from '../emulator/server';
import type { ImportedRecord } from '../emulator/state';

/** A device as the engine view or the CLI's `--json` reports it. */
export interface ReportedDevice {
  readonly serialNumber: string;
  readonly id: string | null;
  readonly status: string;
  readonly errorCode: number;
  readonly errorName: string | null;
  readonly registered: boolean;
}

export interface ExpectedDevice {
  readonly serialNumber: string;
  /** Graph refuses this device's request outright (400), so it must have no record and be reported as an error. */
  readonly refused?: boolean;
}

/**
 * Every problem found, as one line each (empty when all is well):
 * - exactly once: one import record ever created per device (none for a refused one), and no record of a stranger;
 * - reported correctly: the reported id is that record's (never one of an earlier import, which the emulator does
 *   not count as created), and status, error code, error name and registration (listed among registered devices)
 *   are what Graph shows for it now.
 */
export function auditRun(emulator: GraphEmulator, tenantId: string, expected: readonly ExpectedDevice[], reported: readonly ReportedDevice[]): string[] {
  const problems: string[] = [];
  const tenant = emulator.state.tenant(tenantId);
  const created = new Map<string, ImportedRecord[]>();
  for (const record of tenant.created) {
    const list = created.get(record.serialNumber) ?? [];
    list.push(record);
    created.set(record.serialNumber, list);
  }
  if (reported.length !== expected.length) problems.push(`${reported.length} devices reported for ${expected.length} sent`);
  const visible = new Set(emulator.state.visibleRegistered(tenantId).map((device) => device.id));
  const known = new Set(expected.map((device) => device.serialNumber));
  for (const serial of created.keys()) if (!known.has(serial)) problems.push(`${serial}: a record for a device that is not in the run`);

  expected.forEach((device, index) => {
    const said = reported[index];
    const records = created.get(device.serialNumber) ?? [];
    if (!said || said.serialNumber !== device.serialNumber) {
      problems.push(`device ${index}: reported as ${said?.serialNumber ?? 'nothing'} instead of ${device.serialNumber}`);
      return;
    }
    if (device.refused) {
      if (records.length) problems.push(`${device.serialNumber}: Graph refused it, yet ${records.length} record(s) exist`);
      if (said.status !== 'error' || said.errorCode !== 400 || said.id !== null) problems.push(`${device.serialNumber}: refused by Graph but reported ${describe(said)}`);
      return;
    }
    if (records.length !== 1) {
      problems.push(`${device.serialNumber}: ${records.length} import records created (must be exactly 1)`);
      if (!records.length) return;
    }
    const record = records.find((candidate) => candidate.id === said.id);
    if (!record) {
      problems.push(`${device.serialNumber}: reported record ${said.id ?? 'none'}, Graph holds ${records.map((r) => r.id).join(', ')}`);
      return;
    }
    const state = (emulator.state.importedView(record) as { state: { deviceImportStatus: string; deviceErrorCode: number; deviceErrorName: string } }).state;
    // Intune names a success's error `None`; the product reports no error there.
    const truth = { status: state.deviceImportStatus, errorCode: state.deviceErrorCode, errorName: state.deviceErrorName && state.deviceErrorName !== 'None' ? state.deviceErrorName : null };
    if (said.status !== truth.status || said.errorCode !== truth.errorCode || (said.errorName || null) !== truth.errorName) {
      problems.push(`${device.serialNumber}: reported ${describe(said)}, Graph says ${describe(truth)}`);
    }
    const registered = record.registrationId !== null && visible.has(record.registrationId);
    if (said.registered !== registered) problems.push(`${device.serialNumber}: reported registered=${said.registered}, Graph says ${registered}`);
  });
  return problems;
}

function describe(device: { status: string; errorCode: number; errorName: string | null; id?: string | null }): string {
  return `${device.status} ${device.errorCode} ${device.errorName ?? ''}${device.id === undefined ? '' : ` (id ${device.id ?? 'none'})`}`.replace(/\s+/g, ' ').trim();
}

/** Problems as one assertion message: the count and the first few, so a failure is readable. */
export function summarize(problems: readonly string[], limit = 15): string {
  return `${problems.length} problem(s):\n  ${problems.slice(0, limit).join('\n  ')}${problems.length > limit ? '\n  …' : ''}`;
}
