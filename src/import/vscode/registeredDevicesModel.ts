/**
 * What the Autopilot Devices view shows: the tenant's registered devices as far as the listing has arrived, whether it
 * is still paging, finished or failed, and the filter the user typed. The registered-devices service feeds it; the
 * tree and the commands read it. No `vscode` and no HTTP here.
 */
import { Emitter, type Subscription } from '../events';
import type { DeviceSummary } from '../lifecycle/registeredDevices';

export type DeviceListState = 'not-read' | 'reading' | 'read' | 'failed';

/** The fields the filter looks in; a plain word looks in all of them. */
export const FILTER_FIELDS = ['serial', 'tag', 'model', 'user'] as const;
export type FilterField = (typeof FILTER_FIELDS)[number];

export interface DeviceFilter {
  /** What the user typed, as shown back (`tag:Sales`, `PF0`). */
  readonly text: string;
  readonly field?: FilterField;
  readonly value: string;
}

/** `serial:ABC`, `tag:Sales`, `model:Latitude`, `user:adele@`, or a plain word matching any of the four. */
export function parseDeviceFilter(text: string): DeviceFilter | undefined {
  const trimmed = text.trim();
  if (!trimmed) return undefined;
  const match = /^(serial|tag|grouptag|model|user)\s*:\s*(.*)$/i.exec(trimmed);
  if (!match) return { text: trimmed, value: trimmed.toLowerCase() };
  const named = match[1]!.toLowerCase();
  const field: FilterField = named === 'grouptag' ? 'tag' : (named as FilterField);
  return { text: trimmed, field, value: match[2]!.trim().toLowerCase() };
}

function fieldText(device: DeviceSummary, field: FilterField): string {
  switch (field) {
    case 'serial':
      return device.serialNumber;
    case 'tag':
      return device.groupTag;
    case 'model':
      return `${device.manufacturer} ${device.model}`;
    case 'user':
      return device.userPrincipalName;
  }
}

export function matchesFilter(device: DeviceSummary, filter: DeviceFilter | undefined): boolean {
  if (!filter) return true;
  const fields = filter.field ? [filter.field] : FILTER_FIELDS;
  return fields.some((field) => fieldText(device, field).toLowerCase().includes(filter.value));
}

export class RegisteredDevicesModel {
  private readonly changes = new Emitter<void>();
  private readonly byId = new Map<string, DeviceSummary>();
  private listState: DeviceListState = 'not-read';
  private failure: string | undefined;
  private tenantLabel: string | undefined;
  private currentFilter: DeviceFilter | undefined;
  /** False when Graph's cursor looped: the list may miss devices. */
  private wholeList = true;
  private pages = 0;

  onDidChange(listener: () => void): Subscription {
    return this.changes.on(listener);
  }

  get state(): DeviceListState {
    return this.listState;
  }

  get problem(): string | undefined {
    return this.failure;
  }

  get tenant(): string | undefined {
    return this.tenantLabel;
  }

  get filter(): DeviceFilter | undefined {
    return this.currentFilter;
  }

  get complete(): boolean {
    return this.wholeList;
  }

  /** Pages read by the listing that filled the model (the view shows them while it pages). */
  get requests(): number {
    return this.pages;
  }

  get size(): number {
    return this.byId.size;
  }

  device(id: string): DeviceSummary | undefined {
    return this.byId.get(id);
  }

  devices(): DeviceSummary[] {
    return [...this.byId.values()];
  }

  /** The devices the filter lets through. */
  shown(): DeviceSummary[] {
    return this.devices().filter((device) => matchesFilter(device, this.currentFilter));
  }

  setFilter(filter: DeviceFilter | undefined): void {
    this.currentFilter = filter;
    this.changes.fire();
  }

  /** A new listing for `tenant` starts: what was shown goes (another tenant's devices are never shown as this one's). */
  startReading(tenant: string): void {
    this.byId.clear();
    this.listState = 'reading';
    this.failure = undefined;
    this.tenantLabel = tenant;
    this.wholeList = true;
    this.pages = 0;
    this.changes.fire();
  }

  /** One page arrived. */
  addPage(devices: readonly DeviceSummary[], requests: number): void {
    for (const device of devices) this.byId.set(device.id, device);
    this.pages = requests;
    this.changes.fire();
  }

  /** The listing ended: the cache's whole index replaces what arrived page by page. */
  finish(devices: readonly DeviceSummary[], tenant: string, complete: boolean, requests: number): void {
    this.byId.clear();
    for (const device of devices) this.byId.set(device.id, device);
    this.listState = 'read';
    this.failure = undefined;
    this.tenantLabel = tenant;
    this.wholeList = complete;
    this.pages = requests;
    this.changes.fire();
  }

  setFailed(problem: string): void {
    this.listState = 'failed';
    this.failure = problem;
    this.changes.fire();
  }

  /** Devices a change or a serial lookup just learned (the rest of the list stays as read). */
  merge(devices: readonly DeviceSummary[]): void {
    for (const device of devices) this.byId.set(device.id, device);
    this.changes.fire();
  }

  remove(ids: readonly string[]): void {
    for (const id of ids) this.byId.delete(id);
    this.changes.fire();
  }

  clear(): void {
    this.byId.clear();
    this.listState = 'not-read';
    this.failure = undefined;
    this.tenantLabel = undefined;
    this.wholeList = true;
    this.pages = 0;
    this.changes.fire();
  }
}
