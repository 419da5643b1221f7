/** Turns what stopped a command into one sentence that names what to fix. */
import * as l10n from '@vscode/l10n';
import { MissingCredentialsError, type CredentialChoice } from '../auth/environmentCredentials';
import { ProxyConfigurationError } from '../common/environmentProxy';
import { ProxyAuthenticationError } from '../common/httpTransport';
import { UnsafeEndpointError } from '../graph/endpoint';
import { ForeignNextLinkError, GraphError, GraphNetworkError, GraphRedirectError } from '../graph/errors';
import { RunFailedError } from '../import/engine';
import { RunBusyError } from '../import/journal';
import { RunTenantError } from '../import/tenant';

export interface FailureContext {
  readonly graphRoot: string;
  /** True when the token came from AUTOPILOT_ACCESS_TOKEN (so refreshing it is the user's job). */
  readonly staticToken: boolean;
  /** The credential in use, to name in a 401's sentence. */
  readonly credential?: CredentialChoice;
}

function credentialToCheck(choice: CredentialChoice | undefined): string {
  switch (choice?.kind) {
    case 'federated':
      return l10n.t('check the app {0} and its federated credential, and the tenant', choice.clientId ?? '?');
    case 'managed-identity':
      return l10n.t('check the managed identity and its Graph permissions');
    default:
      return l10n.t('check AUTOPILOT_CLIENT_ID, its secret or certificate, and the tenant');
  }
}

export function describeFailure(error: unknown, context: FailureContext): string {
  const cause = error instanceof RunFailedError ? error.cause : error;
  if (cause instanceof GraphError) {
    const reference = l10n.t('request-id {0}, {1}', cause.requestId ?? '-', cause.date ?? '-');
    if (cause.status === 401) {
      return context.staticToken
        ? l10n.t('Graph rejected the access token (401 {0}: {1}): set AUTOPILOT_ACCESS_TOKEN to a valid token for {2}, e.g. from "az account get-access-token --resource {2}" ({3}).', cause.code, cause.graphMessage, context.graphRoot, reference)
        : l10n.t('Graph rejected the token from the app-only sign-in (401 {0}: {1}): {2} ({3}).', cause.code, cause.graphMessage, credentialToCheck(context.credential), reference);
    }
    if (cause.status === 403) {
      return l10n.t('Graph refused access (403 {0}): the account or app lacks the Microsoft Graph permission DeviceManagementServiceConfig.ReadWrite.All; grant it (with admin consent) and try again ({1}).', cause.code, reference);
    }
    if (cause.status === 429) {
      return l10n.t('Intune kept throttling the requests (429) after every retry; the run is saved: try "autopilot-devices resume" in a few minutes ({0}).', reference);
    }
    return l10n.t('Graph answered {0} {1} to {2} {3}: {4} ({5}).', cause.status, cause.code, cause.method, cause.path, cause.graphMessage, reference);
  }
  if (cause instanceof GraphNetworkError || cause instanceof ForeignNextLinkError || cause instanceof GraphRedirectError || cause instanceof UnsafeEndpointError || cause instanceof MissingCredentialsError || cause instanceof ProxyAuthenticationError || cause instanceof ProxyConfigurationError) {
    return cause.message;
  }
  if (cause instanceof RunBusyError) {
    return cause.host
      ? l10n.t('Run {0} is being worked on by another autopilot-devices process (pid {1} on {2}); wait for it to finish.', cause.runId, cause.pid, cause.host)
      : l10n.t('Run {0} is being worked on by another autopilot-devices process (pid {1}); wait for it to finish.', cause.runId, cause.pid);
  }
  if (cause instanceof RunTenantError) return describeTenantRefusal(cause);
  return cause instanceof Error ? cause.message : String(cause);
}

function describeTenantRefusal(refusal: RunTenantError): string {
  const { runId, runTenant, tenant } = refusal;
  if (!runTenant) {
    return l10n.t('Run {0} does not record its tenant (an earlier version journaled it), so it is not worked on with credentials for tenant {1}; nothing was sent.', runId, tenant?.label ?? '?');
  }
  if (!tenant) return l10n.t('Run {0} belongs to tenant {1}, but the credentials do not say which tenant they are for; nothing was sent.', runId, runTenant.label);
  return l10n.t('Run {0} belongs to tenant {1}, but the credentials are for tenant {2}; nothing was sent: use credentials for tenant {1} to work on it.', runId, runTenant.label, tenant.label);
}
