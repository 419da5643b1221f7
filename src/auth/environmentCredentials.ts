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

export function tokenSourceFromEnvironment(options: EnvironmentCredentialOptions): GetAccessToken {
  const { env } = options;
  const token = env.AUTOPILOT_ACCESS_TOKEN?.trim();
  if (token) {
    // A token acquired elsewhere cannot be refreshed here; a 401 surfaces as an error naming the variable.
    return async () => token;
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
    checkAuthorityHost(options.endpoints.authorityHost, 'terminal');
  } catch (error) {
    throw new UnsafeEndpointError(error instanceof Error ? error.message : String(error));
  }
  const log = options.log ?? silentLogger;
  const app = new AppOnlyAuth({ clientId, tenantId, endpoints: options.endpoints, credential, log, network: new AuthNetworkClient({ log }), surface: 'terminal' });
  return async (request) => (await app.getToken(request)).accessToken;
}
