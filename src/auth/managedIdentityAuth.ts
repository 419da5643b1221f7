/**
 * Managed identity (an Azure VM, App Service, Functions, AKS pod identity, Arc, Cloud Shell…) through msal-node's
 * `ManagedIdentityApplication`, which finds the host's endpoint from the environment the platform sets:
 * `IDENTITY_ENDPOINT` + `IDENTITY_HEADER` (App Service and Functions), `AZURE_POD_IDENTITY_AUTHORITY_HOST` (IMDS
 * behind AKS pod identity), otherwise IMDS at http://169.254.169.254. The token is for the cloud's Graph root as a
 * resource; its tenant is whatever tenant the identity lives in (the `tid` claim).
 *
 * The endpoint is always reached directly, never through HTTPS_PROXY: it is on the host itself (App Service's
 * loopback port, IMDS's link-local address), where no corporate proxy can reach.
 */
import * as l10n from '@vscode/l10n';
import type { ManagedIdentityApplication } from '@azure/msal-node';
import type { Logger } from '../common/logger';
import type { CloudEndpoints } from '../graph/clouds';
import { AuthFailure } from './authErrors';
import { raceCancellation, throwIfAborted } from './cancellation';
import type { AccessTokenResult, TokenRequestOptions } from './delegatedAuth';
import { loadMsal, msalLoggerOptions } from './msalRuntime';
import { AuthNetworkClient } from './networkClient';
import { decodeTokenClaims } from './tokenClaims';

export interface ManagedIdentityAuthOptions {
  readonly endpoints: CloudEndpoints;
  /** A user-assigned identity's client ID; undefined for the system-assigned identity. */
  readonly clientId?: string;
  readonly log: Logger;
  /** The environment MSAL reads (it reads `process.env` itself; this copy only names the endpoint in messages). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Where MSAL will ask, in its own order of sources, for messages and `whoami`. */
export function managedIdentityEndpoint(env: NodeJS.ProcessEnv): { source: string; url: string } {
  if (env.IDENTITY_ENDPOINT && env.IDENTITY_HEADER && env.IDENTITY_SERVER_THUMBPRINT) return { source: 'Service Fabric', url: env.IDENTITY_ENDPOINT };
  if (env.IDENTITY_ENDPOINT && env.IDENTITY_HEADER) return { source: 'App Service', url: env.IDENTITY_ENDPOINT };
  if (env.MSI_ENDPOINT && env.MSI_SECRET) return { source: 'Azure Machine Learning', url: env.MSI_ENDPOINT };
  if (env.MSI_ENDPOINT) return { source: 'Cloud Shell', url: env.MSI_ENDPOINT };
  if (env.IDENTITY_ENDPOINT && env.IMDS_ENDPOINT) return { source: 'Azure Arc', url: env.IDENTITY_ENDPOINT };
  const host = env.AZURE_POD_IDENTITY_AUTHORITY_HOST?.replace(/\/+$/, '') || 'http://169.254.169.254';
  return { source: 'IMDS', url: `${host}/metadata/identity/oauth2/token` };
}

/** What an MSAL managed-identity error carries, read structurally. */
interface MsalErrorShape {
  errorCode?: unknown;
  errorMessage?: unknown;
}

/** The endpoint's own words from MSAL's "Error(s): … - Description: <text> - Correlation ID: …" message. */
function serverDescription(message: string): string {
  const description = /Description: (.*?) - (?:Correlation ID|Timestamp|Trace ID):/s.exec(message)?.[1]?.trim();
  const text = description && description !== 'Not Available' ? description : message;
  return text.split(/\r?\n/)[0]!.trim();
}

export class ManagedIdentityAuth {
  private app: Promise<ManagedIdentityApplication> | undefined;
  private readonly network: AuthNetworkClient;

  constructor(private readonly options: ManagedIdentityAuthOptions) {
    // No transport: the endpoint is local to the host (see above).
    this.network = new AuthNetworkClient({ log: options.log });
  }

  get clientId(): string | undefined {
    return this.options.clientId;
  }

  async getToken(options: TokenRequestOptions = {}): Promise<AccessTokenResult & { tenantId?: string }> {
    throwIfAborted(options.signal);
    try {
      const app = await this.client();
      const result = await raceCancellation(app.acquireToken({ resource: this.options.endpoints.graphRoot, forceRefresh: options.forceRefresh ?? false }), { signal: options.signal });
      const tenantId = result.tenantId || decodeTokenClaims(result.accessToken)?.tid;
      return { accessToken: result.accessToken, ...(tenantId ? { tenantId } : {}), ...(result.expiresOn ? { expiresOn: result.expiresOn } : {}) };
    } catch (error) {
      throw this.describe(error);
    }
  }

  private client(): Promise<ManagedIdentityApplication> {
    this.app ??= loadMsal().then(
      (msal) =>
        new msal.ManagedIdentityApplication({
          ...(this.options.clientId ? { managedIdentityIdParams: { userAssignedClientId: this.options.clientId } } : {}),
          system: { loggerOptions: msalLoggerOptions(this.options.log), networkClient: this.network },
        }),
    );
    return this.app;
  }

  private describe(error: unknown): Error {
    if (error instanceof AuthFailure || (error instanceof Error && error.name === 'AbortError')) return error;
    const shape: MsalErrorShape = typeof error === 'object' && error !== null ? (error as MsalErrorShape) : {};
    const code = String(shape.errorCode ?? '');
    const said = serverDescription(String(shape.errorMessage ?? (error instanceof Error ? error.message : error)));
    const endpoint = managedIdentityEndpoint(this.options.env ?? process.env);
    const identity = this.options.clientId ? l10n.t('the user-assigned identity {0}', this.options.clientId) : l10n.t('the system-assigned identity');
    this.options.log.warn(`Managed identity failed (${endpoint.source} at ${endpoint.url}): ${code ? `MSAL ${code}: ` : ''}${said}`);
    if (code === 'network_error' || this.network.lastTransportFailure) {
      return new AuthFailure(
        l10n.t(
          'No managed identity endpoint answered at {0} ({1}): --managed-identity works on an Azure host with a managed identity (VM, App Service, Functions, AKS); elsewhere use a federated token, a client secret or a certificate.',
          endpoint.url, this.network.lastTransportFailure?.message ?? said),
        'managedIdentityUnavailable', undefined, { cause: error });
    }
    return new AuthFailure(
      l10n.t('The {0} managed identity endpoint refused a token for {1} ({2}): assign {1} to this resource, or pass its client ID with --managed-identity=CLIENT_ID.', endpoint.source, identity, said || code),
      'managedIdentityRefused', undefined, { cause: error });
  }
}
