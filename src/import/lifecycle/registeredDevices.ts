/**
 * The tenant's registered Autopilot devices, listed once and kept: what plans, bulk changes, the terminal's `devices`
 * and the Autopilot Devices view all read. A listing pages in the background (from beta, for the profile status),
 * tells listeners about every page as it arrives, and is shared: asking again while one runs, or after it finished,
 * does not page again until `refresh()`. One serial that is not in a finished list is looked up with the serial filter.
 */
import { AutopilotGraph, profileAssignmentOf } from '../../graph/autopilot';
import { serialKey } from '../../graph/serialFilter';
import type { RegisteredDevice } from '../../graph/types';

/** A registered device as the lifecycle features show it (SPEC 6.2 `devices --json`). */
export interface DeviceSummary {
  readonly id: string;
  readonly serialNumber: string;
  readonly groupTag: string;
  readonly displayName: string;
  readonly userPrincipalName: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly enrollmentState: string;
  /** Beta `deploymentProfileAssignmentStatus`, null where Graph gives none. */
  readonly profileStatus: string | null;
  /** The profile's name and Graph's detailed status, where Graph gives them (shown, not in `devices --json`). */
  readonly profileName?: string | null;
  readonly profileDetail?: string | null;
  readonly lastContactedDateTime: string | null;
  readonly azureActiveDirectoryDeviceId: string | null;
  readonly managedDeviceId: string | null;
}

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

export function summarize(device: RegisteredDevice): DeviceSummary {
  const profile = profileAssignmentOf(device);
  return {
    id: device.id,
    serialNumber: text(device.serialNumber),
    groupTag: text(device.groupTag),
    displayName: text(device.displayName),
    userPrincipalName: text(device.userPrincipalName),
    manufacturer: text(device.manufacturer),
    model: text(device.model),
    enrollmentState: text(device.enrollmentState) || 'unknown',
    profileStatus: profile.status,
    profileName: profile.profileName,
    profileDetail: profile.detailedStatus,
    lastContactedDateTime: typeof device.lastContactedDateTime === 'string' && !device.lastContactedDateTime.startsWith('0001-') ? device.lastContactedDateTime : null,
    azureActiveDirectoryDeviceId: text(device.azureActiveDirectoryDeviceId) || null,
    managedDeviceId: text(device.managedDeviceId) || null,
  };
}

/** Devices by id and by serial (several devices may share one, e.g. `Default string`). */
export class RegisteredDeviceIndex {
  private readonly byId = new Map<string, DeviceSummary>();
  private readonly bySerial = new Map<string, DeviceSummary[]>();

  constructor(devices: Iterable<DeviceSummary> = []) {
    for (const device of devices) this.add(device);
  }

  add(device: DeviceSummary): void {
    const previous = this.byId.get(device.id);
    if (previous) this.remove(previous.id);
    this.byId.set(device.id, device);
    const key = serialKey(device.serialNumber);
    this.bySerial.set(key, [...(this.bySerial.get(key) ?? []), device]);
  }

  remove(id: string): void {
    const device = this.byId.get(id);
    if (!device) return;
    this.byId.delete(id);
    const key = serialKey(device.serialNumber);
    const rest = (this.bySerial.get(key) ?? []).filter((candidate) => candidate.id !== id);
    if (rest.length) this.bySerial.set(key, rest);
    else this.bySerial.delete(key);
  }

  get(id: string): DeviceSummary | undefined {
    return this.byId.get(id);
  }

  withSerial(serial: string): readonly DeviceSummary[] {
    return this.bySerial.get(serialKey(serial)) ?? [];
  }

  all(): DeviceSummary[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }
}

export interface ListingProgress {
  /** Devices that arrived with this page (each device once, whatever the cursor repeats). */
  readonly page: readonly DeviceSummary[];
  readonly devicesSoFar: number;
  readonly requests: number;
}

export interface ListingResult {
  readonly index: RegisteredDeviceIndex;
  /** False when Graph's cursor went round in circles or the page limit was hit: some devices may be missing. */
  readonly complete: boolean;
  readonly requests: number;
  readonly listedAt: number;
}

export interface ListOptions {
  readonly signal?: AbortSignal;
  readonly onPage?: (progress: ListingProgress) => void;
  readonly pageSize?: number;
}

/**
 * One tenant's cached list (the VS Code face keeps one per tenant). `load` lists once and shares the result and the
 * listing in progress; `refresh` lists again; `find` answers a serial from the list when it has one.
 */
export class RegisteredDeviceCache {
  private current: Promise<ListingResult> | undefined;
  private listeners = new Set<(progress: ListingProgress) => void>();
  private latest: ListingResult | undefined;

  constructor(
    private readonly graph: AutopilotGraph,
    private readonly now: () => number = Date.now,
  ) {}

  /** The finished list, if there is one. */
  get result(): ListingResult | undefined {
    return this.latest;
  }

  /** Lists the tenant's devices unless a listing is running or done already (then that one is shared). */
  load(options: ListOptions = {}): Promise<ListingResult> {
    if (options.onPage) this.listeners.add(options.onPage);
    this.current ??= this.list(options).finally(() => this.listeners.clear());
    const done = this.current;
    // A failed or cancelled listing is not kept: the next load tries again.
    done.catch(() => {
      if (this.current === done) this.current = undefined;
    });
    return done;
  }

  refresh(options: ListOptions = {}): Promise<ListingResult> {
    this.current = undefined;
    return this.load(options);
  }

  /** Registered devices with this serial: from the finished list, else through Graph's serial filter. */
  async find(serial: string, signal?: AbortSignal): Promise<readonly DeviceSummary[]> {
    if (this.latest?.complete) return this.latest.index.withSerial(serial);
    return (await this.graph.findRegisteredDevicesBySerial(serial, signal, 'beta')).map(summarize);
  }

  /** Keeps the list true after a change this process made (no new listing needed). */
  update(device: DeviceSummary): void {
    this.latest?.index.add(device);
  }

  forget(id: string): void {
    this.latest?.index.remove(id);
  }

  private async list(options: ListOptions): Promise<ListingResult> {
    const index = new RegisteredDeviceIndex();
    let complete = true;
    let requests = 0;
    for await (const page of this.graph.listRegisteredDevices({
      apiVersion: 'beta',
      signal: options.signal,
      pageSize: options.pageSize,
      onIncomplete: () => (complete = false),
    })) {
      requests++;
      const summaries = page.map(summarize);
      for (const device of summaries) index.add(device);
      for (const listener of this.listeners) listener({ page: summaries, devicesSoFar: index.size, requests });
    }
    this.latest = { index, complete, requests, listedAt: this.now() };
    return this.latest;
  }
}
