/**
 * The Graph resources the emulator serves, with their documented answers and quirks (facts page §1, §2.3):
 * create → 201, `/import` → 200 `{value}`, the Edm.Binary 400 for a hash that is not padded Base64, paging with
 * `$top`/`@odata.nextLink` and a skip token over Graph's own key (the record id, so lists are not in creation order),
 * `contains(serialNumber,'…')` filtering (`eq` and hyphens → 400), registered devices, `updateDeviceProperties`,
 * and beta-only `windowsAutopilotSettings` / `sync`; registered devices and managed devices are in registeredRoutes.ts,
 * Entra devices, groups and `$batch` in directoryRoutes.ts, the corporate identifiers in corporateIdentifiers.ts. A
 * request Graph has no route for answers 400 (never 405), and deleting an import record that is already gone answers 200.
 */
import { mayRead, mayWrite, type TokenGrant } from './auth';
import { routeCorporateIdentifiers } from './corporateIdentifiers';
import { batch, directoryRoute } from './directoryRoutes';
import { managedDeviceRoute, registeredRoute } from './registeredRoutes';
import { type EmulatorState, type ImportedRecord } from './state';

export interface RouteRequest {
  readonly method: string;
  readonly version: 'v1.0' | 'beta';
  /** Path segments after the version. */
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly grant: TokenGrant;
  /** Origin and path prefix used for `@odata.nextLink`. */
  readonly linkBase: string;
  /** When the request had arrived whole, before Graph's latency (default: when it is handled). */
  readonly receivedAt?: number;
}

export interface RouteResult {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface PagingOptions {
  readonly defaultPageSize: number;
  readonly maxPageSize: number;
}

export function errorResult(status: number, code: string, message: string, headers?: Record<string, string>): RouteResult {
  return { status, body: { error: { code, message } }, headers };
}

/** How Intune's front end words its errors: a JSON document inside `error.message`. */
export function intuneMessage(message: string): string {
  return JSON.stringify({
    _version: 3,
    Message: `${message} - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: 00000000-0000-0000-0000-000000000000 - Url: https://fef.emulated.manage.microsoft.com/DeviceEnrollmentFE`,
    CustomApiErrorPhrase: '',
    RetryAfter: null,
    ErrorSourceService: '',
    HttpHeaders: '{}',
  });
}

/**
 * Standard Base64 with its padding: whole quads, `=` only at the end, nothing outside the alphabet. Decoding is ~10×
 * faster than matching a pattern over a 5 KB hash, and the emulator checks every hash of every `/import` in turn.
 */
export function isPaddedBase64(text: string): boolean {
  if (text.length % 4 !== 0) return false;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const firstPad = text.indexOf('=');
  if (firstPad !== -1 && firstPad < text.length - padding) return false;
  // Node's decoder accepts the URL-safe letters, and skips what is outside the alphabet (so fewer bytes come out).
  if (text.includes('-') || text.includes('_')) return false;
  return Buffer.from(text, 'base64').length === (text.length / 4) * 3 - padding;
}

/** The 400 Graph gives when `hardwareIdentifier` is not padded standard Base64 (troubleshoot-device-enrollment.md). */
function binaryProblem(devices: readonly unknown[]): RouteResult | undefined {
  for (const device of devices) {
    const hash = (device as Record<string, unknown> | null)?.hardwareIdentifier;
    if (typeof hash === 'string' && !isPaddedBase64(hash)) {
      return errorResult(400, 'BadRequest', `Cannot convert the literal '${hash}' to the expected type 'Edm.Binary'.`);
    }
  }
  return undefined;
}

const FILTER = /^contains\(\s*serialNumber\s*,\s*'((?:[^']|'')*)'\s*\)$/i;

export function applyFilter<T extends { serialNumber: string }>(items: T[], filter: string | null): T[] | RouteResult {
  if (filter === null) return items;
  const match = FILTER.exec(filter.trim());
  if (!match) {
    return errorResult(400, 'BadRequest', intuneMessage(`An error has occurred - Invalid filter clause: '${filter}'. Only contains(serialNumber,'...') is supported.`));
  }
  const needle = match[1]!.replace(/''/g, "'");
  if (needle.includes('-')) {
    // Observed: hyphenated serials fail even inside contains(), encoded or not (facts page §1.6).
    return errorResult(400, 'BadRequest', intuneMessage('An error has occurred - The request is malformed or incorrect.'));
  }
  return items.filter((item) => item.serialNumber.toUpperCase().includes(needle.toUpperCase()));
}

