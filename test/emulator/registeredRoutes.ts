/**
 * Registered Autopilot devices and Intune managed devices, as untidy as the lifecycle facts page describes:
 * - the list pages with Intune's keyset cursor on the serial number, `$skiptoken=LastSerialNumber='…'`, which is
 *   inclusive: the last device of a page comes again first on the next one, and when a page holds nothing but one
 *   serial (a small `$top`, or many `Default string` devices) the next link is the request itself, forever (§1.3);
 * - `$select` answers 500 on list and get, whatever it names (§1.3);
 * - `eq` and a hyphen inside `contains(serialNumber,…)` answer 400 (shared with import records, routes.ts);
 * - beta alone carries the profile assignment and `$expand=deploymentProfile` (§1.1, §2);
 * - deleting the registration of a device still enrolled in Intune is refused with a 400 worded the Intune way, and
 *   an accepted delete (of either) takes a while to show: the registration stays listed, the managed device still
 *   counts as enrolled, for the deletion lag (§3.3).
 */
import type { TokenGrant } from './auth';
import { DEFAULT_LIFECYCLE_TIMING, profileAssignment } from './lifecycle';
import { applyFilter, errorResult, forbidden, intuneMessage, noRoute, notFound, page, pageSize, type PagingOptions, type RouteRequest, type RouteResult } from './routes';
import type { EmulatorState, RegisteredRecord } from './state';

const MANAGED_READ = ['DeviceManagementManagedDevices.Read.All', 'DeviceManagementManagedDevices.ReadWrite.All'];
const MANAGED_WRITE = 'DeviceManagementManagedDevices.ReadWrite.All';
const MANAGED_PRIVILEGED = 'DeviceManagementManagedDevices.PrivilegedOperations.All';

const SERIAL_TOKEN = /^LastSerialNumber='((?:[^']|'')*)'$/;

function bySerialThenId(a: RegisteredRecord, b: RegisteredRecord): number {
  if (a.serialNumber !== b.serialNumber) return a.serialNumber < b.serialNumber ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** One page with Intune's inclusive serial cursor (see the file comment). */
function serialPage(items: readonly RegisteredRecord[], view: (device: RegisteredRecord) => unknown, request: RouteRequest, paging: PagingOptions): RouteResult {
  const size = pageSize(request, paging);
  if (typeof size !== 'number') return size;
  const token = request.query.get('$skiptoken');
  let from: string | undefined;
  if (token !== null) {
    const match = SERIAL_TOKEN.exec(token);
    if (!match) return errorResult(400, 'BadRequest', intuneMessage('An error has occurred - Invalid skip token.'));
    from = match[1]!.replace(/''/g, "'");
  }
  const sorted = [...items].sort(bySerialThenId);
  const rest = from === undefined ? sorted : sorted.filter((device) => device.serialNumber >= from);
  const taken = rest.slice(0, size);
  const body: Record<string, unknown> = { '@odata.context': `${request.linkBase}/$metadata#deviceManagement/windowsAutopilotDeviceIdentities`, value: taken.map(view) };
  if (rest.length > size) {
    const next = new URLSearchParams();
    const top = request.query.get('$top');
    if (top !== null) next.set('$top', top);
    const filter = request.query.get('$filter');
    if (filter !== null) next.set('$filter', filter);
    next.set('$skiptoken', `LastSerialNumber='${taken[taken.length - 1]!.serialNumber.replace(/'/g, "''")}'`);
    body['@odata.nextLink'] = `${request.linkBase}/${request.segments.join('/')}?${next.toString()}`;
  }
  return { status: 200, body };
}

function text(body: unknown, key: string): string | undefined {
  const value = (body as Record<string, unknown> | null | undefined)?.[key];
  return typeof value === 'string' ? value : undefined;
}

const UPDATABLE = new Set(['userPrincipalName', 'addressableUserName', 'groupTag', 'displayName', 'deviceAccountUpn', 'deviceAccountPassword', 'deviceFriendlyName']);

export function registeredRoute(state: EmulatorState, request: RouteRequest, paging: PagingOptions): RouteResult {
  const { method, version, grant } = request;
  const tenantId = grant.tenantId;
  const tenant = state.tenant(tenantId);
  const [, , id, action] = request.segments;
  if (request.query.has('$select')) {
    // Seen in 2020, 2021 and again in 2026 on v1.0 and beta, whatever the property list.
    return errorResult(500, 'InternalServerError', intuneMessage('An internal server error has occurred.'));
  }
  const view = (device: RegisteredRecord) => state.registeredView(device, version, tenantId);
  const visible = state.visibleRegistered(tenantId);
  if (id === undefined) {
    if (method !== 'GET') return noRoute(request);
    const items = applyFilter(visible, request.query.get('$filter'));
    if (!Array.isArray(items)) return items;
    if (state.tidy.creationOrder || state.tidy.exclusiveCursor) return page(items, view, request, paging, state.tidy.creationOrder === true);
    return serialPage(items, view, request, paging);
  }
  const device = visible.find((candidate) => candidate.id === id);
  if (id === 'deleteDevices') return noRoute(request); // documented, but absent from both metadata sets (§3.2)
  if (!device) return notFound(`windowsAutopilotDeviceIdentity ${id}`);
  if (action === undefined) {
    if (method === 'GET') return { status: 200, body: withExpansion(state, request, device, view(device)) };
    if (method === 'DELETE') {
      const now = state.now();
      if (device.deletedAt !== undefined) return { status: 204 };
      if (tenant.directory.isEnrolled(device.managedDeviceId, now, state.tidy.instantDeletes ? 0 : state.deletionLagMs())) {
        // The real wording is unknown (facts: open question 4); what is known is a 400 while the device is enrolled.
        return errorResult(400, 'BadRequest', intuneMessage(`An error has occurred - Device ${device.serialNumber} is enrolled in Intune (managed device ${device.managedDeviceId}). Delete the managed device first.`));
      }
      device.deletedAt = now;
      return { status: 204 };
    }
  } else if (action.toLowerCase() === 'updatedeviceproperties' && method === 'POST') {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const unknown = Object.keys(body).find((key) => !UPDATABLE.has(key) || (version === 'v1.0' && key.startsWith('device')));
    if (unknown) return errorResult(400, 'BadRequest', `The property '${unknown}' does not exist on type 'microsoft.graph.windowsAutopilotDeviceIdentity'. Make sure to only use property names that are defined by the type.`);
    const groupTag = text(body, 'groupTag');
    if (groupTag !== undefined && groupTag !== (device.groupTag ?? '')) {
      device.groupTag = groupTag;
      device.groupTagSetAt = state.now();
      const entra = tenant.directory.entraDeviceByDeviceId(device.azureActiveDirectoryDeviceId);
      if (entra) entra.physicalIds = [...entra.physicalIds.filter((physicalId) => !physicalId.startsWith('[OrderID]:')), ...(groupTag ? [`[OrderID]:${groupTag}`] : [])];
    }
    device.userPrincipalName = text(body, 'userPrincipalName') ?? device.userPrincipalName;
    device.addressableUserName = text(body, 'addressableUserName') ?? device.addressableUserName;
    device.displayName = text(body, 'displayName') ?? device.displayName;
    return { status: 204 };
  }
  return noRoute(request);
}

/** Beta's `$expand=deploymentProfile,intendedDeploymentProfile`; v1.0 has no navigation properties to expand. */
function withExpansion(state: EmulatorState, request: RouteRequest, device: RegisteredRecord, body: Record<string, unknown>): Record<string, unknown> {
  const expand = request.query.get('$expand');
  if (!expand || request.version !== 'beta') return body;
  const { profile, status } = profileAssignment(state.tenant(request.grant.tenantId), device, state.now(), state.timing);
  const profileView = profile ? { '@odata.type': '#microsoft.graph.azureADWindowsAutopilotDeploymentProfile', id: profile.id, displayName: profile.displayName } : null;
  const expanded: Record<string, unknown> = { ...body };
  if (/deploymentProfile/.test(expand)) expanded.deploymentProfile = status === 'assignedInSync' ? profileView : null;
  if (/intendedDeploymentProfile/.test(expand)) expanded.intendedDeploymentProfile = profileView;
  return expanded;
}

function mayUse(grant: TokenGrant, permissions: readonly string[]): boolean {
  return permissions.some((permission) => grant.permissions.includes(permission));
}

const MANAGED_SERIAL_FILTER = /^serialNumber\s+eq\s+'((?:[^']|'')*)'$/i;

