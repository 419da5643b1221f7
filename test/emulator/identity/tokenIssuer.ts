/**
 * Mints and remembers what the emulated Entra ID hands out: access tokens (signed JWTs whose validity the Graph
 * emulator can ask about), refresh tokens, ID tokens. Everything issued is also kept in `issuedSecrets` so tests can
 * prove none of it reaches a log.
 */
import * as crypto from 'node:crypto';
import type { EmulatedApp, EmulatedUser } from './directory';
import { base64url, signJwt } from './jwt';

export interface AccessTokenInfo {
  readonly appId: string;
  readonly tenantId: string;
  readonly audience: string;
  /** Delegated permissions (`scp`), empty for app-only tokens. */
  readonly scopes: readonly string[];
  /** Application permissions (`roles`), empty for delegated tokens. */
  readonly roles: readonly string[];
  readonly userObjectId?: string;
  readonly username?: string;
  /** Milliseconds since the epoch, on the emulator's clock. */
  readonly expiresAt: number;
}

interface RefreshTokenRecord {
  readonly clientId: string;
  readonly user: EmulatedUser;
  revoked: boolean;
}

export interface TokenResponseBody {
  readonly token_type: 'Bearer';
  readonly scope: string;
  readonly expires_in: number;
  readonly ext_expires_in: number;
  readonly access_token: string;
  readonly refresh_token?: string;
  readonly id_token?: string;
  readonly client_info?: string;
}

export interface DelegatedGrant {
  readonly app: EmulatedApp;
  readonly user: EmulatedUser;
  readonly tenantId: string;
  readonly resource: string;
  readonly permissions: readonly string[];
  readonly offlineAccess: boolean;
  readonly idToken: boolean;
  readonly nonce?: string;
}

/** Audiences compare without a trailing slash: Graph accepts `https://graph.microsoft.com` and `…com/`. */
export function normalizeAudience(audience: string): string {
  return audience.replace(/\/+$/, '').toLowerCase();
}

export class TokenIssuer {
  private readonly signingKey = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  private readonly accessTokens = new Map<string, AccessTokenInfo & { revoked: boolean }>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  /** Every token, code and secret value issued or accepted, for log-leak assertions. */
  readonly issuedSecrets = new Set<string>();

  constructor(
    private readonly origin: string,
    private readonly now: () => number,
    public accessTokenLifetimeSeconds: number,
  ) {}

  remember(value: string): string {
    this.issuedSecrets.add(value);
    return value;
  }

  opaque(prefix: string): string {
    return this.remember(`${prefix}${crypto.randomBytes(24).toString('base64url')}`);
  }

  private accessToken(info: Omit<AccessTokenInfo, 'expiresAt'>): { token: string; expiresIn: number } {
    const issuedAt = Math.floor(this.now() / 1000);
    const expiresIn = this.accessTokenLifetimeSeconds;
    const claims: Record<string, unknown> = {
      aud: info.audience,
      iss: `${this.origin}/${info.tenantId}/v2.0`,
      iat: issuedAt,
      nbf: issuedAt,
      exp: issuedAt + expiresIn,
      appid: info.appId,
      tid: info.tenantId,
      uti: crypto.randomBytes(8).toString('base64url'),
      ver: '1.0',
    };
    if (info.userObjectId) {
      claims.oid = info.userObjectId;
      claims.upn = info.username;
      claims.scp = info.scopes.join(' ');
    } else {
      claims.roles = info.roles;
    }
    const token = this.remember(signJwt({ kid: 'emulator' }, claims, this.signingKey));
    this.accessTokens.set(token, { ...info, expiresAt: (issuedAt + expiresIn) * 1000, revoked: false });
    return { token, expiresIn };
  }

