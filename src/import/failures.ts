/**
 * The one vocabulary for what stopped a piece of work: every engine, Graph and sign-in error becomes one sentence that
 * says what happened and what to do. The extension and the terminal command both ask here; they differ only in the
 * words for what the user changes (settings and commands in VS Code, flags, variables and `resume` in a terminal).
 * Errors are told apart by their type and their codes, never by their message text.
 */
import * as l10n from '@vscode/l10n';
import type { AuthSurface } from '../auth/authConfig';
import { AuthFailure, graphForbiddenMessage } from '../auth/authErrors';
import { MissingCredentialsError, type CredentialChoice } from '../auth/environmentCredentials';
import { counted } from '../common/counts';
import { ProxyConfigurationError } from '../common/environmentProxy';
import { ProxyAuthenticationError } from '../common/httpTransport';
import { UnsafeEndpointError } from '../graph/endpoint';
import { ForeignNextLinkError, GraphError, GraphNetworkError, GraphRedirectError, RepeatedNextLinkError } from '../graph/errors';
import { RunBusyError, RunFailedError, RunTenantError, UncertainSendError, UnconfirmedIdentifiersError } from './errors';

export interface FailureContext {
  /** Who reads the sentence: the editor's words or the terminal's. */
  readonly surface: AuthSurface;
  /** Who signed in: a person needs an Intune role, an app an application permission. */
  readonly accountKind?: 'user' | 'app';
  /** The Graph root in use, named in a 401's advice. */
  readonly graphRoot?: string;
  /** True when the token came from AUTOPILOT_ACCESS_TOKEN (so refreshing it is the user's job). */
  readonly staticToken?: boolean;
  /** The credential in use, to name in a 401's sentence. */
  readonly credential?: CredentialChoice;
  /** How the user knows the run (its file), where a sentence names it; its id otherwise. */
  readonly runName?: string;
  /** What was being done: imports of hardware hashes (the default) or corporate identifiers need different roles. */
  readonly work?: 'devices' | 'identifiers';
}

/** The error a failed run wraps, or the error itself. */
export function causeOf(error: unknown): unknown {
  return error instanceof RunFailedError ? error.cause : error;
}

/** Errors whose own message is already the sentence for both surfaces. */
const SELF_EXPLAINING = [ForeignNextLinkError, RepeatedNextLinkError, GraphRedirectError, UnsafeEndpointError, MissingCredentialsError, ProxyAuthenticationError, ProxyConfigurationError, AuthFailure];

export function describeFailure(error: unknown, context: FailureContext): string {
  const cause = causeOf(error);
  if (cause instanceof GraphError) return describeGraphError(cause, context);
  if (cause instanceof GraphNetworkError) return describeNetworkError(cause, context);
  if (cause instanceof UncertainSendError) return describeUncertainSend(cause, context);
  if (cause instanceof UnconfirmedIdentifiersError) {
    return l10n.t('Graph kept failing to answer, so sending stopped rather than risk importing an identifier twice. Import the file again later: it checks Graph first and sends only what is missing.');
  }
  if (cause instanceof RunBusyError) return describeBusyRun(cause, context);
  if (cause instanceof RunTenantError) return describeTenantRefusal(cause, context);
  if (SELF_EXPLAINING.some((type) => cause instanceof type)) return (cause as Error).message;
  return cause instanceof Error ? cause.message : String(cause);
}

function describeGraphError(error: GraphError, context: FailureContext): string {
  const terminal = context.surface === 'terminal';
  const reference = l10n.t('request-id {0}, {1}', error.requestId ?? '-', error.date ?? '-');
  switch (error.status) {
    case 401:
      if (!terminal) return error.message;
      return context.staticToken
        ? l10n.t('Graph rejected the access token (401 {0}: {1}): set AUTOPILOT_ACCESS_TOKEN to a valid token for {2}, e.g. from "az account get-access-token --resource {2}" ({3}).', error.code, error.graphMessage, context.graphRoot ?? '', reference)
        : l10n.t('Graph rejected the token from the app-only sign-in (401 {0}: {1}): {2} ({3}).', error.code, error.graphMessage, credentialToCheck(context.credential), reference);
    case 403: {
      const lifecycle = lifecycleForbidden(error, context);
      if (lifecycle) return lifecycle;
      if (context.work === 'identifiers' && !terminal) return identifiersForbidden(context.accountKind ?? 'user');
      return terminal
        ? l10n.t('Graph refused access (403 {0}): the account or app lacks the Microsoft Graph permission DeviceManagementServiceConfig.ReadWrite.All; grant it (with admin consent) and try again ({1}).', error.code, reference)
        : graphForbiddenMessage(context.accountKind ?? 'user');
    }
    case 429:
      return terminal
        ? l10n.t('Intune kept throttling the requests (429) after every retry; the run is saved: try "autopilot-devices resume" in a few minutes ({0}).', reference)
        : l10n.t('Intune kept throttling the requests (429) after every retry; the run is saved: Continue Import in a few minutes ({0}).', reference);
    default:
      return terminal ? l10n.t('Graph answered {0} {1} to {2} {3}: {4} ({5}).', error.status, error.code, error.method, error.path, error.graphMessage, reference) : error.message;
  }
}