/** Intune managed devices: list (with `serialNumber eq '…'`, which this collection does accept), get, delete, retire. */
export function managedDeviceRoute(state: EmulatorState, request: RouteRequest, paging: PagingOptions): RouteResult {
  const { method, grant } = request;
  const directory = state.tenant(grant.tenantId).directory;
  const [, , id, action, ...rest] = request.segments;
  if (rest.length) return noRoute(request);
  const isWrite = method !== 'GET';
  if (action === 'retire' ? !mayUse(grant, [MANAGED_PRIVILEGED]) : isWrite ? !mayUse(grant, [MANAGED_WRITE]) : !mayUse(grant, MANAGED_READ)) {
    return forbidden(action === 'retire' ? MANAGED_PRIVILEGED : isWrite ? MANAGED_WRITE : MANAGED_READ[0]!);
  }
  const now = state.now();
  const lag = state.tidy.instantDeletes ? 0 : (state.timing.deletionLagMs ?? DEFAULT_LIFECYCLE_TIMING.deletionLagMs);
  const listed = [...directory.managed.values()].filter((device) => device.deletedAt === undefined || now < device.deletedAt + lag);
  const view = (device: (typeof listed)[number]) => ({
    id: device.id,
    deviceName: device.deviceName,
    serialNumber: device.serialNumber,
    azureADDeviceId: device.azureADDeviceId,
    managementState: device.retiredAt !== undefined ? 'retirePending' : device.deletedAt !== undefined ? 'deletePending' : 'managed',
    enrolledDateTime: new Date(device.enrolledAt).toISOString(),
    operatingSystem: 'Windows',
  });
  if (id === undefined) {
    if (method !== 'GET') return noRoute(request);
    const filter = request.query.get('$filter');
    let items = listed;
    if (filter !== null) {
      const match = MANAGED_SERIAL_FILTER.exec(filter.trim());
      if (!match) return errorResult(400, 'BadRequest', intuneMessage(`An error has occurred - Invalid filter clause: '${filter}'.`));
      const serial = match[1]!.replace(/''/g, "'");
      items = listed.filter((device) => device.serialNumber.toLowerCase() === serial.toLowerCase());
    }
    return page(items, view, request, paging, state.tidy.creationOrder === true);
  }
  const device = listed.find((candidate) => candidate.id === id);
  if (!device) return notFound(`managedDevice ${id}`);
  if (action === undefined && method === 'GET') return { status: 200, body: view(device) };
  if (action === undefined && method === 'DELETE') {
    device.deletedAt ??= now;
    return { status: 204 };
  }
  if (action === 'retire' && method === 'POST') {
    device.retiredAt ??= now;
    return { status: 204 };
  }
  return noRoute(request);
}
