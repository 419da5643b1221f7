/**
 * Corporate identifiers (`importedDeviceIdentities`) as the emulator serves them (lifecycle facts §5): beta only (v1.0
 * answers 400 "Resource not found for the segment"), a paged list in Graph's own key order, `importDeviceIdentityList`
 * with a `status` per item and `overwriteImportedDeviceIdentities`, `searchExistingIdentities`, delete one by one, and
 * the 400 "Invalid Device Identifier parameter found for N import records!" for identifiers it refuses. Answers come
 * in no particular order. Enrollment states (enrolled, not contacted, failed …) and last contact are seeded by tests
 * or by `enroll`, as devices that enroll would set them.
 *
 * What Intune refuses is not documented; the emulator refuses what the facts point at: anything but exactly three
 * comma-separated values, an empty value, a period in the serial ("Remove all periods … from the serial number"), and
 * quotation marks or control characters.
 */
import { randomUUID } from 'node:crypto';
import type { PagingOptions, RouteRequest, RouteResult } from './routes';
import { errorResult, intuneMessage, page } from './routes';

export const NEVER_CONTACTED = '0001-01-01T00:00:00Z';
const ODATA_TYPE = '#microsoft.graph.importedDeviceIdentity';

export interface IdentityRecord {
  readonly id: string;
  importedDeviceIdentifier: string;
  readonly importedDeviceIdentityType: string;
  description: string | null;
  platform: string;
  readonly createdAt: number;
  lastModifiedAt: number;
  enrollmentState: string;
  lastContactedAt: number | null;
}

/** Every write that changed an identifier: what "imported exactly once" is checked against. */
export interface IdentityWrite {
  readonly identifier: string;
  readonly kind: 'created' | 'overwritten';
  readonly at: number;
}

/** How identifiers compare in the emulated tenant: case-insensitively, blanks around the whole value ignored. */
function key(identifier: string): string {
  return identifier.trim().toUpperCase();
}

/** Whether the emulated Intune refuses an identifier (see the module comment). */
export function refusesIdentifier(value: unknown): boolean {
  if (typeof value !== 'string') return true;
  const parts = value.split(',');
  if (parts.length !== 3 || parts.some((part) => part.trim() === '')) return true;
  return parts[2]!.includes('.') || value.includes('"') || [...value].some((char) => char.charCodeAt(0) < 0x20 || char.charCodeAt(0) === 0x7f);
}

export class IdentityStore {
  readonly records = new Map<string, IdentityRecord>();
  readonly writes: IdentityWrite[] = [];

  find(identifier: string): IdentityRecord | undefined {
    const wanted = key(identifier);
    for (const record of this.records.values()) if (key(record.importedDeviceIdentifier) === wanted) return record;
    return undefined;
  }

  /** An identifier uploaded earlier, as a test or the sandbox wants it: enrolled, failed, not contacted … */
  seed(identifier: string, now: number, options: { enrollmentState?: string; lastContactedAt?: number | null; ageMs?: number } = {}): IdentityRecord {
    const created = now - (options.ageMs ?? 7 * 24 * 3_600_000);
    const record: IdentityRecord = {
      id: randomUUID(),
      importedDeviceIdentifier: identifier,
      importedDeviceIdentityType: 'manufacturerModelSerial',
      description: null,
      platform: 'windows',
      createdAt: created,
      lastModifiedAt: created,
      enrollmentState: options.enrollmentState ?? 'notContacted',
      lastContactedAt: options.lastContactedAt ?? null,
    };
    this.records.set(record.id, record);
    return record;
  }

  /** A device with this identifier enrolled (or tried to): its state and last contact change, as Intune's would. */
  enroll(identifier: string, at: number, enrollmentState: 'enrolled' | 'failed' | 'blocked' = 'enrolled'): void {
    const record = this.find(identifier);
    if (!record) throw new Error(`no identifier ${identifier} in the emulated tenant`);
    record.enrollmentState = enrollmentState;
    record.lastContactedAt = at;
  }

  view(record: IdentityRecord): Record<string, unknown> {
    return {
      '@odata.type': ODATA_TYPE,
      id: record.id,
      importedDeviceIdentifier: record.importedDeviceIdentifier,
      importedDeviceIdentityType: record.importedDeviceIdentityType,
      lastModifiedDateTime: new Date(record.lastModifiedAt).toISOString(),
      createdDateTime: new Date(record.createdAt).toISOString(),
      lastContactedDateTime: record.lastContactedAt === null ? NEVER_CONTACTED : new Date(record.lastContactedAt).toISOString(),
      description: record.description,
      enrollmentState: record.enrollmentState,
      platform: record.platform,
    };
  }

