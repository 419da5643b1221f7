/**
 * Turns what MSAL and Entra ID report into one sentence that says what to do. The original error stays attached as
 * `cause` and its details go to the log (codes, correlation id, Entra's description: never a token or a secret).
 */
import * as l10n from '@vscode/l10n';
import { UserCancelledError, isUserCancelled } from '../common/errors';
import type { Logger } from '../common/logger';
import { tlsProblem } from '../common/tls';
import type { CloudEndpoints } from '../graph/clouds';
import { DEFAULT_CLIENT_ID, INTUNE_PERMISSION, settingName, type AuthSurface } from './authConfig';
import type { ServerErrorDetail, TransportFailure } from './networkClient';

export type AuthFailureReason =
  | 'consentMissing'
  | 'redirectUriMismatch'
  | 'unknownApp'
  | 'badClientSecret'
  | 'publicClientFlowsOff'
  | 'certificateRejected'
  | 'tenantNotFound'
  | 'userNotInTenant'
  | 'unknownResource'
  | 'browserCancelled'
  | 'browserTimedOut'
  | 'deviceCodeExpired'
  | 'deviceCodeDeclined'
  | 'sessionExpired'
  | 'notSignedIn'
  | 'unreachable'
  | 'untrustedCertificate'
  | 'invalidCertificate'
  | 'unavailable'
  | 'certificateUnreadable'
  | 'forbidden'
  | 'federatedTokenUnreadable'
  | 'federationMismatch'
  | 'federatedTokenExpired'
  | 'managedIdentityUnavailable'
  | 'managedIdentityRefused'
  | 'proxyAuthentication'
  | 'other';

/** An authentication failure with the sentence a user sees as its message. */
export class AuthFailure extends Error {
  constructor(
    message: string,
    readonly reason: AuthFailureReason,
    readonly aadsts?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AuthFailure';
  }
}

export interface AuthErrorContext {
  readonly clientId: string;
  readonly tenantId: string;
  readonly endpoints: CloudEndpoints;
  /** `user` for delegated sign-in, `app` for app-only. */
  readonly kind: 'user' | 'app';
  readonly deviceCodeMinutes?: number;
  /** Who reads the sentence: someone in VS Code (the default), or in a terminal (flags, environment variables). */
  readonly surface?: AuthSurface;
  /** Set for workload identity federation: the file the federated token comes from. */
  readonly federatedTokenFile?: string;
}

/** What Entra ID said, for sentences that quote it (the issuer or subject no federated credential matched). */
interface ServerSaid {
  readonly aadsts?: number;
  readonly description?: string;
}

/** The value Entra quotes in "…presented assertion subject 'repo:org/repo:ref:refs/heads/main'…". */
function quotedAssertionValue(description: string | undefined, claim: 'issuer' | 'subject' | 'audience'): string {
  return new RegExp(`assertion ${claim} '([^']*)'`, 'i').exec(description ?? '')?.[1] ?? '?';
}

/** What an MSAL error carries (msal-common `AuthError`/`ServerError`), read structurally so MSAL need not be loaded. */
interface MsalErrorShape {
  errorCode?: unknown;
  errorMessage?: unknown;
  subError?: unknown;
  errorNo?: unknown;
  correlationId?: unknown;
  status?: unknown;
}

function aadstsOf(error: MsalErrorShape, server: ServerErrorDetail | undefined): number | undefined {
  if (server?.codes[0] !== undefined) return server.codes[0];
  const errorNo = Number(error.errorNo);
  if (Number.isInteger(errorNo) && errorNo > 0) return errorNo;
  const match = /AADSTS(\d+)/.exec(`${String(error.errorMessage ?? '')} ${server?.description ?? ''}`);
  return match ? Number(match[1]) : undefined;
}

