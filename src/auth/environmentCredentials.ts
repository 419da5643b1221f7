/**
 * Credentials for the terminal command, from the environment (SPEC sections 6 and 6.4). When several are set, the
 * first of these wins:
 *
 * 1. `AUTOPILOT_ACCESS_TOKEN`: a bearer token acquired elsewhere, used as is;
 * 2. workload identity federation: a federated token file (`AUTOPILOT_FEDERATED_TOKEN_FILE`, else
 *    `AZURE_FEDERATED_TOKEN_FILE`) with the app's client ID (`AZURE_CLIENT_ID`, else `AUTOPILOT_CLIENT_ID`) and a
 *    tenant (`--tenant`, else `AZURE_TENANT_ID`, else `AUTOPILOT_TENANT_ID`); the file is read for every token request;
 * 3. managed identity: `--managed-identity[=CLIENT_ID]` or `AUTOPILOT_MANAGED_IDENTITY=1` (or `=CLIENT_ID`);
 * 4. app-only with `AUTOPILOT_CLIENT_ID` plus `AUTOPILOT_CLIENT_SECRET` or `AUTOPILOT_CLIENT_CERTIFICATE` (a PEM file
 *    with key and certificate) and a tenant (`--tenant` or `AUTOPILOT_TENANT_ID`).
 *
 * Sign-in goes through MSAL (confidential client, or managed identity) and the cloud's authority. A private
 * authority's CA comes through Node's own `NODE_EXTRA_CA_CERTS`.
 */
import * as l10n from '@vscode/l10n';
import type { HttpTransport } from '../common/httpTransport';
import { silentLogger, type Logger } from '../common/logger';
import type { AccessTokenRequest, GetAccessToken } from '../graph/accessToken';
import type { CloudEndpoints } from '../graph/clouds';
import { UnsafeEndpointError } from '../graph/endpoint';
import { checkAuthorityHost } from './authConfig';
import { AppOnlyAuth, type AppCredential } from './appOnlyAuth';
import { ManagedIdentityAuth } from './managedIdentityAuth';
import { AuthNetworkClient } from './networkClient';
import { tenantOfAccessToken } from './tokenClaims';

export type CredentialKind = 'access-token' | 'federated' | 'managed-identity' | 'client-secret' | 'client-certificate';

/** Which credential the environment selects, and where each part came from (for `whoami` and messages). */
export interface CredentialChoice {
  readonly kind: CredentialKind;
  /** The app (or user-assigned identity) client ID, where one is configured. */
  readonly clientId?: string;
  /** The tenant asked for, where one is configured (managed identities and ready-made tokens bring their own). */
  readonly tenantId?: string;
  /** The variables and flags that made the choice, e.g. `AZURE_FEDERATED_TOKEN_FILE`, `--tenant`. */
  readonly sources: readonly string[];
  /** For workload identity federation: the token file. */
  readonly tokenFile?: string;
}

export interface EnvironmentCredentialOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly endpoints: CloudEndpoints;
  /** `--tenant`; falls back to the environment (see above). */
  readonly tenant?: string;
  /** `--managed-identity` (true) or `--managed-identity=CLIENT_ID`. */
  readonly managedIdentity?: true | string;
  readonly log?: Logger;
  /** How sign-in requests leave the process (the same proxy as Graph's). */
  readonly transport?: HttpTransport;
}

export class MissingCredentialsError extends Error {
  constructor(message?: string) {
    super(
      message ??
        l10n.t(
          'No credentials: set AUTOPILOT_ACCESS_TOKEN; or AZURE_CLIENT_ID, AZURE_TENANT_ID and AZURE_FEDERATED_TOKEN_FILE; or pass --managed-identity; or set AUTOPILOT_CLIENT_ID with AUTOPILOT_CLIENT_SECRET (or AUTOPILOT_CLIENT_CERTIFICATE) and --tenant.',
        ),
    );
    this.name = 'MissingCredentialsError';
  }
}

function value(env: NodeJS.ProcessEnv, ...names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const text = env[name]?.trim();
    if (text) return { name, value: text };
  }
  return undefined;
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);

