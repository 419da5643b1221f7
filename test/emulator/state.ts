/**
 * What the emulated tenants hold and how it changes over time. Status changes are computed from the clock when a
 * record is read (no timers), so a test with a fake clock and a test with real time see the same behaviour:
 * a new import record is `unknown` for the processing delay, then `complete` or `error` (806, 808,
 * ZtdDeviceDuplicated, InvalidZtdHardwareHash, or a forced outcome); a completed record gets its
 * `deviceRegistrationId` some time later, and the device appears among registered devices later still, sooner if a
 * sync finishes first (facts page §1.3, §1.8, §2.1). Records of earlier imports stay until someone deletes them.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../src/common/clock';
import { HashIndexedRecords } from './hashIndexedRecords';
import { IdentityStore } from './corporateIdentifiers';
import { DEFAULT_LIFECYCLE_TIMING, TenantDirectory, profileAssignment } from './lifecycle';
import { TIDY_NOTHING, type Tidiness } from './tidiness';

export interface EmulatorTiming {
  /** How long a new import record stays `unknown`. */
  readonly processingDelayMs: number;
  /** Extra random delay per record, up to this much. */
  readonly processingJitterMs: number;
  /** How long after `complete` the device shows up in `windowsAutopilotDeviceIdentities` without a sync. */
  readonly registrationDelayMs: number;
  /**
   * How long after `complete` the record's `deviceRegistrationId` is filled (Intune answers `complete` first); half
   * the registration delay when absent.
   */
  readonly registrationIdDelayMs?: number;
  /** How long a manual sync runs (409 meanwhile). */
  readonly syncDurationMs: number;
  /** Minimum time between manual syncs (429 within it); Intune's is 10 minutes. */
  readonly syncMinIntervalMs: number;
  /**
   * A write answered 500/502/503/504, cut, or left unanswered may still be committed up to this long after the
   * answer (a gateway that gave up while the backend went on): the `commit-late` fault, and 5xx faults on writes.
   */
  readonly lateCommitMaxMs: number;
  /**
   * Profile assignment once a profile targets a device's group tag (from the later of registration, the group-tag
   * change and the profile's creation): `notAssigned` until the first delay, `pending` until the second, then
   * `assignedInSync`. Intune documents no latency ("can vary from scenario to scenario").
   */
  readonly profilePendingDelayMs?: number;
  readonly profileAssignedDelayMs?: number;
  /** How long a deleted Autopilot registration stays listed, and a deleted managed device still counts as enrolled. */
  readonly deletionLagMs?: number;
}

export const DEFAULT_TIMING: EmulatorTiming = {
  processingDelayMs: 30_000,
  processingJitterMs: 10_000,
  registrationDelayMs: 120_000,
  syncDurationMs: 30_000,
  syncMinIntervalMs: 10 * 60_000,
  lateCommitMaxMs: 60_000,
};

export interface Outcome {
  readonly status: 'complete' | 'error' | 'partial';
  readonly errorCode: number;
  readonly errorName: string | null;
}

export interface ImportedRecord {
  readonly id: string;
  readonly serialNumber: string;
  readonly hardwareIdentifier: string | null;
  readonly groupTag: string | null;
  readonly productKey: string | null;
  readonly importId: string | null;
  readonly assignedUserPrincipalName: string | null;
  /** When Graph had the request whole; it commits `createdAt`, a latency later (Intune's time to take it in). */
  readonly receivedAt: number;
  readonly createdAt: number;
  readonly readyAt: number;
  readonly outcome: Outcome;
  readonly registrationId: string | null;
  /** When `deviceRegistrationId` shows in the record (after `readyAt`). */
  registrationIdAt: number;
}

export interface RegisteredRecord {
  readonly id: string;
  serialNumber: string;
  manufacturer?: string;
  model?: string;
  /** The Intune managed device of an enrolled device (see lifecycle.ts); none until the device enrolls. */
  managedDeviceId?: string | null;
  lastContactedAt?: number | null;
  /** When the group tag last changed (profile assignment starts over from it). */
  groupTagSetAt?: number;
  /** When a delete was accepted: the registration stays listed for `deletionLagMs`. */
  deletedAt?: number;
  readonly hardwareIdentifier: string | null;
  groupTag: string | null;
  productKey: string | null;
  userPrincipalName: string | null;
  addressableUserName: string | null;
  displayName: string | null;
  readonly azureActiveDirectoryDeviceId: string;
  /** When the device becomes visible; `readyAt` of its import record for devices that came through an import. */
  visibleAt: number;
  readonly completedAt: number;
}

export interface SyncRecord {
  readonly startedAt: number;
  readonly endsAt: number;
}