function sentence(reason: AuthFailureReason, context: AuthErrorContext, said: ServerSaid = {}, transport?: TransportFailure): string {
  const { clientId, tenantId, endpoints } = context;
  const surface = context.surface ?? 'editor';
  const terminal = surface === 'terminal';
  const name = (setting: Parameters<typeof settingName>[1]) => settingName(surface, setting);
  switch (reason) {
    case 'federationMismatch':
      switch (said.aadsts) {
        case 700211:
          return l10n.t(
            "App {0} has no federated credential for the token's issuer '{1}' (AADSTS700211): add one under Certificates & secrets › Federated credentials with that issuer, the pipeline's subject and the audience api://AzureADTokenExchange.",
            clientId, quotedAssertionValue(said.description, 'issuer'));
        case 700212:
          return l10n.t(
            "App {0} has no federated credential for the token's audience '{1}' (AADSTS700212): request the pipeline's token for the audience api://AzureADTokenExchange.",
            clientId, quotedAssertionValue(said.description, 'audience'));
        case 700213:
          return l10n.t(
            "App {0} has no federated credential for the token's subject '{1}' (AADSTS700213): the credential's subject must match it exactly, case included (for GitHub, e.g. repo:ORG/REPO:environment:NAME).",
            clientId, quotedAssertionValue(said.description, 'subject'));
        default:
          return l10n.t(
            "App {0} has no federated credential matching the token's issuer, subject and audience (AADSTS{1}): compare the app's federated credentials with the token in {2}.",
            clientId, said.aadsts ?? 70021, context.federatedTokenFile ?? '?');
      }
    case 'federatedTokenExpired':
      return l10n.t(
        'The federated token in {0} has expired or is not valid yet (AADSTS700024): have the pipeline write a fresh token right before this step (they last minutes), or check the clock.',
        context.federatedTokenFile ?? '?');
    case 'consentMissing':
      return terminal
        ? l10n.t('The app {0} has no consent for {1} in this tenant (AADSTS65001): ask an administrator to grant admin consent for it, then run the command again.', clientId, INTUNE_PERMISSION)
        : l10n.t('The app {0} has no consent for {1} in this tenant (AADSTS65001): ask an administrator to grant admin consent for it, then sign in again.', clientId, INTUNE_PERMISSION);
    case 'redirectUriMismatch':
      return l10n.t(
        'The app {0} does not list http://localhost as a redirect URI (AADSTS50011): add it under Authentication › Mobile and desktop applications, or sign in with a device code.',
        clientId);
    case 'unknownApp':
      // Microsoft's public client apps are not present in the China cloud: the default app can never sign in there.
      if (endpoints.cloud === 'china' && clientId.toLowerCase() === DEFAULT_CLIENT_ID) {
        return l10n.t(
          "Microsoft's public app {0} does not exist in the China cloud (21Vianet) (AADSTS700016): register an app in your 21Vianet tenant and set {1} to its Application (client) ID.",
          clientId, name('clientId'));
      }
      return l10n.t(
        'The app {0} is not registered in tenant {1} (AADSTS700016): check {2} and {3}, or have an administrator add the app to the tenant.',
        clientId, tenantId, name('clientId'), name('tenant'));
    case 'badClientSecret':
      return terminal
        ? l10n.t("Entra ID rejected the client secret of app {0} (AADSTS7000215): set AUTOPILOT_CLIENT_SECRET to the secret's Value (not its Secret ID), or to a new secret if it expired.", clientId)
        : l10n.t("Entra ID rejected the client secret of app {0} (AADSTS7000215): paste the secret's Value (not its Secret ID), or create a new secret if it expired, and sign in again.", clientId);
    case 'publicClientFlowsOff':
      return l10n.t(
        "The app {0} does not allow public client flows (AADSTS7000218): turn on 'Allow public client flows' in its Authentication settings, or choose another way to sign in.",
        clientId);
    case 'certificateRejected':
      return terminal
        ? l10n.t("Entra ID rejected the certificate of app {0} (AADSTS700027): upload this certificate's public part under the app's Certificates & secrets, or point AUTOPILOT_CLIENT_CERTIFICATE at the PEM file that matches it.", clientId)
        : l10n.t("Entra ID rejected the certificate of app {0} (AADSTS700027): upload this certificate's public part under the app's Certificates & secrets, or choose the PEM file that matches it.", clientId);
    case 'tenantNotFound':
      return l10n.t('Tenant {0} does not exist in the cloud at {1} (AADSTS90002): check {2} and {3}.', tenantId, endpoints.authorityHost, name('tenant'), name('cloud'));
    case 'userNotInTenant':
      return l10n.t(
        'The account you chose is not a member or guest of tenant {0} (AADSTS50020): sign in with an account of that tenant or ask for guest access.',
        tenantId);
    case 'unknownResource':
      return l10n.t('The tenant does not know the resource {0} (AADSTS500011): check that {1} belongs to the selected cloud.', endpoints.graphRoot, name('graphRoot'));
    case 'browserCancelled':
      return l10n.t('Sign-in was cancelled in the browser, so you are still signed out: run Autopilot: Sign In again when you are ready.');
    case 'browserTimedOut':
      return l10n.t(
        'Sign-in did not finish in the browser in time: run Autopilot: Sign In again, and choose the device code if this machine cannot receive the browser redirect.');
    case 'deviceCodeExpired':
      return l10n.t(
        'The device code expired before sign-in finished: run Autopilot: Sign In again and enter the new code within {0} minutes.',
        context.deviceCodeMinutes ?? 15);
    case 'deviceCodeDeclined':
      return l10n.t('Sign-in was declined on the device login page: run Autopilot: Sign In again to retry.');
    case 'sessionExpired':
      if (context.kind === 'user') return l10n.t('Your sign-in has expired or was revoked: run Autopilot: Sign In again.');
      return terminal
        ? l10n.t('The credentials of app {0} no longer work: set a current secret (AUTOPILOT_CLIENT_SECRET) or certificate (AUTOPILOT_CLIENT_CERTIFICATE).', clientId)
        : l10n.t('The credentials of app {0} no longer work: sign in again with a current secret or certificate.', clientId);
    case 'notSignedIn':
      return l10n.t('You are not signed in: run Autopilot: Sign In first.');
    case 'unreachable':
      return l10n.t('Could not reach the sign-in service at {0} ({1}): check the network connection, the proxy, and {2}.', endpoints.authorityHost, transport?.code ?? l10n.t('no connection'), name('authority'));
    case 'untrustedCertificate':
      return terminal
        ? l10n.t(
          'The sign-in service at {0} presented an untrusted certificate ({1}): if it comes from a private CA (a sandbox, a private cloud) or a TLS-inspecting proxy, set NODE_EXTRA_CA_CERTS to the PEM file of that CA; otherwise check {2}.',
          endpoints.authorityHost, transport?.code ?? '', name('authority'))
        : l10n.t(
          "The sign-in service at {0} presented an untrusted certificate ({1}): if it comes from a private CA or a TLS-inspecting proxy, add that CA to the system's trusted certificates, or start VS Code with NODE_EXTRA_CA_CERTS set to its PEM file; otherwise check {2}.",
          endpoints.authorityHost, transport?.code ?? '', name('authority'));
    case 'invalidCertificate':
      return tlsProblem(transport?.code) === 'wrong-host'
        ? l10n.t('The certificate of the sign-in service at {0} was issued for another host name ({1}): check that {2} names the host itself.', endpoints.authorityHost, transport?.code ?? '', name('authority'))
        : l10n.t("The certificate of the sign-in service at {0} is not valid ({1}): check this machine's clock; if it is right, whoever answers there (the service, or a proxy) must renew it.", endpoints.authorityHost, transport?.code ?? '');
    case 'unavailable':
      return l10n.t('The sign-in service at {0} is temporarily unavailable: try again in a few minutes.', endpoints.authorityHost);
    case 'forbidden':
      return graphForbiddenMessage(context.kind, surface);
    default:
      return terminal
        ? l10n.t('Sign-in failed: run the command again with --verbose for the details.')
        : l10n.t('Sign-in failed: see the Autopilot log for details, then run Autopilot: Sign In again.');
  }
}