/** `--managed-identity[=ID]` or `AUTOPILOT_MANAGED_IDENTITY=1|true|<client id>`: undefined when not asked for. */
function managedIdentityRequest(env: NodeJS.ProcessEnv, flag: true | string | undefined): { clientId?: string; source: string } | undefined {
  if (flag !== undefined) return { ...(flag === true ? {} : { clientId: flag }), source: '--managed-identity' };
  const variable = value(env, 'AUTOPILOT_MANAGED_IDENTITY');
  if (!variable || FALSE_WORDS.has(variable.value.toLowerCase())) return undefined;
  return { ...(TRUE_WORDS.has(variable.value.toLowerCase()) ? {} : { clientId: variable.value }), source: 'AUTOPILOT_MANAGED_IDENTITY' };
}

/** The credential the environment selects, in the documented order; throws MissingCredentialsError naming what is missing. */
export function chooseCredential(env: NodeJS.ProcessEnv, flags: { tenant?: string; managedIdentity?: true | string } = {}): CredentialChoice {
  const tenantFlag = flags.tenant?.trim() ? { name: '--tenant', value: flags.tenant.trim() } : undefined;
  if (value(env, 'AUTOPILOT_ACCESS_TOKEN')) return { kind: 'access-token', sources: ['AUTOPILOT_ACCESS_TOKEN'] };

  const tokenFile = value(env, 'AUTOPILOT_FEDERATED_TOKEN_FILE', 'AZURE_FEDERATED_TOKEN_FILE');
  if (tokenFile) {
    const clientId = value(env, 'AZURE_CLIENT_ID', 'AUTOPILOT_CLIENT_ID');
    const tenant = tenantFlag ?? value(env, 'AZURE_TENANT_ID', 'AUTOPILOT_TENANT_ID');
    if (!clientId) throw new MissingCredentialsError(l10n.t('{0} is set but no app: set AZURE_CLIENT_ID to the client ID of the app with the federated credential.', tokenFile.name));
    if (!tenant) throw new MissingCredentialsError(l10n.t('{0} is set but no tenant: set AZURE_TENANT_ID (or pass --tenant).', tokenFile.name));
    return { kind: 'federated', clientId: clientId.value, tenantId: tenant.value, tokenFile: tokenFile.value, sources: [tokenFile.name, clientId.name, tenant.name] };
  }

  const managed = managedIdentityRequest(env, flags.managedIdentity);
  if (managed) return { kind: 'managed-identity', ...(managed.clientId ? { clientId: managed.clientId } : {}), sources: [managed.source] };

  const clientId = value(env, 'AUTOPILOT_CLIENT_ID');
  if (!clientId) throw new MissingCredentialsError();
  const secret = env.AUTOPILOT_CLIENT_SECRET ? { name: 'AUTOPILOT_CLIENT_SECRET' } : undefined;
  const certificate = value(env, 'AUTOPILOT_CLIENT_CERTIFICATE');
  if (secret && certificate) throw new MissingCredentialsError(l10n.t('Set either AUTOPILOT_CLIENT_SECRET or AUTOPILOT_CLIENT_CERTIFICATE, not both.'));
  if (!secret && !certificate) {
    throw new MissingCredentialsError(
      l10n.t('AUTOPILOT_CLIENT_ID is set but no credential: set AUTOPILOT_CLIENT_SECRET, or AUTOPILOT_CLIENT_CERTIFICATE to a PEM file with the private key and certificate.'),
    );
  }
  const tenant = tenantFlag ?? value(env, 'AUTOPILOT_TENANT_ID');
  if (!tenant) throw new MissingCredentialsError(l10n.t('App-only sign-in needs a tenant: pass --tenant or set AUTOPILOT_TENANT_ID.'));
  return {
    kind: secret ? 'client-secret' : 'client-certificate',
    clientId: clientId.value,
    tenantId: tenant.value,
    sources: [clientId.name, secret?.name ?? certificate!.name, tenant.name],
  };
}

/** Whether the chosen credential signs in at the cloud's authority (so a custom Graph root needs a custom authority). */
export function usesAuthority(kind: CredentialKind): boolean {
  return kind === 'federated' || kind === 'client-secret' || kind === 'client-certificate';
}

export interface EnvironmentToken {
  readonly accessToken: string;
  /** The tenant the token is for: from the sign-in result, else the token's `tid` claim. */
  readonly tenantId?: string;
  readonly expiresOn?: Date;
}

