/**
 * A tenant's worth of registered devices for the sandbox, `npm run emulator` and the benchmark: several group tags,
 * one deployment profile, a few enrolled devices, assigned users, serials as untidy as real ones (OEM formats,
 * VMware serials with spaces and hyphens, a pair of `Default string`), and Entra groups to add devices to. Built from
 * a counter, so two seeds of the same size hold the same serials.
 */
import { randomUUID } from 'node:crypto';
import type { DeploymentProfileRecord, GroupRecord } from './lifecycle';
import type { EmulatorState, RegisteredRecord } from './state';

export interface FleetOptions {
  readonly count: number;
  /** Group tags handed out in turn ('' for devices without one); the default has four tags and untagged devices. */
  readonly groupTags?: readonly string[];
  /** The one deployment profile and the group tags it targets. */
  readonly profile?: { readonly displayName: string; readonly groupTags: readonly string[] } | false;
  /** Every n-th device is enrolled in Intune (0: none). */
  readonly enrolledEvery?: number;
  /** Entra groups to create (by display name). */
  readonly groups?: readonly string[];
}

export interface Fleet {
  readonly devices: RegisteredRecord[];
  readonly profile?: DeploymentProfileRecord;
  readonly groups: GroupRecord[];
}

export const FLEET_GROUP_TAGS = ['Sales', 'Kiosk', 'Engineering', 'Finance', ''] as const;
export const FLEET_PROFILE = { displayName: 'Autopilot - User-driven Entra join', groupTags: ['Sales', 'Engineering'] } as const;
export const FLEET_GROUPS = ['Autopilot - Sales devices', 'Autopilot - Kiosk devices', 'Autopilot - Pilot ring'] as const;

const MODELS = [
  { manufacturer: 'HP', model: 'HP EliteBook 840 G10', serial: (n: number) => `5CG${String(n).padStart(7, '0')}` },
  { manufacturer: 'Dell Inc.', model: 'Latitude 7440', serial: (n: number) => n.toString(36).toUpperCase().padStart(7, '0') },
  { manufacturer: 'LENOVO', model: '21HDS0V800', serial: (n: number) => `PF${n.toString(36).toUpperCase().padStart(6, '0')}` },
  { manufacturer: 'Microsoft Corporation', model: 'Surface Laptop 5', serial: (n: number) => String(10_000_000_000 + n).padStart(12, '0') },
  { manufacturer: 'VMware, Inc.', model: 'VMware20,1', serial: (n: number) => `VMware-56 4d ${(n >> 8).toString(16).padStart(2, '0')} ${(n & 255).toString(16).padStart(2, '0')} a1 b2-c3 d4 e5 f6 07 18 29 3a` },
] as const;

export function seedFleet(state: EmulatorState, tenantId: string, options: FleetOptions): Fleet {
  const tenant = state.tenant(tenantId);
  const now = state.now();
  const longAgo = now - 30 * 24 * 3_600_000;
  const tags = options.groupTags ?? FLEET_GROUP_TAGS;
  const enrolledEvery = options.enrolledEvery ?? 10;
  const profileOptions = options.profile === undefined ? FLEET_PROFILE : options.profile;
  const profile = profileOptions ? tenant.directory.addProfile(profileOptions.displayName, profileOptions.groupTags, longAgo) : undefined;
  const devices: RegisteredRecord[] = [];
  for (let i = 0; i < options.count; i++) {
    const kind = MODELS[i % MODELS.length]!;
    const serialNumber = i === 7 || i === 8 ? 'Default string' : kind.serial(100_000 + i);
    const groupTag = tags[i % tags.length] || null;
    const device = state.register(tenant, {
      id: randomUUID(),
      serialNumber,
      manufacturer: kind.manufacturer,
      model: kind.model,
      hardwareIdentifier: null,
      groupTag,
      productKey: null,
      userPrincipalName: i % 4 === 0 ? `user${i}@contoso.onmicrosoft.com` : null,
      addressableUserName: null,
      displayName: null,
      azureActiveDirectoryDeviceId: randomUUID(),
      visibleAt: longAgo,
      completedAt: longAgo,
      groupTagSetAt: longAgo,
    });
    if (enrolledEvery > 0 && i % enrolledEvery === enrolledEvery - 1) tenant.directory.enroll(device, longAgo);
    devices.push(device);
  }
  const groups = (options.groups ?? FLEET_GROUPS).map((name) => tenant.directory.addGroup(name));
  return { devices, ...(profile ? { profile } : {}), groups };
}