export class TenantState {
  /** Intune managed devices, Entra devices and groups, and deployment profiles (lifecycle.ts). */
  readonly directory = new TenantDirectory();
  readonly imported = new HashIndexedRecords<ImportedRecord>();
  /** Every import record ever created, deleted or not: what "sent exactly once" is checked against. */
  readonly created: ImportedRecord[] = [];
  readonly registered = new HashIndexedRecords<RegisteredRecord>();
  readonly syncs: SyncRecord[] = [];
  /** Corporate identifiers (Autopilot device preparation). */
  readonly identities = new IdentityStore();
}

/** Real hashes are kilobytes; a blob this small cannot carry manufacturer and serial (InvalidZtdHardwareHash). */
const MIN_HASH_BYTES = 64;

export const IMPORTED_ODATA_TYPE = '#microsoft.graph.importedWindowsAutopilotDeviceIdentity';
export const REGISTERED_ODATA_TYPE = '#microsoft.graph.windowsAutopilotDeviceIdentity';

export function normalizeHash(hash: string | null | undefined): string | null {
  return typeof hash === 'string' && hash.trim() ? hash.trim() : null;
}

export class EmulatorState {
  private readonly tenants = new Map<string, TenantState>();
  /** Hashes registered to some other tenant (808). */
  readonly foreignHashes = new Set<string>();
  /** Outcomes forced by serial number (upper-cased), e.g. `partial` or `StorageError`. */
  readonly forcedOutcomes = new Map<string, Outcome>();

  constructor(
    public timing: EmulatorTiming,
    private readonly clock: Clock,
    /** Where a test asked for tidier answers than Intune gives. */
    readonly tidy: Tidiness = TIDY_NOTHING,
  ) {}

  now(): number {
    return this.clock.now();
  }

  tenant(tenantId: string): TenantState {
    let tenant = this.tenants.get(tenantId);
    if (!tenant) this.tenants.set(tenantId, (tenant = new TenantState()));
    return tenant;
  }

  tenantIds(): string[] {
    return [...this.tenants.keys()];
  }

  reset(): void {
    this.tenants.clear();
    this.foreignHashes.clear();
    this.forcedOutcomes.clear();
  }

  forceOutcome(serialNumber: string, outcome: Outcome): void {
    this.forcedOutcomes.set(serialNumber.trim().toUpperCase(), outcome);
  }

  /** A device already registered in `tenantId` (importing its hash gives 806). */
  seedRegistered(tenantId: string, device: { serialNumber: string; hardwareIdentifier: string; groupTag?: string }): RegisteredRecord {
    const now = this.now();
    const record: RegisteredRecord = {
      id: randomUUID(),
      serialNumber: device.serialNumber,
      hardwareIdentifier: normalizeHash(device.hardwareIdentifier),
      groupTag: device.groupTag ?? null,
      productKey: null,
      userPrincipalName: null,
      addressableUserName: null,
      displayName: null,
      azureActiveDirectoryDeviceId: randomUUID(),
      visibleAt: now,
      completedAt: now,
    };
    this.tenant(tenantId).registered.set(record.id, record);
    this.tenant(tenantId).directory.addEntraDevice(record);
    return record;
  }

  /** A hash registered to another tenant (importing it gives 808). */
  seedForeign(hardwareIdentifier: string): void {
    const hash = normalizeHash(hardwareIdentifier);
    if (hash) this.foreignHashes.add(hash);
  }

  /**
   * An import record left by an earlier import, processed long ago: a failure, or a success whose device is
   * registered (and listed) here. Importing the same device again makes a new record; this one stays.
   */
  seedImported(tenantId: string, device: { serialNumber: string; hardwareIdentifier: string; groupTag?: string }, outcome: Outcome, ageMs = 24 * 3_600_000): ImportedRecord {
    const tenant = this.tenant(tenantId);
    const then = this.now() - ageMs;
    const record: ImportedRecord = {
      id: randomUUID(),
      serialNumber: device.serialNumber,
      hardwareIdentifier: normalizeHash(device.hardwareIdentifier),
      groupTag: device.groupTag ?? null,
      productKey: null,
      importId: null,
      assignedUserPrincipalName: null,
      receivedAt: then,
      createdAt: then,
      readyAt: then,
      outcome,
      registrationId: outcome.status === 'complete' ? randomUUID() : null,
      registrationIdAt: then,
    };
    tenant.imported.set(record.id, record);
    if (record.registrationId) this.register(tenant, this.registeredFor(record, then));
    return record;
  }

