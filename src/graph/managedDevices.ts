/**
 * Intune managed devices, as far as the documented retire order needs them (lifecycle facts §3.3, §4): find the
 * managed device of a serial, delete it (the first step of removing a device), or retire it. Deleting one that is
 * gone already counts as done.
 */
import type { GraphClient } from './client';
import { sameSerial } from './serialFilter';
import type { ManagedDevice } from './types';

const MANAGED = 'deviceManagement/managedDevices';

/** Autopilot says "no managed device" with the all-zero GUID rather than null. */
export function isRealManagedDeviceId(id: string | null | undefined): id is string {
  return typeof id === 'string' && id.trim() !== '' && !/^0{8}-0{4}-0{4}-0{4}-0{12}$/.test(id.trim());
}

export class ManagedDevicesGraph {
  constructor(readonly client: GraphClient) {}

  async getManagedDevice(id: string, signal?: AbortSignal): Promise<ManagedDevice | undefined> {
    const response = await this.client.get<ManagedDevice>(`${MANAGED}/${encodeURIComponent(id)}`, { signal, accept: [404] });
    return response.status === 404 ? undefined : response.body;
  }

  /** Managed devices with exactly this serial (`eq`, which this collection accepts; compared again on our side). */
  async findManagedDevicesBySerial(serial: string, signal?: AbortSignal): Promise<ManagedDevice[]> {
    const found = await this.client.listAll<ManagedDevice>(MANAGED, { signal, query: { $filter: `serialNumber eq '${serial.trim().replace(/'/g, "''")}'` } });
    return found.filter((device) => sameSerial(device.serialNumber, serial));
  }

  async deleteManagedDevice(id: string, signal?: AbortSignal): Promise<'deleted' | 'not-found'> {
    const response = await this.client.delete(`${MANAGED}/${encodeURIComponent(id)}`, { signal, accept: [404] });
    return response.status === 404 ? 'not-found' : 'deleted';
  }

  /** Removes company data and management, keeping the device record (asking twice is harmless). */
  async retireManagedDevice(id: string, signal?: AbortSignal): Promise<void> {
    await this.client.post(`${MANAGED}/${encodeURIComponent(id)}/retire`, undefined, { signal, idempotent: true });
  }
}
