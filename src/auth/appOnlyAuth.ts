/**
 * App-only tokens (a service principal, for pipelines and unattended use) through MSAL's confidential client, with
 * a client secret, a certificate, or a federated token (workload identity federation: a JWT from a trusted issuer
 * such as GitHub Actions or Kubernetes, read from a file). Scope is always `<graph root>/.default`: the app's granted
 * application permissions decide what it may do.
 */
import { randomUUID } from 'node:crypto';
import * as l10n from '@vscode/l10n';
import type { ConfidentialClientApplication } from '@azure/msal-node';
import type { Logger } from '../common/logger';
import type { CloudEndpoints } from '../graph/clouds';
import { appOnlyScopes, authorityUrl, isTenantNeutral, settingName, type AuthSurface } from './authConfig';
import { AuthFailure, describeAuthError, type AuthErrorContext } from './authErrors';
import { raceCancellation, throwIfAborted } from './cancellation';
import { readClientCertificate } from './certificate';
import { readFederatedToken } from './federatedToken';
import type { AccessTokenResult, TokenRequestOptions } from './delegatedAuth';
import { loadMsal, msalConfiguration } from './msalRuntime';
import type { AuthNetworkClient } from './networkClient';
export type AppCredential =
  | { readonly kind: 'secret'; readonly secret: string }
  | { readonly kind: 'certificate'; readonly certificatePath: string }
  /** The file is read again for every token request: the issuer (or Kubernetes) rotates it, and tokens expire. */
  | { readonly kind: 'federated'; readonly tokenFile: string };

export interface AppOnlyAuthOptions {
  readonly clientId: string;
  /** A tenant id or verified domain: app-only tokens are always for one tenant. */
  readonly tenantId: string;
  readonly endpoints: CloudEndpoints;
  readonly credential: AppCredential;
  readonly log: Logger;
  readonly network: AuthNetworkClient;
  /** Who reads the errors: VS Code (the default) or the terminal command. */
  readonly surface?: AuthSurface;
}

export class AppOnlyAuth {
  private app: Promise<ConfidentialClientApplication> | undefined;

  constructor(private readonly options: AppOnlyAuthOptions) {
    if (isTenantNeutral(options.tenantId)) {
      throw new AuthFailure(
        l10n.t("App-only sign-in needs a tenant id or domain, not '{0}': set {1}.", options.tenantId, settingName(options.surface ?? 'editor', 'tenant')),
        'tenantNotFound',
      );
    }
  }

  get clientId(): string {
    return this.options.clientId;
  }

  get tenantId(): string {
    return this.options.tenantId;
  }

  /** A token for Graph; MSAL's in-memory cache serves it until it nears expiry unless `forceRefresh` is set. */
  async getToken(options: TokenRequestOptions = {}): Promise<AccessTokenResult & { tenantId: string }> {
    throwIfAborted(options.signal);
    const credential = this.options.credential;
    const context: AuthErrorContext = {
      clientId: this.options.clientId,
      tenantId: this.options.tenantId,
      endpoints: this.options.endpoints,
      kind: 'app',
      surface: this.options.surface ?? 'editor',
      ...(credential.kind === 'federated' ? { federatedTokenFile: credential.tokenFile } : {}),
    };
    const correlationId = randomUUID();
    try {
      const app = await this.client();
      const result = await raceCancellation(
        app.acquireTokenByClientCredential({ scopes: appOnlyScopes(this.options.endpoints), skipCache: options.forceRefresh ?? false, correlationId }),
        { signal: options.signal },
      );
      if (!result) throw new Error('MSAL returned no result for the client credentials flow.');
      return { accessToken: result.accessToken, tenantId: result.tenantId || this.options.tenantId, ...(result.expiresOn ? { expiresOn: result.expiresOn } : {}) };
    } catch (error) {
      const network = this.options.network;
      const server = network.serverError(correlationId, authorityUrl(this.options.endpoints, this.options.tenantId));
      throw describeAuthError(error, context, this.options.log, server, network.lastTransportFailure);
    }
  }

  private client(): Promise<ConfidentialClientApplication> {
    this.app ??= (async () => {
      const msal = await loadMsal();
      const configuration = msalConfiguration({ ...this.options });
      const credential = this.options.credential;
      if (credential.kind === 'secret') {
        configuration.auth.clientSecret = credential.secret;
      } else if (credential.kind === 'federated') {
        // MSAL calls this whenever it asks Entra ID for a token (never for a cached one), so each request presents
        // the file's current token.
        configuration.auth.clientAssertion = () => readFederatedToken(credential.tokenFile);
      } else {
        const certificate = await readClientCertificate(credential.certificatePath);
        configuration.auth.clientCertificate = certificate;
      }
      return new msal.ConfidentialClientApplication(configuration);
    })();
    // A certificate that cannot be read now might be fixed by the next attempt.
    this.app.catch(() => (this.app = undefined));
    return this.app;
  }
}
