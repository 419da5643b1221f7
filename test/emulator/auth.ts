/**
 * Who may call the emulated Graph. The check is pluggable so the identity half of the emulator can hand in its own
 * tokens later; by default one static bearer token is accepted. Tokens can be expired or revoked on demand, or issued
 * with a lifetime after which Graph answers 401 (how 401 handling and token refresh are tested).
 */
import { randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../../src/common/clock';
export const WRITE_PERMISSION = 'DeviceManagementServiceConfig.ReadWrite.All';
export const READ_PERMISSION = 'DeviceManagementServiceConfig.Read.All';
const ALTERNATIVE_WRITE = 'DeviceManagementConfiguration.ReadWrite.All';
const ALTERNATIVE_READ = 'DeviceManagementConfiguration.Read.All';

export interface TokenGrant {
  readonly tenantId: string;
  readonly appId: string;
  /** Application roles or delegated scopes the token carries. */
  readonly permissions: readonly string[];
}

export type AcceptToken = (token: string) => TokenGrant | undefined;

/**
 * What the static token may do: the Intune permission the import needs, and those of the device lifecycle (managed
 * devices for retire, Entra devices and group membership). Tests that need a narrower token mint one.
 */
export const LIFECYCLE_PERMISSIONS = ['DeviceManagementManagedDevices.ReadWrite.All', 'GroupMember.ReadWrite.All', 'Device.Read.All'] as const;

export const DEFAULT_TENANT_ID = '00000000-0000-4000-8000-00000000e1e1';
export const DEFAULT_APP_ID = '00000000-0000-4000-8000-0000000a0001';

/**
 * A token shaped like Entra's access tokens for Graph (a JWT whose payload names the tenant in `tid`), unsigned: the
 * emulator recognises the whole string, and clients only read the claims (the terminal command takes the run's tenant
 * from `tid`). `name` makes tokens of the same tenant distinct.
 */
export function accessTokenFor(tenantId: string, name = 'static', appId = DEFAULT_APP_ID): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ typ: 'JWT', alg: 'none' })}.${part({ aud: 'https://graph.microsoft.com', tid: tenantId, appid: appId, name })}.emulator`;
}

export const DEFAULT_STATIC_TOKEN = accessTokenFor(DEFAULT_TENANT_ID);

export type AuthResult = { ok: true; grant: TokenGrant } | { ok: false; message: string };

export class EmulatorAuth {
  private readonly expired = new Set<string>();
  private readonly extra = new Map<string, TokenGrant>();
  /** When tokens issued with a lifetime stop being accepted (emulator clock, ms). */
  private readonly expiresAt = new Map<string, number>();

  constructor(
    readonly staticToken: string = DEFAULT_STATIC_TOKEN,
    private readonly accept?: AcceptToken,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Accepts another token (e.g. a "refreshed" one, another app, or another tenant). */
  addToken(token: string, grant: Partial<TokenGrant> = {}): void {
    this.expired.delete(token);
    this.extra.set(token, { tenantId: DEFAULT_TENANT_ID, appId: DEFAULT_APP_ID, permissions: [WRITE_PERMISSION], ...grant });
  }

  /** A new JWT-shaped token (see `accessTokenFor`) for the grant's tenant, accepted from now on. */
  mintToken(grant: Partial<TokenGrant> = {}): string {
    const token = accessTokenFor(grant.tenantId ?? DEFAULT_TENANT_ID, randomBytes(9).toString('base64url'), grant.appId);
    this.addToken(token, grant);
    return token;
  }

  /** Issues a fresh opaque token that Graph accepts for `lifetimeMs` and then answers 401 "expired". */
  issueToken(lifetimeMs: number, grant: Partial<TokenGrant> = {}): string {
    const token = `emulator-${randomBytes(24).toString('base64url')}`;
    this.addToken(token, grant);
    this.expiresAt.set(token, this.clock.now() + lifetimeMs);
    return token;
  }

  /** From now on this token gets 401 "expired". */
  expire(token: string): void {
    this.expired.add(token);
  }

  check(authorization: string | undefined): AuthResult {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) return { ok: false, message: 'Access token is empty.' };
    const token = match[1]!;
    const expiresAt = this.expiresAt.get(token);
    if (expiresAt !== undefined && this.clock.now() >= expiresAt) this.expired.add(token);
    if (this.expired.has(token)) return { ok: false, message: 'Lifetime validation failed, the token is expired.' };
    const grant =
      this.extra.get(token) ??
      this.accept?.(token) ??
      (token === this.staticToken ? { tenantId: DEFAULT_TENANT_ID, appId: DEFAULT_APP_ID, permissions: [WRITE_PERMISSION, ...LIFECYCLE_PERMISSIONS] } : undefined);
    return grant ? { ok: true, grant } : { ok: false, message: 'IDX14100: JWT is not well formed, there are no dots (.).' };
  }
}

export function mayWrite(grant: TokenGrant): boolean {
  return grant.permissions.includes(WRITE_PERMISSION) || grant.permissions.includes(ALTERNATIVE_WRITE);
}

export function mayRead(grant: TokenGrant): boolean {
  return mayWrite(grant) || grant.permissions.includes(READ_PERMISSION) || grant.permissions.includes(ALTERNATIVE_READ);
}