  /** Creates an import record (at `now`: the moment its request was committed) and decides what it will turn into. */
  createImported(tenantId: string, input: Record<string, unknown>, jitter: () => number, now = this.now(), receivedAt = now): ImportedRecord {
    const tenant = this.tenant(tenantId);
    const text = (key: string) => (typeof input[key] === 'string' ? (input[key] as string) : null);
    const serialNumber = text('serialNumber') ?? '';
    const hash = normalizeHash(text('hardwareIdentifier'));
    const readyAt = now + this.timing.processingDelayMs + Math.round(jitter() * this.timing.processingJitterMs);
    const outcome = this.decideOutcome(tenant, serialNumber, hash, now);
    const record: ImportedRecord = {
      id: randomUUID(),
      serialNumber,
      hardwareIdentifier: hash,
      groupTag: text('groupTag') ?? text('orderIdentifier'),
      productKey: text('productKey'),
      importId: text('importId'),
      assignedUserPrincipalName: text('assignedUserPrincipalName'),
      receivedAt,
      createdAt: now,
      readyAt,
      outcome,
      registrationId: outcome.status === 'complete' ? randomUUID() : null,
      registrationIdAt: readyAt + (this.timing.registrationIdDelayMs ?? this.timing.registrationDelayMs / 2),
    };
    tenant.imported.set(record.id, record);
    tenant.created.push(record);
    if (record.registrationId) this.register(tenant, this.registeredFor(record, this.visibleAfterSyncs(tenant, readyAt)));
    return record;
  }

  /**
   * Graph's view of an import record at this moment. Intune's answers never carry the hash back, say `None` for the
   * error of a success, and fill the registration id only some time after `complete`.
   */
  importedView(record: ImportedRecord): Record<string, unknown> {
    const now = this.now();
    const processed = now >= record.readyAt;
    return {
      '@odata.type': IMPORTED_ODATA_TYPE,
      id: record.id,
      groupTag: record.groupTag,
      serialNumber: record.serialNumber,
      productKey: record.productKey,
      importId: record.importId,
      hardwareIdentifier: this.tidy.echoHash ? record.hardwareIdentifier : null,
      assignedUserPrincipalName: record.assignedUserPrincipalName,
      state: {
        '@odata.type': 'microsoft.graph.importedWindowsAutopilotDeviceIdentityState',
        deviceImportStatus: processed ? record.outcome.status : 'unknown',
        deviceRegistrationId: processed && now >= record.registrationIdAt ? (record.registrationId ?? '') : '',
        deviceErrorCode: processed ? record.outcome.errorCode : 0,
        deviceErrorName: processed ? (record.outcome.errorName ?? 'None') : '',
      },
    };
  }

  /** Registered devices Graph lists now: visible already, and not deleted longer ago than the deletion lag. */
  visibleRegistered(tenantId: string): RegisteredRecord[] {
    const now = this.now();
    const lag = this.tidy.instantDeletes ? 0 : this.deletionLagMs();
    return [...this.tenant(tenantId).registered.values()].filter((device) => device.visibleAt <= now && (device.deletedAt === undefined || now < device.deletedAt + lag));
  }

  deletionLagMs(): number {
    return this.timing.deletionLagMs ?? DEFAULT_LIFECYCLE_TIMING.deletionLagMs;
  }

  /**
   * Graph's view of a registered device. Beta adds the profile assignment, `azureAdDeviceId` and the remediation and
   * userless states; v1.0 has none of them (lifecycle facts §1.1). A device without a managed device says so with
   * the all-zero GUID, as a live tenant did, not with null.
   */
  registeredView(device: RegisteredRecord, version: 'v1.0' | 'beta' = 'v1.0', tenantId?: string): Record<string, unknown> {
    const managed = tenantId && device.managedDeviceId ? this.tenant(tenantId).directory.managed.get(device.managedDeviceId) : undefined;
    const view: Record<string, unknown> = {
      '@odata.type': REGISTERED_ODATA_TYPE,
      id: device.id,
      serialNumber: device.serialNumber,
      groupTag: device.groupTag ?? '',
      productKey: device.productKey ?? '',
      purchaseOrderIdentifier: '',
      manufacturer: device.manufacturer ?? 'Contoso',
      model: device.model ?? 'Emulated Device',
      skuNumber: '',
      systemFamily: '',
      resourceName: '',
      enrollmentState: managed ? 'enrolled' : device.lastContactedAt ? 'pendingReset' : 'notContacted',
      lastContactedDateTime: device.lastContactedAt ? new Date(device.lastContactedAt).toISOString() : '0001-01-01T00:00:00Z',
      addressableUserName: device.addressableUserName ?? '',
      userPrincipalName: device.userPrincipalName ?? '',
      displayName: device.displayName ?? '',
      azureActiveDirectoryDeviceId: device.azureActiveDirectoryDeviceId,
      managedDeviceId: device.managedDeviceId ?? '00000000-0000-0000-0000-000000000000',
    };
    if (version === 'beta') {
      const assignment = tenantId ? profileAssignment(this.tenant(tenantId), device, this.now(), this.timing) : { status: 'notAssigned' as const };
      Object.assign(view, {
        azureAdDeviceId: device.azureActiveDirectoryDeviceId,
        deploymentProfileAssignmentStatus: assignment.status,
        deploymentProfileAssignmentDetailedStatus: 'none',
        deploymentProfileAssignedDateTime: assignment.assignedAt ? new Date(assignment.assignedAt).toISOString() : '0001-01-01T00:00:00Z',
        remediationState: 'noRemediationRequired',
        remediationStateLastModifiedDateTime: '0001-01-01T00:00:00Z',
        userlessEnrollmentStatus: 'allowed',
      });
    }
    return view;
  }

