/**
 * Corporate identifiers (Autopilot device preparation) in Graph: `importedDeviceIdentity`, beta only (lifecycle facts
 * §5): list (paged), `importDeviceIdentityList`, `searchExistingIdentities`, and delete — one call per identifier,
 * there is no bulk delete. Every call names the beta version whatever version the client defaults to.
 */
import type { GraphClient } from './client';
import { GraphError } from './errors';

const COLLECTION = 'deviceManagement/importedDeviceIdentities';

/** `importedDeviceIdentity.enrollmentState`; the portal shows Enrolled, Not contacted, Failed (and Not applicable). */
export type IdentityEnrollmentState = 'unknown' | 'enrolled' | 'pendingReset' | 'failed' | 'notContacted' | 'blocked';

export interface ImportedDeviceIdentityRecord {
  id: string;
  importedDeviceIdentifier: string;
  importedDeviceIdentityType?: string;
  enrollmentState?: IdentityEnrollmentState | string;
  lastContactedDateTime?: string | null;
  createdDateTime?: string | null;
  lastModifiedDateTime?: string | null;
  description?: string | null;
  platform?: string | null;
  [property: string]: unknown;
}

/** `importedDeviceIdentityResult`: the record plus whether Intune imported it. */
export interface ImportedDeviceIdentityResult extends Partial<ImportedDeviceIdentityRecord> {
  status?: boolean | null;
}

/**
 * The body item every known client sends: the comma-delimited identifier and its type. `platform` is sent lower-case
 * as Microsoft365DSC does; whether it is required is undocumented.
 */
function itemOf(identifier: string): Record<string, string> {
  return { importedDeviceIdentifier: identifier, importedDeviceIdentityType: 'manufacturerModelSerial', platform: 'windows' };
}

/** Graph's 400 for identifiers it will not take ("Invalid Device Identifier parameter found for N import records!"). */
export function invalidIdentifierCount(error: unknown): number | undefined {
  if (!(error instanceof GraphError) || error.status !== 400) return undefined;
  const match = /Invalid Device Identifier parameter found for (\d+) import records?/i.exec(error.graphMessage);
  return match ? Number(match[1]) : undefined;
}

export class CorporateIdentifierGraph {
  constructor(readonly client: GraphClient) {}

  list(options: { pageSize?: number; signal?: AbortSignal } = {}): AsyncGenerator<ImportedDeviceIdentityRecord[]> {
    return this.client.pages<ImportedDeviceIdentityRecord>(COLLECTION, {
      apiVersion: 'beta',
      signal: options.signal,
      query: options.pageSize ? { $top: options.pageSize } : undefined,
    });
  }

  /** Every identifier of the tenant, each once (Graph's paging is keyed on its own order, never on creation). */
  async listAll(signal?: AbortSignal): Promise<ImportedDeviceIdentityRecord[]> {
    const byId = new Map<string, ImportedDeviceIdentityRecord>();
    for await (const page of this.list({ signal })) for (const record of page) if (record.id) byId.set(record.id, record);
    return [...byId.values()];
  }

  /**
   * The tenant's records for these identifiers; an empty answer means none exists. A read in all but method, so a
   * 5xx is worth repeating.
   */
  async search(identifiers: readonly string[], signal?: AbortSignal): Promise<ImportedDeviceIdentityRecord[]> {
    const body = { importedDeviceIdentities: identifiers.map(itemOf) };
    const response = await this.client.post<{ value?: ImportedDeviceIdentityRecord[] }>(`${COLLECTION}/searchExistingIdentities`, body, { signal, apiVersion: 'beta', idempotent: true });
    return response.body?.value ?? [];
  }

  /** One write for many identifiers; each result says (`status`) whether Intune imported it. Never repeated on a 5xx. */
  async importList(identifiers: readonly string[], overwrite: boolean, signal?: AbortSignal): Promise<ImportedDeviceIdentityResult[]> {
    const body = { importedDeviceIdentities: identifiers.map(itemOf), overwriteImportedDeviceIdentities: overwrite };
    const response = await this.client.post<{ value?: ImportedDeviceIdentityResult[] }>(`${COLLECTION}/importDeviceIdentityList`, body, { signal, apiVersion: 'beta' });
    return response.body?.value ?? [];
  }

  /** Deletes one identifier; `not-found` when it is gone already. */
  async delete(id: string, signal?: AbortSignal): Promise<'deleted' | 'not-found'> {
    const response = await this.client.delete(`${COLLECTION}/${encodeURIComponent(id)}`, { signal, apiVersion: 'beta', accept: [404] });
    return response.status === 404 ? 'not-found' : 'deleted';
  }
}

/** When a device last contacted Intune, or undefined for never (Graph says `0001-01-01T00:00:00Z`, or nothing). */
export function lastContact(value: string | null | undefined): Date | undefined {
  if (!value) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) || new Date(time).getUTCFullYear() <= 1 ? undefined : new Date(time);
}