/** A transport failure at the sign-in service that is really about its certificate. */
function certificateReason(transport: TransportFailure | undefined, endpoints: CloudEndpoints): AuthFailureReason | undefined {
  if (!transport || transport.url !== new URL(endpoints.authorityHost).origin) return undefined;
  const problem = tlsProblem(transport.code);
  if (problem === 'untrusted') return 'untrustedCertificate';
  return problem === 'expired' || problem === 'wrong-host' ? 'invalidCertificate' : undefined;
}

function reasonFor(code: number | undefined, error: string, subError: string, msalCode: string): AuthFailureReason {
  switch (code) {
    case 65001:
      return 'consentMissing';
    case 50011:
      return 'redirectUriMismatch';
    case 700016:
      return 'unknownApp';
    case 7000215:
      return 'badClientSecret';
    case 7000218:
      return 'publicClientFlowsOff';
    case 700027:
    case 700024:
    case 700023:
      return 'certificateRejected';
    case 70021:
    case 700211:
    case 700212:
    case 700213:
      return 'federationMismatch';
    case 90002:
      return 'tenantNotFound';
    case 50020:
      return 'userNotInTenant';
    case 500011:
      return 'unknownResource';
    case 65004:
      return 'browserCancelled';
    case 70020:
      return 'deviceCodeExpired';
    case 700082:
    case 50173:
    case 50132:
    case 50133:
    case 70043:
      return 'sessionExpired';
    default:
      break;
  }
  if (error === 'access_denied' || subError === 'cancel' || msalCode === 'user_cancelled') return 'browserCancelled';
  if (error === 'expired_token' || msalCode === 'device_code_expired') return 'deviceCodeExpired';
  if (error === 'authorization_declined') return 'deviceCodeDeclined';
  if (error === 'temporarily_unavailable' || error === 'server_error') return 'unavailable';
  if (msalCode === 'no_tokens_found' || msalCode === 'no_account_found' || error === 'interaction_required' || msalCode === 'interaction_required') return 'sessionExpired';
  if (msalCode === 'network_error' || msalCode === 'openid_config_error' || msalCode === 'endpoints_resolution_error') return 'unreachable';
  return 'other';
}

