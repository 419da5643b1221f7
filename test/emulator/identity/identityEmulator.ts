/**
 * The identity half of the emulator: an HTTPS stand-in for Entra ID that real `@azure/msal-node` signs in against.
 * OpenID metadata, authorize (auto-consent, form_post back to the loopback redirect, PKCE), token (authorization
 * code, device code with pending/slow_down/expired, client credentials with a secret or a certificate assertion,
 * refresh), workload identity federation (client assertions from a trusted external issuer), expiring tokens, and
 * error responses with the AADSTS codes the product explains.
 *
 * The Graph emulator validates bearer tokens through `isValidAccessToken`.
 */
import * as crypto from 'node:crypto';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { aadError, errors, type OAuthErrorResponse } from './aadErrors';
import {
  ADELE, CONTOSO, Directory, FABRIKAM, MEGAN, graphCommandLineTools,
  type EmulatedApp, type EmulatedTenant, type EmulatedUser,
} from './directory';
import { DeviceCodeGrants } from './deviceCodes';
import { DeviceLoginPages, DeviceLoginSite } from './deviceLogin';
import type { FederatedCredential } from './federation';
import { decodeJwt, verifyJwtSignature, x5tS256, type DecodedJwt } from './jwt';
import { TENANT_NEUTRAL, openIdMetadata, parseScope, redirectAllowed } from './oauthRules';
import { autoPostPage, errorPage } from './pages';
import type { TestTls } from './testTls';
import { TokenIssuer, type AccessTokenInfo } from './tokenIssuer';

export type { AccessTokenInfo } from './tokenIssuer';

export interface IdentityEmulatorOptions {
  readonly tls: TestTls;
  readonly tenants?: readonly EmulatedTenant[];
  readonly users?: readonly EmulatedUser[];
  readonly apps?: readonly EmulatedApp[];
  readonly accessTokenLifetimeSeconds?: number;
  readonly deviceCodeLifetimeSeconds?: number;
  readonly deviceCodePollIntervalSeconds?: number;
  /** The emulator's clock in milliseconds; defaults to `Date.now()` read on every call. */
  readonly now?: () => number;
  /** Loopback address to listen on (default 127.0.0.1; the test certificate also covers 127.0.0.2). */
  readonly host?: string;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly grantType?: string;
  /** Who connected: the client itself, or the proxy it went through. */
  readonly remoteAddress?: string;
  /** For a federated client assertion: whose token it was (never the token). */
  readonly assertion?: { readonly issuer: string; readonly subject: string; readonly id: string };
}

/** An external issuer Entra ID trusts for workload identity federation (its signing key, as JWKS would give it). */
export interface TrustedIssuer {
  readonly issuer: string;
  readonly publicKey: crypto.KeyObject;
}

interface AuthorizationCodeState {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly codeChallenge: string;
  readonly user: EmulatedUser;
  readonly tenantId: string;
  readonly nonce?: string;
  readonly expiresAt: number;
  used: boolean;
}

/** What the next interactive sign-in in "the browser" does. */
export interface BrowserBehaviour {
  username: string;
  decision: 'consent' | 'cancel';
}

type Reply = { status: number; headers?: Record<string, string>; body: string };
type TokenReply = OAuthErrorResponse | { status: number; body: unknown };

function json(response: OAuthErrorResponse | { status: number; body: unknown }): Reply {
  return { status: response.status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(response.body) };
}

function html(status: number, body: string): Reply {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8' }, body };
}

export class IdentityEmulator {
  readonly directory: Directory;
  readonly requests: RecordedRequest[] = [];
  /** The user that signs in, and whether they consent or cancel, the next time "the browser" opens authorize. */
  readonly browser: BrowserBehaviour = { username: ADELE.username, decision: 'consent' };
  private readonly issuer: TokenIssuer;
  private readonly deviceCodes: DeviceCodeGrants;
  private readonly deviceLoginPages: DeviceLoginPages;
  private readonly authorizationCodes = new Map<string, AuthorizationCodeState>();
  private readonly now: () => number;
  private failures: { remaining: number; status: number } = { remaining: 0, status: 503 };
  private readonly trustedIssuers = new Map<string, crypto.KeyObject>();