export interface EnvironmentCredential {
  readonly choice: CredentialChoice;
  getToken(request?: AccessTokenRequest): Promise<EnvironmentToken>;
  /**
   * The tenant the credential is for: the `tid` claim of AUTOPILOT_ACCESS_TOKEN, or of the token the sign-in returns
   * (so this signs in). Named by the `--tenant` domain when one was given. A run is tied to it (SPEC section 6.1).
   */
  tenant(): Promise<{ readonly id: string; readonly label: string }>;
}

/** The credentials cannot say which tenant they are for, so no run can be tied to a tenant with them. */
export class UnknownTenantError extends Error {
  constructor() {
    super(
      l10n.t(
        'AUTOPILOT_ACCESS_TOKEN does not say which tenant it is for (no tid claim), so the run cannot be tied to a tenant: use a Microsoft Entra access token for Graph, e.g. from "az account get-access-token --resource https://graph.microsoft.com".',
      ),
    );
    this.name = 'UnknownTenantError';
  }
}

const TENANT_GUID = /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i;

/** Adds `tenant()` to a token source: the token's `tid`, else what the sign-in said. */
function withTenant(choice: CredentialChoice, getToken: EnvironmentCredential['getToken']): EnvironmentCredential {
  return {
    choice,
    getToken,
    tenant: async () => {
      const token = await getToken();
      const id = tenantOfAccessToken(token.accessToken) ?? token.tenantId;
      if (!id) throw new UnknownTenantError();
      // A domain given with --tenant names the tenant better for people than its id.
      return { id, label: choice.tenantId && !TENANT_GUID.test(choice.tenantId) ? choice.tenantId : id };
    },
  };
}

function appCredential(choice: CredentialChoice, env: NodeJS.ProcessEnv): AppCredential {
  switch (choice.kind) {
    case 'federated':
      return { kind: 'federated', tokenFile: choice.tokenFile! };
    case 'client-secret':
      return { kind: 'secret', secret: env.AUTOPILOT_CLIENT_SECRET! };
    default:
      return { kind: 'certificate', certificatePath: env.AUTOPILOT_CLIENT_CERTIFICATE!.trim() };
  }
}

/** The credential the environment selects, ready to hand out tokens. */
export function environmentCredential(options: EnvironmentCredentialOptions): EnvironmentCredential {
  const { env } = options;
  const choice = chooseCredential(env, { ...(options.tenant ? { tenant: options.tenant } : {}), ...(options.managedIdentity ? { managedIdentity: options.managedIdentity } : {}) });
  const log = options.log ?? silentLogger;

  if (choice.kind === 'access-token') {
    // A token acquired elsewhere cannot be refreshed here; a 401 surfaces as an error naming the variable.
    const token = env.AUTOPILOT_ACCESS_TOKEN!.trim();
    const tenantId = tenantOfAccessToken(token);
    return withTenant(choice, async () => ({ accessToken: token, ...(tenantId ? { tenantId } : {}) }));
  }
  if (choice.kind === 'managed-identity') {
    const identity = new ManagedIdentityAuth({ endpoints: options.endpoints, log, env, ...(choice.clientId ? { clientId: choice.clientId } : {}) });
    return withTenant(choice, (request) => identity.getToken(request));
  }
  try {
    // Checked here too, not only when MSAL starts: then the terminal says why, instead of a generic sign-in failure.
    checkAuthorityHost(options.endpoints.authorityHost, 'terminal');
  } catch (error) {
    throw new UnsafeEndpointError(error instanceof Error ? error.message : String(error));
  }
  const network = new AuthNetworkClient({ log, ...(options.transport ? { transport: options.transport } : {}) });
  const app = new AppOnlyAuth({ clientId: choice.clientId!, tenantId: choice.tenantId!, endpoints: options.endpoints, credential: appCredential(choice, env), log, network, surface: 'terminal' });
  return withTenant(choice, (request) => app.getToken(request));
}

export function tokenSourceFromEnvironment(options: EnvironmentCredentialOptions): GetAccessToken {
  const credential = environmentCredential(options);
  return async (request) => (await credential.getToken(request)).accessToken;
}
