/**
 * The Entra side of adding Autopilot devices to a group (lifecycle facts §4): the device object behind an Autopilot
 * record's `azureActiveDirectoryDeviceId` (a device id, not the object id `$ref` needs), groups found by name, and
 * members added through JSON batching, 20 `members/$ref` requests per `$batch`, so each device gets its own answer:
 * `members@odata.bind` adds none of 20 when one of them is already a member, which is the common case here.
 */
import type { GraphClient } from './client';
import { GraphError, parseGraphErrorBody } from './errors';
import { backoffDelayMs, DEFAULT_RETRY_OPTIONS, parseRetryAfter } from './retryPolicy';
import type { EntraDevice, EntraGroup } from './types';

/** Requests per `$batch` (Graph's limit, and the documented members-per-request limit). */
export const MEMBERS_PER_REQUEST = 20;
const MAX_ROUNDS = 4;

export type MemberOutcome =
  | { readonly result: 'added' | 'already-member' | 'not-found' }
  | { readonly result: 'failed'; readonly status: number; readonly code: string; readonly message: string };

function odataString(text: string): string {
  return text.replace(/'/g, "''");
}

/** Graph's words for "already a member" (400): the one answer that means the device is where it should be. */
function isAlreadyMember(status: number, message: string): boolean {
  return status === 400 && /already exist/i.test(message);
}

interface BatchResponse {
  readonly id: string;
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

export class DirectoryGraph {
  constructor(
    readonly client: GraphClient,
    private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void> = (ms, signal) => client.sleep(ms, signal),
  ) {}

  /** The Entra device object for a device id, or undefined when the directory has none. */
  async findDeviceByDeviceId(deviceId: string, signal?: AbortSignal): Promise<EntraDevice | undefined> {
    const found = await this.client.listAll<EntraDevice>('devices', { signal, query: { $filter: `deviceId eq '${odataString(deviceId)}'` } });
    return found.find((device) => device.deviceId?.toLowerCase() === deviceId.toLowerCase()) ?? found[0];
  }

  /**
   * Deletes an Entra device object by its object id (`DELETE /devices/{id}`); one already gone is not an error.
   * Delegated, this needs Directory.AccessAsUser.All and an Entra role (Intune Administrator, Cloud Device Administrator).
   */
  async deleteDevice(objectId: string, signal?: AbortSignal): Promise<'deleted' | 'not-found'> {
    const response = await this.client.delete(`devices/${encodeURIComponent(objectId)}`, { signal, accept: [404] });
    return response.status === 404 ? 'not-found' : 'deleted';
  }

  async getGroup(id: string, signal?: AbortSignal): Promise<EntraGroup | undefined> {
    const response = await this.client.get<EntraGroup>(`groups/${encodeURIComponent(id)}`, { signal, accept: [404, 400] });
    return response.status === 200 ? response.body : undefined;
  }

  /** Groups whose name starts with `name` (case-insensitive, as Entra compares); an exact match first. */
  async searchGroups(name: string, signal?: AbortSignal): Promise<EntraGroup[]> {
    const groups = await this.client.listAll<EntraGroup>('groups', { signal, query: { $filter: `startswith(displayName,'${odataString(name.trim())}')`, $top: 100 } });
    const exact = (group: EntraGroup) => (group.displayName ?? '').toLowerCase() === name.trim().toLowerCase();
    return [...groups.filter(exact), ...groups.filter((group) => !exact(group))];
  }

  /**
   * Adds directory objects to a group, 20 per `$batch`. Throttled or failed inner requests (429, 5xx) go again in
   * the next round after `Retry-After` or a back-off; "already a member" is an outcome, not a failure. `onResult`
   * hears each object's outcome as soon as it is known (for a journal).
   */
  async addGroupMembers(groupId: string, objectIds: readonly string[], options: { signal?: AbortSignal; onResult?: (objectId: string, outcome: MemberOutcome) => void } = {}): Promise<Map<string, MemberOutcome>> {
    const outcomes = new Map<string, MemberOutcome>();
    const settle = (objectId: string, outcome: MemberOutcome) => {
      outcomes.set(objectId, outcome);
      options.onResult?.(objectId, outcome);
    };
    let pending = [...new Set(objectIds)];
    for (let round = 0; pending.length && round < MAX_ROUNDS; round++) {
      const again: string[] = [];
      let waitMs = 0;
      for (let at = 0; at < pending.length; at += MEMBERS_PER_REQUEST) {
        const chunk = pending.slice(at, at + MEMBERS_PER_REQUEST);
        const body = {
          requests: chunk.map((objectId, index) => ({
            id: String(index + 1),
            method: 'POST',
            url: `/groups/${encodeURIComponent(groupId)}/members/$ref`,
            headers: { 'Content-Type': 'application/json' },
            body: { '@odata.id': `${this.client.graphRoot}/${this.client.apiVersion}/directoryObjects/${objectId}` },
          })),
        };
        // Adding a member twice is harmless (the second is "already a member"), so the batch may be repeated.
        const response = await this.client.post<{ responses?: BatchResponse[] }>('$batch', body, { signal: options.signal, idempotent: true });
        const byId = new Map((response.body?.responses ?? []).map((inner) => [inner.id, inner]));
        chunk.forEach((objectId, index) => {
          const inner = byId.get(String(index + 1));
          const status = inner?.status ?? 0;
          const error = parseGraphErrorBody(inner?.body, String(status));
          if (status >= 200 && status < 300) return settle(objectId, { result: 'added' });
          if (isAlreadyMember(status, error.message)) return settle(objectId, { result: 'already-member' });
          if (status === 404) return settle(objectId, { result: 'not-found' });
          if ((status === 0 || status === 429 || status >= 500) && round < MAX_ROUNDS - 1) {
            again.push(objectId);
            waitMs = Math.max(waitMs, parseRetryAfter(inner?.headers?.['Retry-After'] ?? inner?.headers?.['retry-after'] ?? null, this.client.now()) ?? backoffDelayMs(round, DEFAULT_RETRY_OPTIONS, Math.random));
            return;
          }
          if (status === 403) {
            // The caller words a missing permission; a 403 inside a batch means the same as one outside it.
            throw new GraphError({ status, code: error.code, graphMessage: error.message, method: 'POST', path: `groups/${groupId}/members/$ref`, clientRequestId: '', requestId: response.requestId });
          }
          settle(objectId, { result: 'failed', status, code: error.code, message: error.message });
        });
      }
      pending = again;
      if (pending.length) await this.sleep(waitMs, options.signal);
    }
    return outcomes;
  }
}
