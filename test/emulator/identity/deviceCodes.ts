/** The device-code grant's state at the emulated Entra ID (RFC 8628): pending, approved, declined, expired, slow down. */
import * as crypto from 'node:crypto';
import { errors, type OAuthErrorResponse } from './aadErrors';
import type { EmulatedApp, EmulatedUser } from './directory';
import type { TokenIssuer } from './tokenIssuer';

interface DeviceCodeState {
  readonly deviceCode: string;
  readonly userCode: string;
  readonly clientId: string;
  readonly tenantSegment: string;
  readonly scope: string;
  readonly expiresAt: number;
  readonly intervalMs: number;
  lastPollAt?: number;
  status: 'pending' | 'approved' | 'declined' | 'redeemed';
  user?: EmulatedUser;
}

export interface ApprovedDeviceCode {
  readonly user: EmulatedUser;
  readonly tenantSegment: string;
  readonly scope: string;
  readonly deviceCode: string;
}

/** What the device-login page can tell about a code a user typed. */
export type UserCodeState = 'pending' | 'approved' | 'declined' | 'redeemed' | 'expired' | 'unknown';

export interface DeviceCodeSettings {
  readonly lifetimeSeconds: number;
  readonly intervalSeconds: number;
  readonly verificationUri: string;
}

export class DeviceCodeGrants {
  private readonly codes = new Map<string, DeviceCodeState>();
  /** Polls still to be answered with `slow_down` regardless of their timing. */
  forcedSlowDowns = 0;

  constructor(
    private readonly issuer: TokenIssuer,
    private readonly now: () => number,
    private readonly settings: DeviceCodeSettings,
  ) {}

  issue(clientId: string, tenantSegment: string, scope: string): Record<string, unknown> {
    const deviceCode = this.issuer.opaque('dc.');
    const userCode = this.issuer.remember(crypto.randomBytes(6).toString('hex').toUpperCase().slice(0, 9));
    const { lifetimeSeconds, intervalSeconds, verificationUri } = this.settings;
    this.codes.set(deviceCode, {
      deviceCode, userCode, clientId, tenantSegment, scope,
      expiresAt: this.now() + lifetimeSeconds * 1000,
      intervalMs: intervalSeconds * 1000,
      status: 'pending',
    });
    return {
      user_code: userCode,
      device_code: deviceCode,
      verification_uri: verificationUri,
      expires_in: lifetimeSeconds,
      interval: intervalSeconds,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
    };
  }

  pending(): { userCode: string; clientId: string }[] {
    return [...this.codes.values()].filter((s) => s.status === 'pending').map(({ userCode, clientId }) => ({ userCode, clientId }));
  }

  /** The state of the code a user typed (spaces, dashes and case ignored), and the app that asked for it. */
  lookup(userCode: string): { state: UserCodeState; clientId?: string } {
    const wanted = normalizeUserCode(userCode);
    const state = [...this.codes.values()].find((s) => s.userCode === wanted);
    if (!state) return { state: 'unknown' };
    const expired = state.status === 'pending' && this.now() >= state.expiresAt;
    return { state: expired ? 'expired' : state.status, clientId: state.clientId };
  }

  approve(userCode: string, user: EmulatedUser): void {
    const state = this.byUserCode(userCode);
    state.user = user;
    state.status = 'approved';
  }

  decline(userCode: string): void {
    this.byUserCode(userCode).status = 'declined';
  }

  /** One poll of the token endpoint: an OAuth error while not (yet) approved, else what to issue tokens for. */
  poll(app: EmulatedApp, deviceCode: string, correlationId: string): OAuthErrorResponse | ApprovedDeviceCode {
    const state = this.codes.get(deviceCode);
    if (!state || state.clientId.toLowerCase() !== app.clientId.toLowerCase() || state.status === 'redeemed') {
      return errors.badGrant('device_code', correlationId);
    }
    const now = this.now();
    if (now >= state.expiresAt) return errors.deviceCodeExpired(correlationId);
    if (!app.allowPublicClientFlows) return errors.publicFlowsOff(correlationId);
    const tooSoon = state.lastPollAt !== undefined && now - state.lastPollAt < state.intervalMs - 250;
    state.lastPollAt = now;
    if (this.forcedSlowDowns > 0 || tooSoon) {
      this.forcedSlowDowns = Math.max(0, this.forcedSlowDowns - 1);
      return errors.slowDown(correlationId);
    }
    if (state.status === 'declined') return errors.declined(correlationId);
    if (state.status === 'pending' || !state.user) return errors.pending(correlationId);
    return { user: state.user, tenantSegment: state.tenantSegment, scope: state.scope, deviceCode };
  }

  redeemed(deviceCode: string): void {
    const state = this.codes.get(deviceCode);
    if (state) state.status = 'redeemed';
  }

  private byUserCode(userCode: string): DeviceCodeState {
    const wanted = normalizeUserCode(userCode);
    const state = [...this.codes.values()].find((s) => s.userCode === wanted);
    if (!state) throw new Error(`No device code with user code ${userCode}`);
    return state;
  }
}

function normalizeUserCode(userCode: string): string {
  return userCode.replace(/[\s-]/g, '').toUpperCase();
}
