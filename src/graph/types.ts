/**
 * Microsoft Graph resource shapes the product reads and writes (v1.0 CSDL; see the facts page §1.2–1.5).
 * Graph may add properties at any time, so readers must tolerate unknown ones.
 */

/** `importedWindowsAutopilotDeviceIdentityImportStatus`. `unknown` and `pending` mean "still processing". */
export type ImportStatus = 'unknown' | 'pending' | 'partial' | 'complete' | 'error';

export const IMPORTED_DEVICE_ODATA_TYPE = '#microsoft.graph.importedWindowsAutopilotDeviceIdentity';
export const IMPORTED_DEVICE_STATE_ODATA_TYPE = 'microsoft.graph.importedWindowsAutopilotDeviceIdentityState';

export interface ImportedDeviceState {
  '@odata.type'?: string;
  deviceImportStatus: ImportStatus | string;
  deviceRegistrationId?: string | null;
  deviceErrorCode: number;
  deviceErrorName?: string | null;
}

/** `importedWindowsAutopilotDeviceIdentity`: the import record Graph keeps for each uploaded device. */
export interface ImportedDeviceIdentity {
  '@odata.type'?: string;
  id?: string;
  /** Deprecated by Graph in favour of `groupTag`; still accepted in payloads. */
  orderIdentifier?: string | null;
  groupTag?: string | null;
  serialNumber: string;
  productKey?: string | null;
  importId?: string | null;
  /** Standard padded Base64 of the hardware hash (Edm.Binary). */
  hardwareIdentifier: string;
  state?: ImportedDeviceState;
  assignedUserPrincipalName?: string | null;
}

/** `windowsAutopilotDeviceIdentity`: a device registered with Autopilot (the goal of an import). */
export interface RegisteredDevice {
  id: string;
  serialNumber?: string | null;
  groupTag?: string | null;
  manufacturer?: string | null;
  model?: string | null;
  enrollmentState?: string;
  userPrincipalName?: string | null;
  azureActiveDirectoryDeviceId?: string | null;
  displayName?: string | null;
  lastContactedDateTime?: string;
  /** The Intune managed device of an enrolled device; the all-zero GUID (not null) when there is none. */
  managedDeviceId?: string | null;
  /** Beta only: `unknown`, `notAssigned`, `pending`, `assignedInSync`, `assignedOutOfSync`, `assignedUnkownSyncState` (sic), `failed`. */
  deploymentProfileAssignmentStatus?: string | null;
  /** Beta only. */
  deploymentProfileAssignmentDetailedStatus?: string | null;
  /** Beta only. */
  deploymentProfileAssignedDateTime?: string | null;
  /** Beta only, with `$expand=deploymentProfile,intendedDeploymentProfile`. */
  deploymentProfile?: { id?: string; displayName?: string } | null;
  intendedDeploymentProfile?: { id?: string; displayName?: string } | null;
  [property: string]: unknown;
}

/** `managedDevice`: an Intune-enrolled device (the part of it the lifecycle needs). */
export interface ManagedDevice {
  id: string;
  deviceName?: string | null;
  serialNumber?: string | null;
  azureADDeviceId?: string | null;
  managementState?: string | null;
  [property: string]: unknown;
}

/** An Entra `device` object: `id` is the directory object id, `deviceId` what Autopilot calls `azureActiveDirectoryDeviceId`. */
export interface EntraDevice {
  id: string;
  deviceId?: string | null;
  displayName?: string | null;
  [property: string]: unknown;
}

export interface EntraGroup {
  id: string;
  displayName?: string | null;
  securityEnabled?: boolean | null;
  mailEnabled?: boolean | null;
  groupTypes?: string[] | null;
  [property: string]: unknown;
}

/** Beta `windowsAutopilotSettings`. */
export interface AutopilotSettings {
  lastSyncDateTime?: string;
  lastManualSyncTriggerDateTime?: string;
  syncStatus?: 'unknown' | 'inProgress' | 'completed' | 'failed' | string;
}