/** The skip token of a page that ended at `id`: a keyset cursor, as Intune's (`LastSerialNumber='…'`) is. */
function skipTokenAfter(id: string): string {
  return Buffer.from(`LastId='${id}'`).toString('base64url');
}

function idAfterSkipToken(token: string): string | undefined {
  return /^LastId='([^']+)'$/.exec(Buffer.from(token, 'base64url').toString('utf8'))?.[1];
}

/** The page size a request asks for (`$top`, capped), or the 400 for a `$top` that is not a positive integer. */
export function pageSize(request: RouteRequest, paging: PagingOptions): number | RouteResult {
  const topText = request.query.get('$top');
  const top = topText === null ? paging.defaultPageSize : Number(topText);
  if (!Number.isInteger(top) || top < 1) return errorResult(400, 'BadRequest', `Invalid value '${topText}' for $top.`);
  return Math.min(top, paging.maxPageSize);
}

/**
 * One page of `items`: ordered by id with a keyset skip token (Intune's way: stable across pages, unrelated to when
 * records were created), or in creation order with an offset when a test asked for tidy lists.
 */
export function page<T extends { readonly id: string }>(items: readonly T[], view: (item: T) => unknown, request: RouteRequest, paging: PagingOptions, creationOrder: boolean): RouteResult {
  const size = pageSize(request, paging);
  if (typeof size !== 'number') return size;
  const topText = request.query.get('$top');
  const skipToken = request.query.get('$skiptoken');
  let rest: readonly T[];
  let nextToken: (last: T, taken: number) => string;
  if (creationOrder) {
    const offset = skipToken === null ? 0 : Number(Buffer.from(skipToken, 'base64url').toString('utf8'));
    if (!Number.isInteger(offset) || offset < 0) return errorResult(400, 'BadRequest', 'Invalid $skiptoken.');
    rest = items.slice(offset);
    nextToken = (_, taken) => Buffer.from(String(offset + taken)).toString('base64url');
  } else {
    const after = skipToken === null ? '' : idAfterSkipToken(skipToken);
    if (after === undefined) return errorResult(400, 'BadRequest', 'Invalid $skiptoken.');
    rest = [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).filter((item) => item.id > after);
    nextToken = (last) => skipTokenAfter(last.id);
  }
  const taken = rest.slice(0, size);
  const body: Record<string, unknown> = { '@odata.context': `${request.linkBase}/$metadata#collection`, value: taken.map(view) };
  if (rest.length > size) {
    const next = new URLSearchParams();
    if (topText !== null) next.set('$top', topText);
    const filter = request.query.get('$filter');
    if (filter !== null) next.set('$filter', filter);
    next.set('$skiptoken', nextToken(taken[taken.length - 1]!, taken.length));
    body['@odata.nextLink'] = `${request.linkBase}/${request.segments.join('/')}?${next.toString()}`;
  }
  return { status: 200, body };
}

/** Graph's answer to a method or action it has no route for: a 400, not a 405. */
export function noRoute(request: RouteRequest): RouteResult {
  return errorResult(400, 'BadRequest', `No method match route template for ${request.method} '${request.segments.join('/')}'.`);
}

export function notFound(what: string): RouteResult {
  return errorResult(404, 'ResourceNotFound', intuneMessage(`An error has occurred - ${what} was not found.`));
}

export function forbidden(permission: string): RouteResult {
  return errorResult(
    403,
    'Forbidden',
    intuneMessage(`Application is not authorized to perform this operation. Application must have one of the following scopes: ${permission}, ${permission.replace('ServiceConfig', 'Configuration')}`),
  );
}