  private idToken(grant: DelegatedGrant): string {
    const issuedAt = Math.floor(this.now() / 1000);
    return this.remember(
      signJwt(
        { kid: 'emulator' },
        {
          aud: grant.app.clientId,
          iss: `${this.origin}/${grant.tenantId}/v2.0`,
          iat: issuedAt,
          nbf: issuedAt,
          exp: issuedAt + 3600,
          name: grant.user.displayName,
          oid: grant.user.objectId,
          preferred_username: grant.user.username,
          sub: base64url(crypto.createHash('sha256').update(`${grant.user.objectId}:${grant.app.clientId}`).digest()),
          tid: grant.tenantId,
          ver: '2.0',
          ...(grant.nonce ? { nonce: grant.nonce } : {}),
        },
        this.signingKey,
      ),
    );
  }

  delegated(grant: DelegatedGrant): TokenResponseBody {
    const { token, expiresIn } = this.accessToken({
      appId: grant.app.clientId,
      tenantId: grant.tenantId,
      audience: grant.resource,
      scopes: grant.permissions,
      roles: [],
      userObjectId: grant.user.objectId,
      username: grant.user.username,
    });
    let refreshToken: string | undefined;
    if (grant.offlineAccess) {
      refreshToken = this.opaque('rt.');
      this.refreshTokens.set(refreshToken, { clientId: grant.app.clientId, user: grant.user, revoked: false });
    }
    const oidcScopes = ['openid', 'profile', ...(grant.offlineAccess ? ['offline_access'] : [])];
    return {
      token_type: 'Bearer',
      scope: [...grant.permissions.map((p) => `${grant.resource}/${p}`), ...oidcScopes].join(' '),
      expires_in: expiresIn,
      ext_expires_in: expiresIn,
      access_token: token,
      ...(refreshToken ? { refresh_token: refreshToken } : {}),
      ...(grant.idToken ? { id_token: this.idToken(grant) } : {}),
      client_info: base64url(JSON.stringify({ uid: grant.user.objectId, utid: grant.user.homeTenantId })),
    };
  }

  appOnly(app: EmulatedApp, tenantId: string, resource: string): TokenResponseBody {
    const { token, expiresIn } = this.accessToken({
      appId: app.clientId,
      tenantId,
      audience: resource,
      scopes: [],
      roles: app.applicationPermissions,
    });
    return { token_type: 'Bearer', scope: `${resource}/.default`, expires_in: expiresIn, ext_expires_in: expiresIn, access_token: token };
  }

  refreshTokenRecord(refreshToken: string, clientId: string): RefreshTokenRecord | undefined {
    const record = this.refreshTokens.get(refreshToken);
    return record && !record.revoked && record.clientId.toLowerCase() === clientId.toLowerCase() ? record : undefined;
  }

  /** What the Graph emulator asks: is this a live token for that audience, and whose is it? */
  validate(token: string, audience: string): AccessTokenInfo | undefined {
    const record = this.accessTokens.get(token);
    if (!record || record.revoked || this.now() >= record.expiresAt) return undefined;
    if (normalizeAudience(record.audience) !== normalizeAudience(audience)) return undefined;
    const { appId, tenantId, audience: recordAudience, scopes, roles, userObjectId, username, expiresAt } = record;
    return { appId, tenantId, audience: recordAudience, scopes, roles, expiresAt, ...(userObjectId ? { userObjectId, username } : {}) };
  }

  /** Makes every access token issued so far expire now (the refresh tokens stay valid). */
  expireAccessTokens(): void {
    const now = this.now();
    for (const [token, record] of this.accessTokens) this.accessTokens.set(token, { ...record, expiresAt: Math.min(record.expiresAt, now) });
  }

  /** Revokes refresh and access tokens, for one user or for everyone (e.g. an admin's "revoke sessions"). */
  revoke(username?: string): void {
    for (const record of this.refreshTokens.values()) {
      if (!username || record.user.username === username) record.revoked = true;
    }
    for (const record of this.accessTokens.values()) {
      if (!username || record.username === username) record.revoked = true;
    }
  }
}
