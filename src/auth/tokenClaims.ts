/**
 * Reads the claims of an access token for display (`whoami`) and bookkeeping (the tenant of a run): never to trust
 * them, since the signature is not checked here (Graph checks it). Opaque tokens have no claims to read.
 */
export interface TokenClaims {
  /** Tenant. */
  readonly tid?: string;
  /** The app the token was issued to (v1 tokens `appid`, v2 tokens `azp`). */
  readonly appid?: string;
  readonly azp?: string;
  /** Application permissions (app-only tokens). */
  readonly roles?: readonly string[];
  /** Delegated permissions, space-separated (user tokens). */
  readonly scp?: string;
  readonly upn?: string;
  readonly aud?: string;
  /** Expiry in seconds since the epoch. */
  readonly exp?: number;
}

export function decodeTokenClaims(token: string): TokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as unknown;
    return claims && typeof claims === 'object' && !Array.isArray(claims) ? (claims as TokenClaims) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The tenant (`tid`) a JWT access token is for, or undefined when the token is not a readable JWT or names none. The
 * terminal command ties a run to it (SPEC section 6.1).
 */
export function tenantOfAccessToken(token: string): string | undefined {
  const tid = decodeTokenClaims(token.trim())?.tid;
  return typeof tid === 'string' && /^[0-9A-Za-z-]{1,64}$/.test(tid) ? tid : undefined;
}
