/**
 * The Entra half of Graph that the device lifecycle touches (lifecycle facts §4): devices found by `deviceId`,
 * groups found by name, members added with `$ref` (204; 400 when already a member; 404 when the object does not
 * exist; 403 `Authorization_RequestDenied` without GroupMember.ReadWrite.All and Device.Read.All), up to 20 at once
 * with `members@odata.bind` (any problem and none is added), JSON batching of up to 20 requests, each answered
 * on its own, and device deletes (Directory.AccessAsUser.All delegated, Device.ReadWrite.All app-only), refused with a
 * 403 while Autopilot still lists the device, as scripts deleting right after the Autopilot record have met. Directory errors are worded the directory's way (`Request_ResourceNotFound`), not Intune's.
 */
import type { TokenGrant } from './auth';
import type { GroupRecord } from './lifecycle';
import { errorResult, noRoute, page, type PagingOptions, type RouteRequest, type RouteResult } from './routes';
import type { EmulatorState } from './state';

const DEVICE_READ = ['Device.Read.All', 'Device.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All', 'Directory.AccessAsUser.All'];
const DEVICE_DELETE = ['Device.ReadWrite.All', 'Directory.AccessAsUser.All'];
const GROUP_READ = ['GroupMember.Read.All', 'GroupMember.ReadWrite.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const MEMBER_WRITE = ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'];
const MAX_BATCH = 20;
const MAX_BIND = 20;

