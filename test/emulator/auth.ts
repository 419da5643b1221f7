/**
 * Who may call the emulated Graph. The check is pluggable so the identity half of the emulator can hand in its own
 * tokens later; by default one static bearer token is accepted. Tokens can be expired or revoked on demand, which
 * is how 401 handling is tested.
 */
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

export const DEFAULT_TENANT_ID = '00000000-0000-4000-8000-00000000e1e1';
export const DEFAULT_APP_ID = '00000000-0000-4000-8000-0000000a0001';
export const DEFAULT_STATIC_TOKEN = 'emulator-static-token';

export type AuthResult = { ok: true; grant: TokenGrant } | { ok: false; message: string };

export class EmulatorAuth {
  private readonly expired = new Set<string>();
  private readonly extra = new Map<string, TokenGrant>();

  constructor(
    readonly staticToken: string = DEFAULT_STATIC_TOKEN,
    private readonly accept?: AcceptToken,
  ) {}

  /** Accepts another token (e.g. a "refreshed" one, another app, or another tenant). */
  addToken(token: string, grant: Partial<TokenGrant> = {}): void {
    this.expired.delete(token);
    this.extra.set(token, { tenantId: DEFAULT_TENANT_ID, appId: DEFAULT_APP_ID, permissions: [WRITE_PERMISSION], ...grant });
  }

  /** From now on this token gets 401 "expired". */
  expire(token: string): void {
    this.expired.add(token);
  }

  check(authorization: string | undefined): AuthResult {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!match) return { ok: false, message: 'Access token is empty.' };
    const token = match[1]!;
    if (this.expired.has(token)) return { ok: false, message: 'Lifetime validation failed, the token is expired.' };
    const grant =
      this.extra.get(token) ??
      this.accept?.(token) ??
      (token === this.staticToken ? { tenantId: DEFAULT_TENANT_ID, appId: DEFAULT_APP_ID, permissions: [WRITE_PERMISSION] } : undefined);
    return grant ? { ok: true, grant } : { ok: false, message: 'IDX14100: JWT is not well formed, there are no dots (.).' };
  }
}

export function mayWrite(grant: TokenGrant): boolean {
  return grant.permissions.includes(WRITE_PERMISSION) || grant.permissions.includes(ALTERNATIVE_WRITE);
}

export function mayRead(grant: TokenGrant): boolean {
  return mayWrite(grant) || grant.permissions.includes(READ_PERMISSION) || grant.permissions.includes(ALTERNATIVE_READ);
}