  /** Imports one item: a new identifier is created; an existing one is replaced only when overwriting. */
  importItem(input: Record<string, unknown>, overwrite: boolean, now: number): Record<string, unknown> {
    const identifier = String(input.importedDeviceIdentifier);
    const existing = this.find(identifier);
    if (existing && !overwrite) {
      return { ...this.view(existing), id: '', status: false };
    }
    if (existing) {
      existing.importedDeviceIdentifier = identifier;
      existing.description = typeof input.description === 'string' ? input.description : existing.description;
      existing.lastModifiedAt = now;
      this.writes.push({ identifier, kind: 'overwritten', at: now });
      return { ...this.view(existing), status: true };
    }
    const record: IdentityRecord = {
      id: randomUUID(),
      importedDeviceIdentifier: identifier,
      importedDeviceIdentityType: String(input.importedDeviceIdentityType),
      description: typeof input.description === 'string' ? input.description : null,
      platform: typeof input.platform === 'string' ? input.platform : 'unknown',
      createdAt: now,
      lastModifiedAt: now,
      enrollmentState: 'notContacted',
      lastContactedAt: null,
    };
    this.records.set(record.id, record);
    this.writes.push({ identifier, kind: 'created', at: now });
    return { ...this.view(record), status: true };
  }

  /** How many writes each identifier had (created or overwritten), keyed as the tenant compares them. */
  writesPerIdentifier(kind?: IdentityWrite['kind']): Map<string, number> {
    const counts = new Map<string, number>();
    for (const write of this.writes) if (!kind || write.kind === kind) counts.set(key(write.identifier), (counts.get(key(write.identifier)) ?? 0) + 1);
    return counts;
  }
}

/** Answers come in no particular order unless a test asked for a tidy Graph. */
function shuffled<T>(items: readonly T[], tidy: boolean, random: () => number): T[] {
  const copy = [...items];
  if (tidy) return copy;
  for (let at = copy.length - 1; at > 0; at--) {
    const other = Math.floor(random() * (at + 1));
    [copy[at], copy[other]] = [copy[other]!, copy[at]!];
  }
  return copy;
}

function itemsOf(body: unknown): Record<string, unknown>[] | undefined {
  const items = (body as { importedDeviceIdentities?: unknown } | null)?.importedDeviceIdentities;
  return Array.isArray(items) ? items.map((item) => (item && typeof item === 'object' ? (item as Record<string, unknown>) : {})) : undefined;
}

function refusal(items: readonly Record<string, unknown>[]): RouteResult | undefined {
  const refused = items.filter((item) => refusesIdentifier(item.importedDeviceIdentifier) || item.importedDeviceIdentityType !== 'manufacturerModelSerial').length;
  return refused ? errorResult(400, 'BadRequest', intuneMessage(`Invalid Device Identifier parameter found for ${refused} import records!`)) : undefined;
}

export interface IdentityRouteContext {
  readonly store: IdentityStore;
  readonly now: number;
  readonly paging: PagingOptions;
  readonly creationOrder: boolean;
  readonly random: () => number;
}

/** `/{version}/deviceManagement/importedDeviceIdentities[/…]`. */
export function routeCorporateIdentifiers(request: RouteRequest, context: IdentityRouteContext): RouteResult {
  const { store, now } = context;
  // importedDeviceIdentity exists only in beta (facts §5.1).
  if (request.version !== 'beta') return errorResult(400, 'BadRequest', "Resource not found for the segment 'importedDeviceIdentities'.");
  const [, , id, action] = request.segments;
  const { method } = request;
  if (id === undefined) {
    if (method === 'GET') return page([...store.records.values()], (record: IdentityRecord) => store.view(record), request, context.paging, context.creationOrder);
    if (method === 'POST') {
      const input = (request.body ?? {}) as Record<string, unknown>;
      const problem = refusal([input]);
      if (problem) return problem;
      const result = store.importItem(input, false, now);
      return result.status ? { status: 201, body: { ...result, status: undefined } } : errorResult(409, 'Conflict', intuneMessage('An error has occurred - The identifier exists already.'));
    }
  } else if (action === undefined && (id === 'importDeviceIdentityList' || id === 'searchExistingIdentities')) {
    if (method !== 'POST') return errorResult(400, 'BadRequest', `No method match route template for ${method} '${request.segments.join('/')}'.`);
    const items = itemsOf(request.body);
    if (!items) return errorResult(400, 'BadRequest', "The parameter 'importedDeviceIdentities' is missing or not a collection.");
    const problem = refusal(items);
    if (problem) return problem;
    if (id === 'searchExistingIdentities') {
      const found = new Map<string, IdentityRecord>();
      for (const item of items) {
        const record = store.find(String(item.importedDeviceIdentifier));
        if (record) found.set(record.id, record);
      }
      return { status: 200, body: { value: shuffled([...found.values()], context.creationOrder, context.random).map((record) => store.view(record)) } };
    }
    const overwrite = (request.body as { overwriteImportedDeviceIdentities?: unknown }).overwriteImportedDeviceIdentities === true;
    const results = items.map((item) => store.importItem(item, overwrite, now));
    return { status: 200, body: { value: shuffled(results, context.creationOrder, context.random) } };
  } else if (action === undefined) {
    const record = store.records.get(id);
    if (!record) return errorResult(404, 'ResourceNotFound', intuneMessage(`An error has occurred - importedDeviceIdentity ${id} was not found.`));
    if (method === 'GET') return { status: 200, body: store.view(record) };
    if (method === 'DELETE') {
      store.records.delete(id);
      return { status: 204 };
    }
  }
  return errorResult(400, 'BadRequest', `No method match route template for ${method} '${request.segments.join('/')}'.`);
}
