/**
 * Typed calls for the Autopilot resources the product uses (facts page §1): the imported-identity collection and its
 * `import` action, registered devices, and the beta-only `windowsAutopilotSettings` with `sync`.
 */
import type { ApiVersion, GraphClient } from './client';
import { GraphError } from './errors';
import { sameSerial, serialContainsFilter } from './serialFilter';
import {
  IMPORTED_DEVICE_ODATA_TYPE,
  type AutopilotSettings,
  type ImportedDeviceIdentity,
  type RegisteredDevice,
} from './types';

const IMPORTED = 'deviceManagement/importedWindowsAutopilotDeviceIdentities';
const REGISTERED = 'deviceManagement/windowsAutopilotDeviceIdentities';
const SETTINGS = 'deviceManagement/windowsAutopilotSettings';

/** What a caller may write for one device: the writable properties of `importedWindowsAutopilotDeviceIdentity`. */
export type ImportedDeviceInput = Omit<ImportedDeviceIdentity, 'id' | 'state'> & Partial<Pick<ImportedDeviceIdentity, 'state'>>;

/** Devices per page when listing registered devices: the most Intune is known to give, so 20,000 take 21 requests. */
export const REGISTERED_PAGE_SIZE = 1000;
/** A listing stops after this many pages whatever the cursor says (a million devices at 1,000 a page). */
export const MAX_REGISTERED_PAGES = 1000;

export interface RegisteredListOptions {
  readonly pageSize?: number;
  readonly maxPages?: number;
  readonly apiVersion?: ApiVersion;
  readonly signal?: AbortSignal;
  /** The listing ended early: Graph's cursor repeated a page, or the page limit was reached. */
  readonly onIncomplete?: (reason: 'repeated-link' | 'page-limit', pagesRead: number) => void;
}

/** `deploymentProfileAssignmentStatus` and what goes with it (beta only). */
export interface ProfileAssignment {
  /** Graph's value, `null` when Graph gives none. */
  readonly status: string | null;
  readonly detailedStatus: string | null;
  readonly assignedAt: string | null;
  /** The assigned profile's name, else the intended one's, when Graph expands them. */
  readonly profileName: string | null;
}

/** The statuses that mean "assigned" (the community script's `StartsWith("assigned")`, misspelt member included). */
export function isProfileAssigned(status: string | null | undefined): boolean {
  return typeof status === 'string' && status.startsWith('assigned');
}

export function profileAssignmentOf(device: RegisteredDevice): ProfileAssignment {
  const assignedAt = typeof device.deploymentProfileAssignedDateTime === 'string' && !device.deploymentProfileAssignedDateTime.startsWith('0001-') ? device.deploymentProfileAssignedDateTime : null;
  return {
    status: typeof device.deploymentProfileAssignmentStatus === 'string' ? device.deploymentProfileAssignmentStatus : null,
    detailedStatus: typeof device.deploymentProfileAssignmentDetailedStatus === 'string' ? device.deploymentProfileAssignmentDetailedStatus : null,
    assignedAt,
    profileName: device.deploymentProfile?.displayName ?? device.intendedDeploymentProfile?.displayName ?? null,
  };
}

export type SyncOutcome = 'started' | 'already-running' | 'too-soon';

export interface DevicePropertyUpdate {
  readonly userPrincipalName?: string;
  readonly addressableUserName?: string;
  readonly groupTag?: string;
  readonly displayName?: string;
}

/**
 * `/import` answered as if the action did not exist here: fall back to one `POST` per device. Graph words a missing
 * route as a 400 ("No method match route template…", "Resource not found for the segment 'import'"), which refuses
 * the route, not a device.
 */
export function isImportActionUnavailable(error: unknown): boolean {
  if (!(error instanceof GraphError)) return false;
  if (error.status === 404 || error.status === 405 || error.status === 501) return true;
  return error.status === 400 && /No method match route template|Resource not found for the segment/i.test(error.graphMessage);
}

function withODataType(device: ImportedDeviceInput): ImportedDeviceInput {
  return { '@odata.type': IMPORTED_DEVICE_ODATA_TYPE, ...device };
}

function byId(id: string): string {
  return encodeURIComponent(id);
}

export class AutopilotGraph {
  constructor(readonly client: GraphClient) {}

  /** The seed's call: `POST …/importedWindowsAutopilotDeviceIdentities` → `201` and the created record. */
  async createImportedDevice(device: ImportedDeviceInput, signal?: AbortSignal): Promise<ImportedDeviceIdentity> {
    return (await this.client.post<ImportedDeviceIdentity>(IMPORTED, withODataType(device), { signal })).body;
  }

  /** `POST …/import`: one write for many devices; records come back in request order. */
  async importDevices(devices: readonly ImportedDeviceInput[], signal?: AbortSignal): Promise<ImportedDeviceIdentity[]> {
    const body = { importedWindowsAutopilotDeviceIdentities: devices.map(withODataType) };
    return (await this.client.post<{ value?: ImportedDeviceIdentity[] }>(`${IMPORTED}/import`, body, { signal })).body?.value ?? [];
  }

  async getImportedDevice(id: string, signal?: AbortSignal): Promise<ImportedDeviceIdentity | undefined> {
    const response = await this.client.get<ImportedDeviceIdentity>(`${IMPORTED}/${byId(id)}`, { signal, accept: [404] });
    return response.status === 404 ? undefined : response.body;
  }