/**
 * The user-facing error for anything sign-in or token acquisition threw. Cancellation passes through unchanged (it is
 * never shown); everything else becomes an `AuthFailure` whose message is one sentence.
 */
export function describeAuthError(
  error: unknown,
  context: AuthErrorContext,
  log: Logger,
  server?: ServerErrorDetail,
  transport?: TransportFailure,
): Error {
  if (error instanceof AuthFailure) return error;
  if (isUserCancelled(error)) return error instanceof Error ? error : new UserCancelledError();
  const shape: MsalErrorShape = typeof error === 'object' && error !== null ? (error as MsalErrorShape) : {};
  const msalCode = String(shape.errorCode ?? '');
  const aadsts = aadstsOf(shape, server);
  const oauthError = server?.error ?? msalCode;
  let reason = reasonFor(aadsts, oauthError, String(shape.subError ?? ''), msalCode);
  if (reason === 'certificateRejected' && aadsts === 700024 && context.federatedTokenFile) reason = 'federatedTokenExpired';
  if (reason === 'other' && server && server.status >= 500) reason = 'unavailable';
  if (reason === 'other' && msalCode === 'post_request_failed' && transport) reason = 'unreachable';
  if ((reason === 'unreachable' || reason === 'other') && transport?.proxyAuthentication) {
    log.warn(`Sign-in failed: the proxy asked for credentials (407) at ${transport.url}`);
    return new AuthFailure(transport.proxyAuthentication, 'proxyAuthentication', undefined, { cause: error });
  }
  if (reason === 'unreachable') reason = certificateReason(transport, context.endpoints) ?? reason;
  log.warn(
    [
      `Sign-in failed (${reason})`,
      msalCode && `MSAL ${msalCode}`,
      aadsts && `AADSTS${aadsts}`,
      shape.correlationId && `correlation id ${String(shape.correlationId)}`,
      server?.description && `Entra ID: ${server.description.split(/\r?\n/)[0]}`,
      !server && shape.errorMessage && `detail: ${String(shape.errorMessage).split(/\r?\n/)[0]}`,
      !shape.errorCode && error instanceof Error && `detail: ${error.message}`,
    ]
      .filter(Boolean)
      .join('; '),
  );
  const said = { aadsts, description: server?.description };
  return new AuthFailure(sentence(reason, context, said, reason === 'other' ? undefined : transport), reason, aadsts, { cause: error });
}

/** A failure the product detects itself (not signed in, a time limit), with the same sentences. */
export function authFailure(reason: AuthFailureReason, context: AuthErrorContext, cause?: unknown): AuthFailure {
  return new AuthFailure(sentence(reason, context), reason, undefined, cause === undefined ? undefined : { cause });
}

/**
 * The one sentence for a 403 from Microsoft Graph on an Autopilot call: the token was fine, the permission (or the
 * Intune role) is missing.
 */
export function graphForbiddenMessage(kind: 'user' | 'app', surface: AuthSurface = 'editor'): string {
  if (kind === 'app') {
    return surface === 'terminal'
      ? l10n.t('Microsoft Graph refused the request (403): grant the app the application permission {0} with admin consent, then run the command again.', INTUNE_PERMISSION)
      : l10n.t('Microsoft Graph refused the request (403): grant the app the application permission {0} with admin consent, then sign in again.', INTUNE_PERMISSION);
  }
  return l10n.t(
    'Microsoft Graph refused the request (403): your account needs an Intune role that can import Autopilot devices and admin consent for {0}; ask an administrator, then sign in again.',
    INTUNE_PERMISSION);
}

/** The 403 as an error the command wrapper shows with "Show Log". */
export function graphForbidden(kind: 'user' | 'app', cause?: unknown): AuthFailure {
  return new AuthFailure(graphForbiddenMessage(kind), 'forbidden', undefined, { cause });
}