export function route(state: EmulatorState, request: RouteRequest, paging: PagingOptions, jitter: () => number): RouteResult {
  const { method, segments, grant } = request;
  const tenantId = grant.tenantId;
  const tenant = state.tenant(tenantId);
  const creationOrder = state.tidy.creationOrder === true;
  const isWrite = method !== 'GET';
  if (segments[0] === '$batch' && segments.length === 1) {
    return method === 'POST' ? batch(request, (inner) => route(state, inner, paging, jitter)) : noRoute(request);
  }
  if (segments[0] !== 'deviceManagement') return directoryRoute(state, request, paging);
  if (segments[1] === 'managedDevices') return managedDeviceRoute(state, request, paging);
  if (isWrite ? !mayWrite(grant) : !mayRead(grant)) {
    return forbidden(isWrite ? 'DeviceManagementServiceConfig.ReadWrite.All' : 'DeviceManagementServiceConfig.Read.All');
  }
  if (segments[0] !== 'deviceManagement' || segments.length < 2) {
    return errorResult(400, 'BadRequest', `Resource not found for the segment '${segments[0] ?? ''}'.`);
  }
  const [, collection, id, action, ...rest] = segments;
  if (rest.length) return errorResult(400, 'BadRequest', `Resource not found for the segment '${rest[0]}'.`);

  if (collection === 'importedDeviceIdentities') {
    return routeCorporateIdentifiers(request, { store: tenant.identities, now: state.now(), paging, creationOrder, random: jitter });
  }

  if (collection === 'importedWindowsAutopilotDeviceIdentities') {
    if (id === undefined) {
      if (method === 'GET') {
        const items = applyFilter([...tenant.imported.values()], request.query.get('$filter'));
        return Array.isArray(items) ? page(items, (record: ImportedRecord) => state.importedView(record), request, paging, creationOrder) : items;
      }
      if (method === 'POST') {
        const problem = binaryProblem([request.body]);
        if (problem) return problem;
        if (!request.body || typeof request.body !== 'object') return errorResult(400, 'BadRequest', 'The request body must be an importedWindowsAutopilotDeviceIdentity.');
        const record = state.createImported(tenantId, request.body as Record<string, unknown>, jitter, state.now(), request.receivedAt);
        return { status: 201, body: state.importedView(record) };
      }
    } else if (id === 'import' && action === undefined) {
      if (method !== 'POST') return noRoute(request);
      const devices = (request.body as Record<string, unknown> | null)?.importedWindowsAutopilotDeviceIdentities;
      if (!Array.isArray(devices)) return errorResult(400, 'BadRequest', "The parameter 'importedWindowsAutopilotDeviceIdentities' is missing or not a collection.");
      // Graph takes the request as a whole: its records exist from the same moment, however long the emulator takes over them.
      const committedAt = state.now();
      const problem = binaryProblem(devices);
      if (problem) return problem;
      const records: ImportedRecord[] = devices.map((device) => state.createImported(tenantId, (device ?? {}) as Record<string, unknown>, jitter, committedAt, request.receivedAt));
      return { status: 200, body: { '@odata.context': `${request.linkBase}/$metadata#Collection(microsoft.graph.importedWindowsAutopilotDeviceIdentity)`, value: records.map((record) => state.importedView(record)) } };
    } else if (action === undefined) {
      const record = tenant.imported.get(id);
      // Deleting a record that is already gone is not an error to Intune.
      if (method === 'DELETE') return { status: record && tenant.imported.delete(id) ? 204 : 200 };
      if (!record) return notFound(`importedWindowsAutopilotDeviceIdentity ${id}`);
      if (method === 'GET') return { status: 200, body: state.importedView(record) };
    } else {
      return errorResult(400, 'BadRequest', `Resource not found for the segment '${action}'.`);
    }
    return noRoute(request);
  }

  if (collection === 'windowsAutopilotDeviceIdentities') return registeredRoute(state, request, paging);

  if (collection === 'windowsAutopilotSettings') {
    // v1.0 has no windowsAutopilotSettings at all (facts page §1.1).
    if (request.version !== 'beta') return errorResult(400, 'BadRequest', "Resource not found for the segment 'windowsAutopilotSettings'.");
    if (id === undefined && method === 'GET') return { status: 200, body: state.settingsView(tenantId) };
    if (id === 'sync' && action === undefined && method === 'POST') {
      const status = state.triggerSync(tenantId);
      if (status === 409) return errorResult(409, 'Conflict', intuneMessage('An error has occurred - A sync is already in progress.'));
      if (status === 429) return errorResult(429, 'TooManyRequests', intuneMessage('An error has occurred - Sync was requested within 10 minutes of the previous sync.'));
      return { status: 204 };
    }
    return errorResult(400, 'BadRequest', `Resource not found for the segment '${id ?? ''}'.`);
  }

  return errorResult(400, 'BadRequest', `Resource not found for the segment '${collection}'.`);
}
