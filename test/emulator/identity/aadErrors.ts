/** Error responses shaped like Entra ID's: an OAuth `error`, an `AADSTSnnnn:` description and `error_codes`. */
import { randomUUID } from 'node:crypto';

export interface OAuthErrorResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export function aadError(status: number, error: string, code: number, description: string, correlationId = ''): OAuthErrorResponse {
  const traceId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return {
    status,
    body: {
      error,
      error_description: `AADSTS${code}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
      error_codes: [code],
      timestamp,
      trace_id: traceId,
      correlation_id: correlationId,
      error_uri: `https://login.microsoftonline.com/error?code=${code}`,
    },
  };
}

export const errors = {
  unknownApp: (clientId: string, tenant: string, correlationId?: string) =>
    aadError(400, 'unauthorized_client', 700016,
      `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
      correlationId),
  invalidSecret: (clientId: string, correlationId?: string) =>
    aadError(401, 'invalid_client', 7000215,
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
      correlationId),
  badAssertion: (correlationId?: string) =>
    aadError(401, 'invalid_client', 700027, 'Client assertion failed signature validation.', correlationId),
  federatedIssuer: (issuer: string, correlationId?: string) =>
    aadError(400, 'invalid_request', 700211,
      `No matching federated identity record found for presented assertion issuer '${issuer}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
      correlationId),
  federatedAudience: (audience: string, correlationId?: string) =>
    aadError(400, 'invalid_request', 700212,
      `No matching federated identity record found for presented assertion audience '${audience}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
      correlationId),
  federatedSubject: (subject: string, correlationId?: string) =>
    aadError(400, 'invalid_request', 700213,
      `No matching federated identity record found for presented assertion subject '${subject}'. Check your federated identity credential Subject, Audience and Issuer against the presented assertion. https://learn.microsoft.com/entra/workload-id/workload-identity-federation`,
      correlationId),
  assertionTimeRange: (now: Date, validFrom: Date, expiry: Date, correlationId?: string) =>
    aadError(400, 'invalid_client', 700024,
      `Client assertion is not within its valid time range. Current time: ${now.toISOString()}, assertion valid from ${validFrom.toISOString()}, expiry time of assertion ${expiry.toISOString()}. Review the documentation at https://learn.microsoft.com/entra/identity-platform/certificate-credentials .`,
      correlationId),
  publicFlowsOff: (correlationId?: string) =>
    aadError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.", correlationId),
  consentMissing: (clientId: string, appName: string, correlationId?: string) =>
    aadError(400, 'invalid_grant', 65001,
      `The user or administrator has not consented to use the application with ID '${clientId}' named '${appName}'. Send an interactive authorization request for this user and resource.`,
      correlationId),
  redirectMismatch: (redirectUri: string, clientId: string) =>
    aadError(400, 'invalid_request', 50011,
      `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`),
  tenantNotFound: (tenant: string, correlationId?: string) =>
    aadError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`, correlationId),
  pending: (correlationId?: string) =>
    aadError(400, 'authorization_pending', 70016, 'OAuth 2.0 device flow error. Authorization is pending. Continue polling.', correlationId),
  slowDown: (correlationId?: string) =>
    aadError(400, 'slow_down', 70016, 'OAuth 2.0 device flow error. Polling too fast: wait longer between requests.', correlationId),
  deviceCodeExpired: (correlationId?: string) =>
    aadError(400, 'expired_token', 70020, "The provided value for the input parameter 'device_code' is not valid. This device code has expired.", correlationId),
  declined: (correlationId?: string) =>
    aadError(400, 'authorization_declined', 70000, 'The user declined the sign-in request.', correlationId),
  badGrant: (what: string, correlationId?: string) =>
    aadError(400, 'invalid_grant', 70000, `The provided value for '${what}' is not valid.`, correlationId),
  pkceFailed: (correlationId?: string) =>
    aadError(400, 'invalid_grant', 501481, 'The Code_Verifier does not match the code_challenge supplied in the authorization request.', correlationId),
  expiredRefreshToken: (correlationId?: string) =>
    aadError(400, 'invalid_grant', 700082, 'The refresh token has expired or been revoked due to inactivity.', correlationId),
  badScope: (scope: string, correlationId?: string) =>
    aadError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`, correlationId),
  unsupportedGrant: (grant: string, correlationId?: string) =>
    aadError(400, 'unsupported_grant_type', 70003, `The app requested an unsupported grant type '${grant}'.`, correlationId),
  userNotInTenant: (username: string, tenant: string, correlationId?: string) =>
    aadError(400, 'invalid_grant', 50020, `User account '${username}' from identity provider does not exist in tenant '${tenant}'.`, correlationId),
  unavailable: (correlationId?: string) =>
    aadError(503, 'temporarily_unavailable', 90033, 'A transient error has occurred. Please try again.', correlationId),
};