function denied(): RouteResult {
  return errorResult(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');
}

function missing(id: string): RouteResult {
  return errorResult(404, 'Request_ResourceNotFound', `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`);
}

function has(grant: TokenGrant, permissions: readonly string[]): boolean {
  return permissions.some((permission) => grant.permissions.includes(permission));
}

const DEVICE_ID_FILTER = /^deviceId\s+eq\s+'([^']*)'$/i;
const NAME_FILTER = /^(?:startswith\(\s*displayName\s*,\s*'((?:[^']|'')*)'\s*\)|displayName\s+eq\s+'((?:[^']|'')*)')$/i;
const OBJECT_REF = /\/directoryObjects\/([^/?#]+)$/i;

function groupView(group: GroupRecord): Record<string, unknown> {
  return { id: group.id, displayName: group.displayName, securityEnabled: group.securityEnabled, mailEnabled: !group.securityEnabled, groupTypes: [] };
}

export function directoryRoute(state: EmulatorState, request: RouteRequest, paging: PagingOptions): RouteResult {
  const { method, grant, segments } = request;
  const directory = state.tenant(grant.tenantId).directory;
  const creationOrder = state.tidy.creationOrder === true;
  const [collection, id, navigation, reference, ...rest] = segments;
  if (rest.length) return noRoute(request);

  if (collection === 'devices') {
    if (!has(grant, DEVICE_READ)) return denied();
    if (method === 'DELETE' && id !== undefined && navigation === undefined) return deleteDevice(state, grant, id);
    if (method !== 'GET') return noRoute(request);
    const view = (device: { id: string; deviceId: string; displayName: string; physicalIds: string[] }) => ({
      id: device.id,
      deviceId: device.deviceId,
      displayName: device.displayName,
      operatingSystem: 'Windows',
      physicalIds: device.physicalIds,
    });
    if (id === undefined) {
      const filter = request.query.get('$filter');
      const match = filter === null ? undefined : DEVICE_ID_FILTER.exec(filter.trim());
      if (filter !== null && !match) return errorResult(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified for property of resource 'Device'.`);
      const items = match ? [...directory.entraDevices.values()].filter((device) => device.deviceId.toLowerCase() === match[1]!.toLowerCase()) : [...directory.entraDevices.values()];
      return page(items, view, request, paging, creationOrder);
    }
    const device = directory.entraDevices.get(id);
    return device && navigation === undefined ? { status: 200, body: view(device) } : missing(id);
  }

  if (collection === 'groups') {
    if (id === undefined) {
      if (!has(grant, GROUP_READ)) return denied();
      if (method !== 'GET') return noRoute(request);
      const filter = request.query.get('$filter');
      const match = filter === null ? undefined : NAME_FILTER.exec(filter.trim());
      if (filter !== null && !match) return errorResult(400, 'Request_UnsupportedQuery', `Unsupported or invalid query filter clause specified for property 'displayName' of resource 'Group'.`);
      const prefix = match?.[1]?.replace(/''/g, "'");
      const exact = match?.[2]?.replace(/''/g, "'");
      const items = [...directory.groups.values()].filter(
        (group) => (prefix === undefined || group.displayName.toLowerCase().startsWith(prefix.toLowerCase())) && (exact === undefined || group.displayName.toLowerCase() === exact.toLowerCase()),
      );
      return page(items, groupView, request, paging, creationOrder);
    }
    const group = directory.groups.get(id);
    if (navigation === undefined) {
      if (method === 'GET') return has(grant, GROUP_READ) ? (group ? { status: 200, body: groupView(group) } : missing(id)) : denied();
      if (method === 'PATCH') return bindMembers(state, grant, id, group, request.body);
      return noRoute(request);
    }
    if (navigation !== 'members') return noRoute(request);
    if (reference === undefined && method === 'GET') {
      if (!has(grant, GROUP_READ)) return denied();
      if (!group) return missing(id);
      const members = [...group.members].map((member) => directory.entraDevices.get(member)).filter((device) => device !== undefined);
      return page(members, (device) => ({ '@odata.type': '#microsoft.graph.device', id: device.id, deviceId: device.deviceId, displayName: device.displayName }), request, paging, creationOrder);
    }
    if (reference === '$ref' && method === 'POST') {
      const target = OBJECT_REF.exec(String((request.body as Record<string, unknown> | undefined)?.['@odata.id'] ?? ''));
      if (!target) return errorResult(400, 'Request_BadRequest', "Invalid object identifier ''.");
      return addMembers(state, grant, id, group, [decodeURIComponent(target[1]!)]);
    }
    return noRoute(request);
  }
  return errorResult(400, 'BadRequest', `Resource not found for the segment '${collection ?? ''}'.`);
}

/** `DELETE /devices/{id}`: refused while a registration Graph still lists (deleted or not) holds the device. */
function deleteDevice(state: EmulatorState, grant: TokenGrant, id: string): RouteResult {
  if (!has(grant, DEVICE_DELETE)) return denied();
  const directory = state.tenant(grant.tenantId).directory;
  const device = directory.entraDevices.get(id);
  if (!device) return missing(id);
  const deviceId = device.deviceId.toLowerCase();
  if (state.visibleRegistered(grant.tenantId).some((registered) => registered.azureActiveDirectoryDeviceId.toLowerCase() === deviceId)) return denied();
  directory.entraDevices.delete(id);
  for (const group of directory.groups.values()) group.members.delete(id);
  return { status: 204 };
}

/** Adds members, all or none: a group or object that does not exist, or one already a member, adds nobody. */
function addMembers(state: EmulatorState, grant: TokenGrant, groupId: string, group: GroupRecord | undefined, objectIds: readonly string[]): RouteResult {
  if (!has(grant, MEMBER_WRITE) || !has(grant, DEVICE_READ)) return denied();
  if (!group) return missing(groupId);
  const directory = state.tenant(grant.tenantId).directory;
  for (const objectId of objectIds) if (!directory.entraDevices.has(objectId)) return missing(objectId);
  if (objectIds.some((objectId) => group.members.has(objectId))) {
    return errorResult(400, 'Request_BadRequest', "One or more added object references already exist for the following modified properties: 'members'.");
  }
  for (const objectId of objectIds) group.members.add(objectId);
  return { status: 204 };
}

function bindMembers(state: EmulatorState, grant: TokenGrant, groupId: string, group: GroupRecord | undefined, body: unknown): RouteResult {
  const binds = (body as Record<string, unknown> | undefined)?.['members@odata.bind'];
  if (!Array.isArray(binds)) return errorResult(400, 'Request_BadRequest', 'Only members@odata.bind is supported here.');
  if (binds.length > MAX_BIND) return errorResult(400, 'Request_BadRequest', `Number of members to add exceeds the limit of ${MAX_BIND}.`);
  const ids: string[] = [];
  for (const bind of binds) {
    const target = OBJECT_REF.exec(String(bind));
    if (!target) return errorResult(400, 'Request_BadRequest', `Invalid object identifier '${String(bind)}'.`);
    ids.push(decodeURIComponent(target[1]!));
  }
  return addMembers(state, grant, groupId, group, ids);
}

interface BatchRequest {
  readonly id?: unknown;
  readonly method?: unknown;
  readonly url?: unknown;
  readonly body?: unknown;
}

/** `POST /$batch`: up to 20 requests, answered one by one in a single 200 (lifecycle facts §4, json-batching). */
export function batch(request: RouteRequest, dispatch: (inner: RouteRequest) => RouteResult): RouteResult {
  const requests = (request.body as { requests?: unknown } | undefined)?.requests;
  if (!Array.isArray(requests)) return errorResult(400, 'BadRequest', 'Invalid batch payload format.');
  if (requests.length > MAX_BATCH) return errorResult(400, 'BadRequest', `The number of batch requests exceeds the limit of ${MAX_BATCH}.`);
  const responses = (requests as BatchRequest[]).map((inner) => {
    const id = String(inner.id ?? '');
    const method = String(inner.method ?? 'GET').toUpperCase();
    if (typeof inner.url !== 'string' || /^https?:/i.test(inner.url)) return { id, status: 400, body: { error: { code: 'BadRequest', message: 'Invalid request URL: it must be relative to the version.' } } };
    const url = new URL(inner.url.replace(/^\/?/, '/'), 'http://batch');
    const segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    const result = segments[0] === '$batch' ? errorResult(400, 'BadRequest', 'Nested batches are not supported.') : dispatch({ ...request, method, segments, query: url.searchParams, body: inner.body });
    return { id, status: result.status, headers: { 'Content-Type': 'application/json' }, ...(result.body === undefined ? {} : { body: result.body }) };
  });
  return { status: 200, body: { responses } };
}
