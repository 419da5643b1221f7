/**
 * After registration, Recent Imports follows each registered device until its deployment profile is assigned
 * (beta `deploymentProfileAssignmentStatus` starting with `assigned`), within a time limit counted from when this
 * window first saw it registered. It asks one device at a time (few devices wait at once), every poll interval, and
 * stops by itself when nothing is left to follow. No `vscode` and no timers outside `start`/`dispose`.
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

export class ProfileFollower {
  private readonly changes = new Emitter<readonly string[]>();
  private readonly profiles = new Map<string, FollowedProfile>();
  private readonly firstSeen = new Map<string, number>();
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

  /** Registered devices whose profile is not assigned yet and whose time is not up, with their runs. */
  private waiting(): Map<string, string[]> {
    const byDevice = new Map<string, string[]>();
    for (const entry of this.options.model.runs()) {
      for (const device of entry.view.devices) {
        const id = device.registrationId;
        if (!device.registered || !id) continue;
        const followed = this.profiles.get(id);
        if (followed?.gaveUp || isProfileAssigned(followed?.assignment?.status)) continue;
        byDevice.set(id, [...(byDevice.get(id) ?? []), entry.view.id]);
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
        for (const [id, runIds] of waiting) {
          const seen = this.firstSeen.get(id) ?? this.now();
          this.firstSeen.set(id, seen);
          const assignment = await session.engine.graph.getProfileAssignment(id);
          const gaveUp = !isProfileAssigned(assignment?.status) && this.now() - seen >= this.options.timeLimitMs();
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
