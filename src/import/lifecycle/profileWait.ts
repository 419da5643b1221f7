/**
 * Follows registered devices until their deployment profile is assigned (`deploymentProfileAssignmentStatus` starts
 * with `assigned`, as the community script checks), or the time limit passes. Graph documents no latency, and
 * `notAssigned` or `failed` may change later (a group tag or a profile targeting it), so both are read again until
 * the limit. Few devices are read one by one from beta; many with one beta listing per round.
 */
import type { Clock } from '../../common/clock';
import { isProfileAssigned, profileAssignmentOf, type AutopilotGraph, type ProfileAssignment } from '../../graph/autopilot';

/** Up to this many devices are read one GET each per round; more are read with the paged list. */
const PER_DEVICE_LIMIT = 20;

export interface ProfileWaitOptions {
  readonly deadline: number;
  readonly intervalMs: number;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** Every round's statuses (registration id → assignment; undefined while Graph does not list the device). */
  readonly onRound?: (assignments: ReadonlyMap<string, ProfileAssignment | undefined>) => void;
}

export async function waitForProfiles(graph: AutopilotGraph, ids: readonly string[], options: ProfileWaitOptions): Promise<Map<string, ProfileAssignment | undefined>> {
  const assignments = new Map<string, ProfileAssignment | undefined>(ids.map((id) => [id, undefined]));
  for (;;) {
    const waiting = ids.filter((id) => !isProfileAssigned(assignments.get(id)?.status));
    if (waiting.length <= PER_DEVICE_LIMIT) {
      for (const id of waiting) assignments.set(id, await graph.getProfileAssignment(id, options.signal));
    } else {
      const wanted = new Set(waiting);
      for await (const page of graph.listRegisteredDevices({ apiVersion: 'beta', signal: options.signal })) {
        for (const device of page) if (wanted.has(device.id)) assignments.set(device.id, profileAssignmentOf(device));
      }
    }
    options.onRound?.(assignments);
    if (ids.every((id) => isProfileAssigned(assignments.get(id)?.status))) return assignments;
    const left = options.deadline - options.clock.now();
    if (left <= 0) return assignments;
    await options.clock.sleep(Math.min(options.intervalMs, left), options.signal);
  }
}
