/**
 * What an access token says about itself. Microsoft Entra access tokens for Graph are JWTs whose payload can be read
 * (not verified: Graph verifies them); the terminal command reads the tenant (`tid`) of a token it was handed, so a
 * run is tied to the tenant it imports into (SPEC section 6.1).
 */

/** The `tid` claim of a JWT access token, or undefined when the token is not a readable JWT or has none. */
export function tenantOfAccessToken(token: string): string | undefined {
  const payload = token.trim().split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { tid?: unknown };
    return typeof claims.tid === 'string' && /^[0-9A-Za-z-]{1,64}$/.test(claims.tid) ? claims.tid : undefined;
  } catch {
    return undefined;
  }
}