  /** Sync rules (facts page §1.8): 409 while one runs, 429 within the minimum interval, else 204. */
  triggerSync(tenantId: string): 204 | 409 | 429 {
    const tenant = this.tenant(tenantId);
    const now = this.now();
    const last = tenant.syncs[tenant.syncs.length - 1];
    if (last && now < last.endsAt) return 409;
    if (last && now - last.startedAt < this.timing.syncMinIntervalMs) return 429;
    const sync = { startedAt: now, endsAt: now + this.timing.syncDurationMs };
    tenant.syncs.push(sync);
    // A sync brings every device that had completed by the time it started.
    for (const device of tenant.registered.values()) {
      if (device.completedAt <= now && device.visibleAt > sync.endsAt) device.visibleAt = sync.endsAt;
    }
    return 204;
  }

  settingsView(tenantId: string): Record<string, unknown> {
    const last = this.tenant(tenantId).syncs.at(-1);
    const now = this.now();
    return {
      '@odata.type': '#microsoft.graph.windowsAutopilotSettings',
      id: randomUUID(),
      lastSyncDateTime: last && now >= last.endsAt ? new Date(last.endsAt).toISOString() : '0001-01-01T00:00:00Z',
      lastManualSyncTriggerDateTime: last ? new Date(last.startedAt).toISOString() : '0001-01-01T00:00:00Z',
      syncStatus: !last ? 'unknown' : now < last.endsAt ? 'inProgress' : 'completed',
    };
  }

  private decideOutcome(tenant: TenantState, serialNumber: string, hash: string | null, now: number): Outcome {
    const forced = this.forcedOutcomes.get(serialNumber.trim().toUpperCase());
    if (forced) return forced;
    if (!hash || Buffer.byteLength(hash, 'base64') < MIN_HASH_BYTES) {
      return { status: 'error', errorCode: 0, errorName: 'InvalidZtdHardwareHash' };
    }
    if (this.foreignHashes.has(hash)) return { status: 'error', errorCode: 808, errorName: 'ZtdDeviceAssignedToOtherTenant' };
    for (const device of tenant.registered.withHash(hash)) {
      if (device.visibleAt <= now) {
        return { status: 'error', errorCode: 806, errorName: 'ZtdDeviceAlreadyAssigned' };
      }
    }
    for (const other of tenant.imported.withHash(hash)) {
      // Another record for the same hash that is still being processed, or completed but not yet registered.
      if (now < other.readyAt || other.outcome.status === 'complete') {
        return { status: 'error', errorCode: 0, errorName: 'ZtdDeviceDuplicated' };
      }
    }
    return { status: 'complete', errorCode: 0, errorName: null };
  }

  /** A registration and the Entra device object Autopilot creates with it (lifecycle facts §3.3). */
  register(tenant: TenantState, device: RegisteredRecord): RegisteredRecord {
    tenant.registered.set(device.id, device);
    tenant.directory.addEntraDevice(device);
    return device;
  }

  private registeredFor(record: ImportedRecord, visibleAt: number): RegisteredRecord {
    return {
      id: record.registrationId!,
      serialNumber: record.serialNumber,
      hardwareIdentifier: record.hardwareIdentifier,
      groupTag: record.groupTag,
      productKey: record.productKey,
      userPrincipalName: record.assignedUserPrincipalName,
      addressableUserName: null,
      displayName: null,
      azureActiveDirectoryDeviceId: randomUUID(),
      visibleAt,
      completedAt: record.readyAt,
    };
  }

  private visibleAfterSyncs(tenant: TenantState, completedAt: number): number {
    let visibleAt = completedAt + this.timing.registrationDelayMs;
    for (const sync of tenant.syncs) {
      if (sync.startedAt >= completedAt && sync.endsAt < visibleAt) visibleAt = sync.endsAt;
    }
    return visibleAt;
  }
}