  private constructor(
    private readonly server: https.Server,
    readonly origin: string,
    private readonly deviceLoginSite: DeviceLoginSite,
    options: IdentityEmulatorOptions,
  ) {
    this.now = options.now ?? (() => Date.now());
    this.directory = new Directory(options.tenants ?? [CONTOSO, FABRIKAM], options.users ?? [ADELE, MEGAN], options.apps ?? [graphCommandLineTools()]);
    this.issuer = new TokenIssuer(origin, this.now, options.accessTokenLifetimeSeconds ?? 3600);
    this.deviceCodes = new DeviceCodeGrants(this.issuer, this.now, {
      lifetimeSeconds: options.deviceCodeLifetimeSeconds ?? 900,
      intervalSeconds: options.deviceCodePollIntervalSeconds ?? 5,
      verificationUri: deviceLoginSite.url,
    });
    this.deviceLoginPages = new DeviceLoginPages(this.deviceCodes, this.directory, ADELE.username);
    for (const app of this.directory.apps.values()) for (const secret of app.secrets) this.issuer.remember(secret);
  }

  static async start(options: IdentityEmulatorOptions): Promise<IdentityEmulator> {
    const server = https.createServer({ key: options.tls.serverKey, cert: options.tls.serverCert });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, options.host ?? '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const host = options.host ?? '127.0.0.1';
    let created: IdentityEmulator | undefined;
    const deviceLoginSite = await DeviceLoginSite.start({ handle: (method, body) => created!.deviceLoginPages.handle(method, body) }, host);
    const emulator = (created = new IdentityEmulator(server, `https://${host}:${port}`, deviceLoginSite, options));
    server.on('request', (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        let reply: Reply;
        try {
          reply = emulator.handle(req.method ?? 'GET', new URL(req.url ?? '/', emulator.origin), body, req.headers, req.socket.remoteAddress);
        } catch (error) {
          reply = { status: 500, body: String(error) };
        }
        res.writeHead(reply.status, reply.headers);
        res.end(reply.body);
      });
    });
    return emulator;
  }

  /**
   * Where a user enters a device code: `http://127.0.0.1:PORT/devicelogin`, the verification URI of every device-code
   * answer (a host of its own, like Entra's microsoft.com/devicelogin; see `deviceLogin.ts` for why plain http).
   */
  get deviceLoginUrl(): string {
    return this.deviceLoginSite.url;
  }

  /** Authority host for settings and MSAL (`https://127.0.0.1:PORT`); append `/<tenant>` for an authority. */
  get authorityHost(): string {
    return this.origin;
  }

  /** Every token, code and secret the emulator issued or was configured with: none may appear in a log. */
  get issuedSecrets(): ReadonlySet<string> {
    return this.issuer.issuedSecrets;
  }

  isValidAccessToken(token: string, options: { audience: string }): AccessTokenInfo | undefined {
    return this.issuer.validate(token, options.audience);
  }

  set accessTokenLifetimeSeconds(seconds: number) {
    this.issuer.accessTokenLifetimeSeconds = seconds;
  }

  expireAccessTokens(): void {
    this.issuer.expireAccessTokens();
  }

  revokeTokens(username?: string): void {
    this.issuer.revoke(username);
  }

  addApp(app: EmulatedApp): EmulatedApp {
    for (const secret of app.secrets) this.issuer.remember(secret);
    return this.directory.addApp(app);
  }

  updateApp(clientId: string, changes: Partial<EmulatedApp>): EmulatedApp {
    for (const secret of changes.secrets ?? []) this.issuer.remember(secret);
    return this.directory.updateApp(clientId, changes);
  }

  /** Trusts an external issuer's tokens as federated client assertions (Entra would fetch its keys from its JWKS). */
  trustIssuer(issuer: TrustedIssuer): void {
    this.trustedIssuers.set(issuer.issuer, issuer.publicKey);
  }

  /**
   * A token for a managed identity (the identity is an app registration in its tenant, as a managed identity's
   * service principal is), for the managed-identity endpoint to hand out.
   */
  issueManagedIdentityToken(clientId: string, resource: string): { accessToken: string; expiresIn: number; tenantId: string } | undefined {
    const app = this.directory.apps.get(clientId.toLowerCase());
    const tenantId = app && app.tenants !== 'all' ? app.tenants[0] : undefined;
    if (!app || !tenantId) return undefined;
    const body = this.issuer.appOnly(app, tenantId, resource);
    return { accessToken: body.access_token, expiresIn: body.expires_in, tenantId };
  }

  /** Device codes waiting for a user, newest last. */
  pendingDeviceCodes(): { userCode: string; clientId: string }[] {
    return this.deviceCodes.pending();
  }

  /** What a user does on the device-login page: enter the code and sign in. */
  approveDeviceCode(userCode: string, username: string = ADELE.username): void {
    const user = this.directory.user(username);
    if (!user) throw new Error(`No user ${username}`);
    this.deviceCodes.approve(userCode, user);
  }

  declineDeviceCode(userCode: string): void {
    this.deviceCodes.decline(userCode);
  }

  /** The next `count` device-code polls are told to slow down, as a loaded Entra ID may. */
  slowDownNextPolls(count: number): void {
    this.deviceCodes.forcedSlowDowns = count;
  }

  /** The next `count` token requests fail with `status` (5xx: an outage). */
  failNextTokenRequests(count: number, status = 503): void {
    this.failures = { remaining: count, status };
  }

  async stop(): Promise<void> {
    await this.deviceLoginSite.stop();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(method: string, url: URL, body: string, headers: Record<string, string | string[] | undefined>, remoteAddress?: string): Reply {
    const form = new URLSearchParams(body);
    const correlationId = String(headers['client-request-id'] ?? '');
    const assertion = form.get('client_assertion') ? decodeJwt(form.get('client_assertion')!) : undefined;
    const federated = assertion && typeof assertion.payload.iss === 'string' && assertion.payload.iss !== assertion.payload.sub;
    this.requests.push({
      method,
      path: url.pathname,
      ...(form.get('grant_type') ? { grantType: form.get('grant_type')! } : {}),
      ...(remoteAddress ? { remoteAddress } : {}),
      ...(federated ? { assertion: { issuer: String(assertion.payload.iss), subject: String(assertion.payload.sub), id: String(assertion.payload.jti ?? '') } } : {}),
    });
    const segments = url.pathname.split('/').filter(Boolean);

    if (url.pathname === '/devicelogin') return this.deviceLoginPages.handle(method, body);
    if (url.pathname === '/common/discovery/instance') {
      return json({ status: 200, body: { tenant_discovery_endpoint: `${this.origin}/common/v2.0/.well-known/openid-configuration`, metadata: [] } });
    }
    const [tenantSegment, ...rest] = segments;
    const route = rest.join('/');
    if (!tenantSegment) return html(404, 'Not found');
    if (method === 'GET' && route === 'v2.0/.well-known/openid-configuration') return this.openIdConfiguration(tenantSegment);
    if (method === 'GET' && route === 'discovery/v2.0/keys') return json({ status: 200, body: { keys: [] } });
    if (method === 'GET' && route === 'oauth2/v2.0/authorize') return this.authorize(tenantSegment, url.searchParams);
    if (method === 'GET' && route === 'oauth2/v2.0/logout') return html(200, 'Signed out');
    if (method === 'POST' && route === 'oauth2/v2.0/devicecode') return json(this.deviceCode(tenantSegment, form, correlationId));
    if (method === 'POST' && route === 'oauth2/v2.0/token') {
      if (this.failures.remaining > 0) {
        this.failures.remaining--;
        return json(this.failures.status === 503 ? errors.unavailable(correlationId) : aadError(this.failures.status, 'server_error', 90033, 'Injected failure.', correlationId));
      }
      return json(this.token(tenantSegment, `${this.origin}${url.pathname}`, form, correlationId));
    }
    return html(404, 'Not found');
  }

  private openIdConfiguration(tenantSegment: string): Reply {
    const tenant = this.directory.tenant(tenantSegment);
    if (!tenant && !TENANT_NEUTRAL.has(tenantSegment)) return json(errors.tenantNotFound(tenantSegment));
    return json({ status: 200, body: openIdMetadata(this.origin, tenantSegment, tenant?.id) });
  }

  /** Which tenant a user signs in to: the one named in the authority, else their home tenant. */
  private userTenant(user: EmulatedUser, tenantSegment: string): string | OAuthErrorResponse {
    if (TENANT_NEUTRAL.has(tenantSegment)) return user.homeTenantId;
    const tenant = this.directory.tenant(tenantSegment);
    if (!tenant) return errors.tenantNotFound(tenantSegment);
    return user.tenantIds.includes(tenant.id) ? tenant.id : errors.userNotInTenant(user.username, tenantSegment);
  }

  /**
   * Whether a user at a sign-in prompt (browser or device-login page) may consent to delegated permissions the tenant
   * has not consented to (incremental consent). Off by default, as in tenants that require an administrator's approval;
   * a test that signs in as an administrator (or a tenant allowing user consent) turns it on.
   */
  userConsentAllowed = false;
  /** Permissions users consented to at a prompt, per app and tenant. */
  private readonly userConsents = new Map<string, Set<string>>();

  private missingConsent(app: EmulatedApp, permissions: readonly string[], tenantId?: string): boolean {
    const granted = this.userConsents.get(`${app.clientId}|${tenantId ?? ''}`);
    return permissions.some((p) => p !== '.default' && !app.delegatedPermissions.includes(p) && !granted?.has(p));
  }

  /** A user consents at the prompt (when allowed): the permissions are granted for the app in that tenant. */
  private consentAtPrompt(app: EmulatedApp, permissions: readonly string[], tenantId: string): void {
    if (!this.userConsentAllowed) return;
    const key = `${app.clientId}|${tenantId}`;
    const granted = this.userConsents.get(key) ?? new Set<string>();
    for (const permission of permissions) if (permission !== '.default') granted.add(permission);
    this.userConsents.set(key, granted);
  }

  private authorize(tenantSegment: string, query: URLSearchParams): Reply {
    const clientId = query.get('client_id') ?? '';
    const redirectUri = query.get('redirect_uri') ?? '';
    const tenant = this.directory.tenant(tenantSegment);
    const app = this.directory.appInTenant(clientId, tenant?.id);
    if (!app) return html(400, errorPage(errors.unknownApp(clientId, tenantSegment)));
    if (!redirectAllowed(app, redirectUri)) return html(400, errorPage(errors.redirectMismatch(redirectUri, clientId)));

    const state = query.get('state') ?? '';
    const reply = (fields: Record<string, string>) => html(200, autoPostPage(redirectUri, { ...fields, state }));
    const fail = (response: OAuthErrorResponse, extra: Record<string, string> = {}) =>
      reply({ error: String(response.body.error), error_description: String(response.body.error_description), ...extra });

    if (query.get('code_challenge_method') !== 'S256' || !query.get('code_challenge')) {
      return fail(aadError(400, 'invalid_request', 9002325, 'Proof Key for Code Exchange is required for this client (S256).'));
    }
    if (this.browser.decision === 'cancel') {
      return fail(aadError(400, 'access_denied', 65004, 'User declined to consent to access the app.'), { error_subcode: 'cancel' });
    }
    const user = this.directory.user(query.get('login_hint') || this.browser.username);
    if (!user) return html(400, errorPage(aadError(400, 'invalid_request', 50034, 'The user account does not exist in the directory.')));
    const tenantId = this.userTenant(user, tenantSegment);
    if (typeof tenantId !== 'string') return fail(tenantId);
    const scope = parseScope(query.get('scope') ?? '');
    if (this.missingConsent(app, scope.permissions, tenantId)) this.consentAtPrompt(app, scope.permissions, tenantId);
    if (this.missingConsent(app, scope.permissions, tenantId)) {
      return fail({ ...errors.consentMissing(app.clientId, app.displayName), body: { ...errors.consentMissing(app.clientId, app.displayName).body, error: 'consent_required' } });
    }
    const code = this.issuer.opaque('code.');
    this.authorizationCodes.set(code, {
      clientId: app.clientId,
      redirectUri,
      codeChallenge: query.get('code_challenge')!,
      user,
      tenantId,
      ...(query.get('nonce') ? { nonce: query.get('nonce')! } : {}),
      expiresAt: this.now() + 10 * 60_000,
      used: false,
    });
    return reply({
      code,
      client_info: Buffer.from(JSON.stringify({ uid: user.objectId, utid: user.homeTenantId })).toString('base64url'),
      session_state: crypto.randomUUID(),
    });
  }

  private deviceCode(tenantSegment: string, form: URLSearchParams, correlationId: string): OAuthErrorResponse | { status: number; body: unknown } {
    const clientId = form.get('client_id') ?? '';
    const tenant = this.directory.tenant(tenantSegment);
    if (!tenant && !TENANT_NEUTRAL.has(tenantSegment)) return errors.tenantNotFound(tenantSegment, correlationId);
    if (!this.directory.appInTenant(clientId, tenant?.id)) return errors.unknownApp(clientId, tenantSegment, correlationId);
    return { status: 200, body: this.deviceCodes.issue(clientId, tenantSegment, form.get('scope') ?? '') };
  }

  /** Tokens for a user, after checking the scope names one resource and the tenant consented to it. */
  private delegated(app: EmulatedApp, scopeText: string, user: EmulatedUser, tenantId: string, correlationId: string, nonce?: string): TokenReply {
    const scope = parseScope(scopeText);
    if (!scope.resource) return errors.badScope(scopeText, correlationId);
    if (this.missingConsent(app, scope.permissions, tenantId)) return errors.consentMissing(app.clientId, app.displayName, correlationId);
    return {
      status: 200,
      body: this.issuer.delegated({
        app, user, tenantId, resource: scope.resource, permissions: scope.permissions,
        offlineAccess: scope.offlineAccess, idToken: true, ...(nonce ? { nonce } : {}),
      }),
    };
  }

  private token(tenantSegment: string, tokenEndpoint: string, form: URLSearchParams, correlationId: string): TokenReply {
    const grantType = form.get('grant_type') ?? '';
    const clientId = form.get('client_id') ?? '';
    const scope = form.get('scope') ?? '';
    const tenant = this.directory.tenant(tenantSegment);
    if (!tenant && !TENANT_NEUTRAL.has(tenantSegment)) return errors.tenantNotFound(tenantSegment, correlationId);
    const app = this.directory.appInTenant(clientId, tenant?.id);
    if (!app) return errors.unknownApp(clientId, tenantSegment, correlationId);

    switch (grantType) {
      case 'authorization_code': {
        const code = this.authorizationCodes.get(form.get('code') ?? '');
        if (!code || code.used || code.expiresAt <= this.now() || code.clientId !== app.clientId) return errors.badGrant('code', correlationId);
        if (code.redirectUri !== form.get('redirect_uri')) return errors.redirectMismatch(form.get('redirect_uri') ?? '', clientId);
        const verifier = this.issuer.remember(form.get('code_verifier') ?? '');
        if (crypto.createHash('sha256').update(verifier).digest('base64url') !== code.codeChallenge) return errors.pkceFailed(correlationId);
        code.used = true;
        return this.delegated(app, scope, code.user, code.tenantId, correlationId, code.nonce);
      }
      case 'refresh_token': {
        const record = this.issuer.refreshTokenRecord(form.get('refresh_token') ?? '', app.clientId);
        if (!record) return errors.expiredRefreshToken(correlationId);
        const tenantId = this.userTenant(record.user, tenantSegment);
        return typeof tenantId === 'string' ? this.delegated(app, scope, record.user, tenantId, correlationId) : tenantId;
      }
      case 'urn:ietf:params:oauth:grant-type:device_code':
      case 'device_code': {
        const approved = this.deviceCodes.poll(app, form.get('device_code') ?? '', correlationId);
        if ('status' in approved) return approved;
        const tenantId = this.userTenant(approved.user, approved.tenantSegment);
        if (typeof tenantId !== 'string') return tenantId;
        // The token request may repeat the scope; the one the code was issued for is what the user approved.
        this.consentAtPrompt(app, parseScope(approved.scope || scope).permissions, tenantId);
        const result = this.delegated(app, approved.scope || scope, approved.user, tenantId, correlationId);
        if (result.status === 200) this.deviceCodes.redeemed(approved.deviceCode);
        return result;
      }
      case 'client_credentials':
        return this.clientCredentials(app, tenant, tokenEndpoint, form, correlationId);
      default:
        return errors.unsupportedGrant(grantType, correlationId);
    }
  }

  private clientCredentials(
    app: EmulatedApp,
    tenant: EmulatedTenant | undefined,
    tokenEndpoint: string,
    form: URLSearchParams,
    correlationId: string,
  ): TokenReply {
    if (!tenant) return errors.tenantNotFound('organizations', correlationId);
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    if (secret !== null) {
      this.issuer.remember(secret);
      if (!app.secrets.includes(secret)) return errors.invalidSecret(app.clientId, correlationId);
    } else if (assertion !== null) {
      this.issuer.remember(assertion);
      const jwt = decodeJwt(assertion);
      if (jwt && typeof jwt.payload.iss === 'string' && jwt.payload.iss !== app.clientId) {
        const refusal = this.federatedRefusal(app, jwt, correlationId);
        if (refusal) return refusal;
      } else if (!this.assertionValid(app, assertion, tokenEndpoint)) {
        return errors.badAssertion(correlationId);
      }
    } else {
      return errors.publicFlowsOff(correlationId);
    }
    const scope = form.get('scope') ?? '';
    const parsed = parseScope(scope);
    if (!parsed.resource || parsed.permissions.length !== 1 || parsed.permissions[0] !== '.default') return errors.badScope(scope, correlationId);
    return { status: 200, body: this.issuer.appOnly(app, tenant.id, parsed.resource) };
  }

  /**
   * Checks a federated token the way Entra ID does: a federated credential for its issuer, the issuer's signature,
   * the time range, then the subject and the audience; undefined when it is accepted.
   */
  private federatedRefusal(app: EmulatedApp, jwt: DecodedJwt, correlationId: string): OAuthErrorResponse | undefined {
    const { iss, sub, aud, exp, nbf } = jwt.payload;
    const credentials: readonly FederatedCredential[] = (app.federatedCredentials ?? []).filter((c) => c.issuer === iss);
    if (credentials.length === 0) return errors.federatedIssuer(String(iss), correlationId);
    const key = this.trustedIssuers.get(String(iss));
    if (!key || !verifyJwtSignature(jwt, key)) return errors.badAssertion(correlationId);
    const now = this.now();
    const notBefore = typeof nbf === 'number' ? nbf * 1000 : 0;
    const expiry = typeof exp === 'number' ? exp * 1000 : 0;
    if (now < notBefore - 5 * 60_000 || now >= expiry) return errors.assertionTimeRange(new Date(now), new Date(notBefore), new Date(expiry), correlationId);
    const bySubject = credentials.filter((c) => c.subject === sub);
    if (bySubject.length === 0) return errors.federatedSubject(String(sub), correlationId);
    const audiences = (Array.isArray(aud) ? aud : [aud]).map(String);
    if (!bySubject.some((c) => c.audiences.some((a) => audiences.includes(a)))) return errors.federatedAudience(audiences.join(', '), correlationId);
    return undefined;
  }

  private assertionValid(app: EmulatedApp, assertion: string, tokenEndpoint: string): boolean {
    const jwt = decodeJwt(assertion);
    if (!jwt) return false;
    const certificate = app.certificates.find((pem) => x5tS256(pem) === jwt.header['x5t#S256']);
    if (!certificate || !verifyJwtSignature(jwt, new crypto.X509Certificate(certificate).publicKey)) return false;
    const { aud, iss, sub, exp } = jwt.payload;
    return aud === tokenEndpoint && iss === app.clientId && sub === app.clientId && typeof exp === 'number' && exp * 1000 > this.now();
  }
}

export function startIdentityEmulator(options: IdentityEmulatorOptions): Promise<IdentityEmulator> {
  return IdentityEmulator.start(options);
}