/**
 * A 403 from a step after the import names the permission that step needs, told apart by the resource Graph refused
 * (the error's path, never its message): Entra groups and devices, or Intune managed devices (retire).
 */
function lifecycleForbidden(error: GraphError, context: FailureContext): string | undefined {
  const reference = l10n.t('request-id {0}', error.requestId ?? '-');
  const path = error.path.replace(/^\/+/, '').replace(/^(v1\.0|beta)\//, '');
  if (/^(groups|devices|\$batch)\b/.test(path)) {
    return context.surface === 'terminal'
      ? l10n.t('Graph refused access (403 {0}): adding devices to a group needs the Microsoft Graph permissions GroupMember.ReadWrite.All and Device.Read.All (Device.ReadWrite.All for an app); grant them, with admin consent, and try again ({1}).', error.code, reference)
      : l10n.t('Microsoft Graph refused the group change (403 {0}): your account needs consent for GroupMember.ReadWrite.All and Device.Read.All (an administrator may have to grant it), and the right to manage the group’s members, for example as its owner or a Groups Administrator ({1}).', error.code, reference);
  }
  if (/^deviceManagement\/managedDevices\b/.test(path)) {
    return context.surface === 'terminal'
      ? l10n.t('Graph refused access (403 {0}): removing the Intune managed device needs the Microsoft Graph permission DeviceManagementManagedDevices.ReadWrite.All; grant it, with admin consent, and try again ({1}).', error.code, reference)
      : l10n.t('Microsoft Graph refused to remove the Intune managed device (403 {0}): this needs DeviceManagementManagedDevices.ReadWrite.All and an Intune role that may delete devices ({1}).', error.code, reference);
  }
  return undefined;
}

function identifiersForbidden(kind: 'user' | 'app'): string {
  return kind === 'app'
    ? l10n.t('Microsoft Graph refused the request (403): corporate identifiers need the application permission DeviceManagementServiceConfig.ReadWrite.All with admin consent.')
    : l10n.t(
        'Microsoft Graph refused the request (403): corporate identifiers need the Intune role Policy and Profile Manager or Intune Administrator (or a custom role with the corporate device identifier permissions) and consent for DeviceManagementServiceConfig.ReadWrite.All.',
      );
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

function describeNetworkError(error: GraphNetworkError, context: FailureContext): string {
  // The Graph client's own words name the terminal command's flags; in VS Code the Graph root is a setting.
  if (error.kind === 'unreachable' && context.surface === 'editor') {
    return l10n.t('Cannot reach Microsoft Graph at {0} ({1}): check the network and any proxy, and autopilot.cloud or autopilot.graphRoot.', error.origin, error.causeCode ?? 'no connection');
  }
  return error.message;
}

function describeUncertainSend(error: UncertainSendError, context: FailureContext): string {
  return context.surface === 'terminal'
    ? l10n.t('Graph kept failing to answer for {0}, so sending stopped rather than risk sending them twice; "autopilot-devices resume" checks Graph first and sends only what is missing.', counted.devices(error.devices))
    : l10n.t('Graph kept failing to answer for {0}, so sending stopped rather than risk sending them twice. Continue Import checks Graph first and sends only what is missing.', counted.devices(error.devices));
}

function describeBusyRun(error: RunBusyError, context: FailureContext): string {
  if (context.surface === 'editor') return l10n.t('Another VS Code window or an autopilot-devices process (pid {0}) is working on this import; wait for it to finish.', error.pid);
  return error.host
    ? l10n.t('Run {0} is being worked on by another autopilot-devices process (pid {1} on {2}); wait for it to finish.', error.runId, error.pid, error.host)
    : l10n.t('Run {0} is being worked on by another autopilot-devices process (pid {1}); wait for it to finish.', error.runId, error.pid);
}

function describeTenantRefusal(refusal: RunTenantError, context: FailureContext): string {
  const { runTenant, tenant } = refusal;
  if (context.surface === 'editor') {
    const run = context.runName ?? refusal.runId;
    return runTenant
      ? l10n.t('{0} was imported into tenant {1}, but the active account is in tenant {2}: switch account (status bar) to work on it.', run, runTenant.label, tenant?.label ?? '?')
      : l10n.t('{0} does not record its tenant, so it cannot be worked on safely; import the file again.', run);
  }
  const runId = context.runName ?? refusal.runId;
  if (!runTenant) {
    return l10n.t('Run {0} does not record its tenant (an earlier version journaled it), so it is not worked on with credentials for tenant {1}; nothing was sent.', runId, tenant?.label ?? '?');
  }
  if (!tenant) return l10n.t('Run {0} belongs to tenant {1}, but the credentials do not say which tenant they are for; nothing was sent.', runId, runTenant.label);
  return l10n.t('Run {0} belongs to tenant {1}, but the credentials are for tenant {2}; nothing was sent: use credentials for tenant {1} to work on it.', runId, runTenant.label, tenant.label);
}
