/**
 * After registration, Recent Imports follows each registered device until its deployment profile is assigned
 * (beta `deploymentProfileAssignmentStatus` starting with `assigned`), within the time limit counted from its run's
 * start (older runs are not followed: a window opened on a long journal does not ask about every device it holds).
 * It asks one device at a time, at most `MAX_PER_ROUND` per poll interval, and stops by itself when nothing is left
 * to follow. No `vscode` here.
 */
import { isProfileAssigned, type ProfileAssignment } from '../../graph/autopilot';
import type { Logger } from '../../common/logger';
import { Emitter, type Subscription } from '../events';
import type { EngineSession } from './engineSessions';
import type { ImportsModel } from './importsModel';

export interface FollowedProfile {
  readonly assignment?: ProfileAssignment;
  /** The time limit passed before the profile was assigned. */
  readonly gaveUp: boolean;
}

export interface ProfileFollowerOptions {
  readonly model: ImportsModel;
  readonly log: Logger;
  readonly useSession: <T>(work: (session: EngineSession) => Promise<T>) => Promise<T>;
  readonly intervalMs: () => number;
  readonly timeLimitMs: () => number;
  readonly now?: () => number;
}

/** GETs per round: a large run is followed in turns rather than in a burst. */
const MAX_PER_ROUND = 50;

export class ProfileFollower {
  private readonly changes = new Emitter<readonly string[]>();
  private readonly profiles = new Map<string, FollowedProfile>();
  /** Where each run's turn ended last round (devices after it go first next time). */
  private cursor = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private readonly subscription: Subscription;
  private readonly now: () => number;

  constructor(private readonly options: ProfileFollowerOptions) {
    this.now = options.now ?? Date.now;
    this.subscription = options.model.onDidChange(() => this.schedule(0));
  }

  /** Run ids whose devices' profile state changed. */
  onDidChange(listener: (runIds: readonly string[]) => void): Subscription {
    return this.changes.on(listener);
  }

  profile(registrationId: string | null | undefined): FollowedProfile | undefined {
    return registrationId ? this.profiles.get(registrationId) : undefined;
  }

  /** Registered devices whose profile is not assigned yet and whose run's time is not up, with their runs and deadline. */
  private waiting(): Map<string, { runIds: string[]; deadline: number }> {
    const byDevice = new Map<string, { runIds: string[]; deadline: number }>();
    const limit = this.options.timeLimitMs();
    for (const entry of this.options.model.runs()) {
      const deadline = Date.parse(entry.view.startedAt) + limit;
      if (!(deadline > this.now()) && !entry.view.devices.some((device) => device.registrationId && this.profiles.has(device.registrationId) && !this.profiles.get(device.registrationId)!.gaveUp)) continue;
      for (const device of entry.view.devices) {
        const id = device.registrationId;
        if (!device.registered || !id) continue;
        const followed = this.profiles.get(id);
        if (followed?.gaveUp || isProfileAssigned(followed?.assignment?.status)) continue;
        const known = byDevice.get(id);
        byDevice.set(id, { runIds: [...(known?.runIds ?? []), entry.view.id], deadline: Math.max(known?.deadline ?? 0, deadline) });
      }
    }
    return byDevice;
  }

  private schedule(delayMs: number): void {
    if (this.running || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.round();
    }, delayMs);
  }

  private async round(): Promise<void> {
    const waiting = this.waiting();
    if (!waiting.size) return;
    this.running = true;
    const changed = new Set<string>();
    try {
      await this.options.useSession(async (session) => {
        const all = [...waiting];
        const start = this.cursor % all.length;
        const turn = [...all.slice(start), ...all.slice(0, start)].slice(0, MAX_PER_ROUND);
        this.cursor = start + turn.length;
        for (const [id, { runIds, deadline }] of turn) {
          const assignment = await session.engine.graph.getProfileAssignment(id);
          const gaveUp = !isProfileAssigned(assignment?.status) && this.now() >= deadline;
          const before = this.profiles.get(id);
          if (before?.assignment?.status !== assignment?.status || before?.gaveUp !== gaveUp) for (const runId of runIds) changed.add(runId);
          this.profiles.set(id, { ...(assignment ? { assignment } : {}), gaveUp });
        }
      });
    } catch (error) {
      this.options.log.debug(`Profile assignment check failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.running = false;
    }
    if (changed.size) this.changes.fire([...changed]);
    if (this.waiting().size) this.schedule(this.options.intervalMs());
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.subscription.dispose();
  }
}
