/**
 * Credentials for the terminal command, from the environment (SPEC section 6), in this order:
 * `AUTOPILOT_ACCESS_TOKEN` (a bearer token acquired elsewhere); else app-only with `AUTOPILOT_CLIENT_ID` plus
 * `AUTOPILOT_CLIENT_SECRET` or `AUTOPILOT_CLIENT_CERTIFICATE` (a PEM file with key and certificate) and a tenant
 * (`--tenant` or `AUTOPILOT_TENANT_ID`), through MSAL's confidential client and the cloud's authority.
 *
 * A private authority's CA comes through Node's own `NODE_EXTRA_CA_CERTS`.
 */
import * as l10n from '@vscode/l10n';
import { silentLogger, type Logger } from '../common/logger';
import type { GetAccessToken } from '../graph/accessToken';
import type { CloudEndpoints } from '../graph/clouds';
import { UnsafeEndpointError } from '../graph/endpoint';
import { checkAuthorityHost } from './authConfig';
import { AppOnlyAuth, type AppCredential } from './appOnlyAuth';
import { AuthNetworkClient } from './networkClient';
import { tenantOfAccessToken } from './tokenClaims';

export interface EnvironmentCredentialOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly endpoints: CloudEndpoints;
  /** `--tenant`; falls back to `AUTOPILOT_TENANT_ID`. */
  readonly tenant?: string;
  readonly log?: Logger;
}

export class MissingCredentialsError extends Error {
  constructor(message?: string) {
    super(
      message ??
        l10n.t(
          'No credentials: set AUTOPILOT_ACCESS_TOKEN, or AUTOPILOT_CLIENT_ID with AUTOPILOT_CLIENT_SECRET (or AUTOPILOT_CLIENT_CERTIFICATE) and --tenant.',
        ),
    );
    this.name = 'MissingCredentialsError';
  }
}

function appCredential(env: NodeJS.ProcessEnv): AppCredential {
  const secret = env.AUTOPILOT_CLIENT_SECRET;
  const certificatePath = env.AUTOPILOT_CLIENT_CERTIFICATE?.trim();
  if (secret && certificatePath) {
    throw new MissingCredentialsError(l10n.t('Set either AUTOPILOT_CLIENT_SECRET or AUTOPILOT_CLIENT_CERTIFICATE, not both.'));
  }
  if (secret) return { kind: 'secret', secret };
  if (certificatePath) return { kind: 'certificate', certificatePath };
  throw new MissingCredentialsError(
    l10n.t('AUTOPILOT_CLIENT_ID is set but no credential: set AUTOPILOT_CLIENT_SECRET, or AUTOPILOT_CLIENT_CERTIFICATE to a PEM file with the private key and certificate.'),
  );
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

export interface EnvironmentCredentials {
  readonly getAccessToken: GetAccessToken;
  /**
   * The tenant the credentials are for: the `tid` claim of AUTOPILOT_ACCESS_TOKEN, or, app-only, of the token the
   * sign-in returns (so this signs in). Named by the `--tenant` domain when one was given.
   */
  readonly tenant: () => Promise<{ readonly id: string; readonly label: string }>;
}

export function tokenSourceFromEnvironment(options: EnvironmentCredentialOptions): GetAccessToken {
  return credentialsFromEnvironment(options).getAccessToken;
}

export function credentialsFromEnvironment(options: EnvironmentCredentialOptions): EnvironmentCredentials {
  const { env } = options;
  const token = env.AUTOPILOT_ACCESS_TOKEN?.trim();
  if (token) {
    return {
      // A token acquired elsewhere cannot be refreshed here; a 401 surfaces as an error naming the variable.
      getAccessToken: async () => token,
      tenant: async () => {
        const id = tenantOfAccessToken(token);
        if (!id) throw new UnknownTenantError();
        return { id, label: id };
      },
    };
  }
  const clientId = env.AUTOPILOT_CLIENT_ID?.trim();
  if (!clientId) throw new MissingCredentialsError();
  const credential = appCredential(env);
  const tenantId = options.tenant?.trim() || env.AUTOPILOT_TENANT_ID?.trim();
  if (!tenantId) {
    throw new MissingCredentialsError(l10n.t('App-only sign-in needs a tenant: pass --tenant or set AUTOPILOT_TENANT_ID.'));
  }
  try {
    // Checked here too, not only when MSAL starts: then the terminal says why, instead of a generic sign-in failure.
    checkAuthorityHost(options.endpoints.authorityHost);
  } catch (error) {
    throw new UnsafeEndpointError(error instanceof Error ? error.message : String(error));
  }
  const log = options.log ?? silentLogger;
  const app = new AppOnlyAuth({ clientId, tenantId, endpoints: options.endpoints, credential, log, network: new AuthNetworkClient({ log }) });
  return {
    getAccessToken: async (request) => (await app.getToken(request)).accessToken,
    tenant: async () => {
      const result = await app.getToken();
      const id = tenantOfAccessToken(result.accessToken) ?? result.tenantId;
      // A domain given with --tenant names the tenant better for people than its id.
      return { id, label: /^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(tenantId) ? id : tenantId };
    },
  };
}
