/**
 * What a tenant holds around its Autopilot registrations (lifecycle facts §2–4): Intune managed devices of enrolled
 * devices, the Entra device object Autopilot creates for every registration, Entra groups with their members, and
 * deployment profiles that target group tags (standing in for the dynamic group on `[OrderID]:<tag>` a real profile
 * is assigned to). Profile status is computed from the clock when read, like import states.
 */
import { randomUUID } from 'node:crypto';
import type { EmulatorTiming, RegisteredRecord, TenantState } from './state';

/** Lifecycle delays when a test names none (minutes in real tenants; seconds here so `npm run emulator` stays usable). */
export const DEFAULT_LIFECYCLE_TIMING = { profilePendingDelayMs: 20_000, profileAssignedDelayMs: 90_000, deletionLagMs: 15_000 } as const;

export interface ManagedDeviceRecord {
  readonly id: string;
  readonly serialNumber: string;
  readonly deviceName: string;
  readonly azureADDeviceId: string;
  readonly enrolledAt: number;
  /** When a delete was accepted: the device still counts as enrolled for the deletion lag. */
  deletedAt?: number;
  /** When a retire was accepted (the device stays listed, its company data is being removed). */
  retiredAt?: number;
}

export interface EntraDeviceRecord {
  /** The directory object id (what `$ref` and delete take). */
  readonly id: string;
  /** The device id, which Autopilot calls `azureActiveDirectoryDeviceId`. */
  readonly deviceId: string;
  displayName: string;
  /** `[ZTDID]`, `[OrderID]:<groupTag>`, … (what dynamic groups match). */
  physicalIds: string[];
}

export interface GroupRecord {
  readonly id: string;
  readonly displayName: string;
  readonly securityEnabled: boolean;
  readonly members: Set<string>;
}

export interface DeploymentProfileRecord {
  readonly id: string;
  readonly displayName: string;
  /** Group tags whose devices the profile's (dynamic) group holds, compared without regard to case. */
  readonly groupTags: readonly string[];
  readonly createdAt: number;
}

export type ProfileStatus = 'notAssigned' | 'pending' | 'assignedInSync';

export class TenantDirectory {
  readonly managed = new Map<string, ManagedDeviceRecord>();
  readonly entraDevices = new Map<string, EntraDeviceRecord>();
  readonly groups = new Map<string, GroupRecord>();
  readonly profiles: DeploymentProfileRecord[] = [];

  addEntraDevice(device: RegisteredRecord): EntraDeviceRecord {
    const record: EntraDeviceRecord = {
      id: randomUUID(),
      deviceId: device.azureActiveDirectoryDeviceId,
      displayName: device.serialNumber,
      physicalIds: [`[ZTDID]:${randomUUID()}`, ...(device.groupTag ? [`[OrderID]:${device.groupTag}`] : [])],
    };
    this.entraDevices.set(record.id, record);
    return record;
  }

  entraDeviceByDeviceId(deviceId: string): EntraDeviceRecord | undefined {
    for (const device of this.entraDevices.values()) if (device.deviceId.toLowerCase() === deviceId.toLowerCase()) return device;
    return undefined;
  }

  addGroup(displayName: string, options: { securityEnabled?: boolean } = {}): GroupRecord {
    const group: GroupRecord = { id: randomUUID(), displayName, securityEnabled: options.securityEnabled ?? true, members: new Set() };
    this.groups.set(group.id, group);
    return group;
  }

  addProfile(displayName: string, groupTags: readonly string[], now: number): DeploymentProfileRecord {
    const profile: DeploymentProfileRecord = { id: randomUUID(), displayName, groupTags, createdAt: now };
    this.profiles.push(profile);
    return profile;
  }

  /** Enrolls a registered device in Intune: a managed device, which Intune refuses to delete the registration under. */
  enroll(device: RegisteredRecord, now: number): ManagedDeviceRecord {
    const managed: ManagedDeviceRecord = {
      id: randomUUID(),
      serialNumber: device.serialNumber,
      deviceName: device.displayName || `DESKTOP-${device.serialNumber.replace(/[^A-Za-z0-9]/g, '').slice(-7).toUpperCase()}`,
      azureADDeviceId: device.azureActiveDirectoryDeviceId,
      enrolledAt: now,
    };
    this.managed.set(managed.id, managed);
    device.managedDeviceId = managed.id;
    device.lastContactedAt = now;
    return managed;
  }

  /** Whether the managed device still counts as enrolled: not deleted, or deleted less than the lag ago. */
  isEnrolled(managedDeviceId: string | null | undefined, now: number, lagMs: number): boolean {
    const managed = managedDeviceId ? this.managed.get(managedDeviceId) : undefined;
    if (!managed) return false;
    return managed.deletedAt === undefined || now < managed.deletedAt + lagMs;
  }

  profileFor(groupTag: string | null): DeploymentProfileRecord | undefined {
    if (!groupTag) return undefined;
    const tag = groupTag.toLowerCase();
    return this.profiles.find((profile) => profile.groupTags.some((candidate) => candidate.toLowerCase() === tag));
  }
}

/**
 * `deploymentProfileAssignmentStatus` now: `notAssigned` while no profile targets the device's group tag; once one
 * does, `notAssigned`, then `pending`, then `assignedInSync`, counted from the later of registration, the last
 * group-tag change and the profile's creation.
 */
export function profileAssignment(
  tenant: TenantState,
  device: RegisteredRecord,
  now: number,
  timing: Pick<EmulatorTiming, 'profilePendingDelayMs' | 'profileAssignedDelayMs'>,
): { status: ProfileStatus; profile?: DeploymentProfileRecord; assignedAt?: number } {
  const profile = tenant.directory.profileFor(device.groupTag);
  if (!profile) return { status: 'notAssigned' };
  const since = Math.max(device.visibleAt, device.groupTagSetAt ?? 0, profile.createdAt);
  const pendingAt = since + (timing.profilePendingDelayMs ?? DEFAULT_LIFECYCLE_TIMING.profilePendingDelayMs);
  const assignedAt = since + (timing.profileAssignedDelayMs ?? DEFAULT_LIFECYCLE_TIMING.profileAssignedDelayMs);
  if (now < pendingAt) return { status: 'notAssigned', profile };
  if (now < assignedAt) return { status: 'pending', profile };
  return { status: 'assignedInSync', profile, assignedAt };
}