  listImportedDevices(options: { pageSize?: number; signal?: AbortSignal } = {}): AsyncGenerator<ImportedDeviceIdentity[]> {
    return this.client.pages<ImportedDeviceIdentity>(IMPORTED, { signal: options.signal, query: options.pageSize ? { $top: options.pageSize } : undefined });
  }

  async findImportedDevicesBySerial(serial: string, signal?: AbortSignal): Promise<ImportedDeviceIdentity[]> {
    return this.findBySerial<ImportedDeviceIdentity>(IMPORTED, serial, signal);
  }

  /** Deletes an import record; one that is already gone counts as deleted. */
  async deleteImportedDevice(id: string, signal?: AbortSignal): Promise<void> {
    await this.client.delete(`${IMPORTED}/${byId(id)}`, { signal, accept: [404] });
  }

  /** A registered Autopilot device, or undefined while it has not appeared (yet). */
  async getRegisteredDevice(id: string, signal?: AbortSignal, apiVersion?: ApiVersion): Promise<RegisteredDevice | undefined> {
    const response = await this.client.get<RegisteredDevice>(`${REGISTERED}/${byId(id)}`, { signal, accept: [404], ...(apiVersion ? { apiVersion } : {}) });
    return response.status === 404 ? undefined : response.body;
  }

  /**
   * Registered devices, page by page, each device once. Intune's cursor is inclusive (the last device of a page comes
   * again on the next) and can repeat its own page forever, so devices are de-duplicated by id and the listing ends
   * when the next link repeats or after `maxPages`, reported through `onIncomplete` (lifecycle facts §1.3). Never
   * `$select` (it answers 500). `apiVersion: 'beta'` brings the profile assignment along.
   */
  async *listRegisteredDevices(options: RegisteredListOptions = {}): AsyncGenerator<RegisteredDevice[]> {
    const seen = new Set<string>();
    const pages = this.client.pages<RegisteredDevice>(
      REGISTERED,
      { signal: options.signal, apiVersion: options.apiVersion, query: { $top: options.pageSize ?? REGISTERED_PAGE_SIZE } },
      { maxPages: options.maxPages ?? MAX_REGISTERED_PAGES, onStop: (reason, pagesRead) => options.onIncomplete?.(reason, pagesRead) },
    );
    for await (const page of pages) {
      const fresh = page.filter((device) => typeof device?.id === 'string' && !seen.has(device.id) && seen.add(device.id));
      yield fresh;
    }
  }

  /** Deletes an Autopilot registration: `not-found` when it is gone already. A device still enrolled in Intune is refused (400, thrown). */
  async deleteRegisteredDevice(id: string, signal?: AbortSignal): Promise<'deleted' | 'not-found'> {
    const response = await this.client.delete(`${REGISTERED}/${byId(id)}`, { signal, accept: [404] });
    return response.status === 404 ? 'not-found' : 'deleted';
  }

  /** Beta only: the device's profile assignment, with the profile's name where Graph names one; undefined when not listed. */
  async getProfileAssignment(id: string, signal?: AbortSignal): Promise<ProfileAssignment | undefined> {
    const response = await this.client.get<RegisteredDevice>(`${REGISTERED}/${byId(id)}`, {
      signal,
      apiVersion: 'beta',
      query: { $expand: 'deploymentProfile,intendedDeploymentProfile' },
      accept: [404],
    });
    if (response.status === 404 || !response.body) return undefined;
    return profileAssignmentOf(response.body);
  }

  /** Registered devices whose serial is exactly `serial` (ignoring case and surrounding blanks). */
  async findRegisteredDevicesBySerial(serial: string, signal?: AbortSignal, apiVersion?: ApiVersion): Promise<RegisteredDevice[]> {
    return this.findBySerial<RegisteredDevice>(REGISTERED, serial, signal, apiVersion);
  }

  async updateDeviceProperties(id: string, update: DevicePropertyUpdate, signal?: AbortSignal): Promise<void> {
    await this.client.post(`${REGISTERED}/${byId(id)}/updateDeviceProperties`, update, { signal, idempotent: true });
  }

  /** Beta only: last sync times and status. */
  async getAutopilotSettings(signal?: AbortSignal): Promise<AutopilotSettings> {
    return (await this.client.get<AutopilotSettings>(SETTINGS, { signal, apiVersion: 'beta' })).body;
  }

  /**
   * Beta only. Intune allows one manual sync per 10 minutes: 409 means one is running and 429 that the last was
   * too recent — neither is a failure, so neither is retried or thrown.
   */
  async syncAutopilot(signal?: AbortSignal): Promise<SyncOutcome> {
    // Starting a sync twice is harmless (the second answers 409), so a 5xx is worth repeating.
    const response = await this.client.post<undefined>(`${SETTINGS}/sync`, undefined, { signal, apiVersion: 'beta', accept: [409, 429], idempotent: true });
    if (response.status === 409) return 'already-running';
    if (response.status === 429) return 'too-soon';
    return 'started';
  }

  private async findBySerial<T extends { id?: string; serialNumber?: string | null }>(collection: string, serial: string, signal?: AbortSignal, apiVersion?: ApiVersion): Promise<T[]> {
    const filter = serialContainsFilter(serial);
    const candidates = await this.client.listAll<T>(collection, { signal, apiVersion, query: filter ? { $filter: filter } : undefined });
    // An inclusive cursor repeats the boundary item of each page.
    const seen = new Set<string>();
    return candidates.filter((item) => sameSerial(item.serialNumber, serial) && (item.id === undefined || (!seen.has(item.id) && Boolean(seen.add(item.id)))));
  }
}
