/** The parts of Entra ID's OAuth rules the emulator applies: redirect URI matching, scope parsing, OIDC metadata. */
import type { EmulatedApp } from './directory';

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);
/** Authority tenants that name no directory: the user's home tenant is used. */
export const TENANT_NEUTRAL = new Set(['organizations', 'common']);

/** Registered `http://localhost` (no port) matches any loopback port, as Entra does for public-client redirects. */
export function redirectAllowed(app: EmulatedApp, redirectUri: string): boolean {
  let requested: URL;
  try {
    requested = new URL(redirectUri);
  } catch {
    return false;
  }
  return app.redirectUris.some((registered) => {
    const allowed = new URL(registered);
    if (allowed.protocol === 'http:' && allowed.hostname === 'localhost' && !allowed.port) {
      return requested.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(requested.hostname) && requested.pathname === allowed.pathname;
    }
    return registered === redirectUri;
  });
}

export interface ParsedScope {
  /** The one resource the non-OIDC scopes name (Entra issues a token for one audience at a time). */
  readonly resource?: string;
  readonly permissions: readonly string[];
  readonly offlineAccess: boolean;
}

export function parseScope(scope: string): ParsedScope {
  const resourceScopes = scope.split(/\s+/).filter((s) => s && !OIDC_SCOPES.has(s));
  const resources = new Set(resourceScopes.map((s) => s.slice(0, s.lastIndexOf('/'))));
  return {
    ...(resources.size === 1 ? { resource: [...resources][0]! } : {}),
    permissions: resourceScopes.map((s) => s.slice(s.lastIndexOf('/') + 1)),
    offlineAccess: scope.split(/\s+/).includes('offline_access'),
  };
}

/** `/{tenant}/v2.0/.well-known/openid-configuration`, shaped like Entra's. */
export function openIdMetadata(origin: string, tenantSegment: string, tenantId: string | undefined): Record<string, unknown> {
  const base = `${origin}/${tenantSegment}`;
  return {
    token_endpoint: `${base}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${origin}/${tenantId ?? '{tenantid}'}/v2.0`,
    request_uri_parameter_supported: false,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'preferred_username', 'name', 'tid', 'ver', 'oid'],
    tenant_region_scope: 'NA',
  };
}
