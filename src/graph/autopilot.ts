/**
 * Typed calls for the Autopilot resources the product uses (facts page §1): the imported-identity collection and its
 * `import` action, registered devices, and the beta-only `windowsAutopilotSettings` with `sync`.
 */
import type { GraphClient } from './client';
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
  async getRegisteredDevice(id: string, signal?: AbortSignal): Promise<RegisteredDevice | undefined> {
    const response = await this.client.get<RegisteredDevice>(`${REGISTERED}/${byId(id)}`, { signal, accept: [404] });
    return response.status === 404 ? undefined : response.body;
  }

  listRegisteredDevices(options: { pageSize?: number; signal?: AbortSignal } = {}): AsyncGenerator<RegisteredDevice[]> {
    return this.client.pages<RegisteredDevice>(REGISTERED, { signal: options.signal, query: options.pageSize ? { $top: options.pageSize } : undefined });
  }

  /** Registered devices whose serial is exactly `serial` (ignoring case and surrounding blanks). */
  async findRegisteredDevicesBySerial(serial: string, signal?: AbortSignal): Promise<RegisteredDevice[]> {
    return this.findBySerial<RegisteredDevice>(REGISTERED, serial, signal);
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

  private async findBySerial<T extends { serialNumber?: string | null }>(collection: string, serial: string, signal?: AbortSignal): Promise<T[]> {
    const filter = serialContainsFilter(serial);
    const candidates = await this.client.listAll<T>(collection, { signal, query: filter ? { $filter: filter } : undefined });
    return candidates.filter((item) => sameSerial(item.serialNumber, serial));
  }
}
