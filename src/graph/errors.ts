/**
 * What can go wrong talking to Graph, typed so callers can decide without parsing text: `GraphError` for an HTTP
 * error answer, `GraphNetworkError` when no answer arrived (and whether a write may have happened anyway),
 * `ForeignNextLinkError` when Graph points paging at another origin, and `RepeatedNextLinkError` when it points paging
 * back at a page already read.
 */
import * as l10n from '@vscode/l10n';
import { hashFingerprint, redactSecrets } from '../common/redact';
import { tlsProblem } from '../common/tls';

export interface GraphErrorDetails {
  readonly status: number;
  /** Graph's `error.code`, e.g. `Forbidden`, `BadRequest`, `TooManyRequests`. */
  readonly code: string;
  /** Graph's `error.message`, unwrapped from Intune's JSON-in-a-string form and redacted. */
  readonly graphMessage: string;
  readonly method: string;
  /** Path below the versioned root, e.g. `deviceManagement/importedWindowsAutopilotDeviceIdentities/import`. */
  readonly path: string;
  readonly requestId?: string;
  readonly clientRequestId: string;
  /** Graph's `Date` of the failure, to quote in a support case. */
  readonly date?: string;
  readonly retryAfterMs?: number;
  /**
   * Fingerprint (see `hashFingerprint`) of the value Graph quoted as unconvertible, e.g. the hash in the
   * Edm.Binary 400, so a caller can tell which device was refused without the value itself being kept anywhere.
   */
  readonly offendingValueFingerprint?: string;
}

export class GraphError extends Error implements GraphErrorDetails {
  readonly status: number;
  readonly code: string;
  readonly graphMessage: string;
  readonly method: string;
  readonly path: string;
  readonly requestId?: string;
  readonly clientRequestId: string;
  readonly date?: string;
  readonly retryAfterMs?: number;
  readonly offendingValueFingerprint?: string;

  constructor(details: GraphErrorDetails) {
    super(
      l10n.t('Graph answered {0} {1} to {2} {3}: {4} (request-id {5}, {6})', details.status, details.code, details.method, details.path, details.graphMessage, details.requestId ?? '-', details.date ?? '-'),
    );
    this.name = 'GraphError';
    this.status = details.status;
    this.code = details.code;
    this.graphMessage = details.graphMessage;
    this.method = details.method;
    this.path = details.path;
    this.requestId = details.requestId;
    this.clientRequestId = details.clientRequestId;
    this.date = details.date;
    this.retryAfterMs = details.retryAfterMs;
    this.offendingValueFingerprint = details.offendingValueFingerprint;
  }
}

export type NetworkFailureKind = 'unreachable' | 'tls' | 'reset' | 'timeout';

export class GraphNetworkError extends Error {
  constructor(
    readonly kind: NetworkFailureKind,
    /** True when the request may have reached Graph and been acted on (a write must be reconciled, not repeated). */
    readonly outcomeUnknown: boolean,
    readonly origin: string,
    readonly method: string,
    readonly path: string,
    readonly causeCode: string | undefined,
  ) {
    super(describeNetworkFailure(kind, origin, causeCode));
    this.name = 'GraphNetworkError';
  }
}

function describeNetworkFailure(kind: NetworkFailureKind, origin: string, code: string | undefined): string {
  switch (kind) {
    case 'unreachable':
      return l10n.t('Cannot reach Graph at {0} ({1}): check the Graph root (--graph-root / AUTOPILOT_GRAPH_ROOT), the network and any proxy.', origin, code ?? 'no connection');
    case 'tls':
      switch (tlsProblem(code)) {
        case 'expired':
          return l10n.t("The TLS certificate of {0} has expired or is not valid yet ({1}): check this machine's clock; if it is right, whoever answers there (Graph, or a proxy) must renew it.", origin, code!);
        case 'wrong-host':
          return l10n.t('The TLS certificate of {0} was issued for another host name ({1}): check that the Graph root names the host itself.', origin, code!);
        default:
          return l10n.t('The TLS certificate of {0} is not trusted ({1}): for a private CA or a TLS-inspecting proxy, set NODE_EXTRA_CA_CERTS to the PEM file of the CA that issued it.', origin, code ?? 'certificate error');
      }
    case 'timeout':
      return l10n.t('Graph at {0} did not answer in time.', origin);
    case 'reset':
      return l10n.t('The connection to Graph at {0} was cut before an answer arrived ({1}).', origin, code ?? 'reset');
  }
}

export class ForeignNextLinkError extends Error {
  constructor(
    readonly foreignOrigin: string,
    readonly graphOrigin: string,
  ) {
    super(
      l10n.t('Graph returned a next-page link on another origin ({0}); refusing to follow it, so no request or token went there. Only {1} is trusted.', foreignOrigin, graphOrigin),
    );
    this.name = 'ForeignNextLinkError';
  }
}

/** Graph's paging pointed back at a page already read: following it would never end. */
export class RepeatedNextLinkError extends Error {
  constructor(
    readonly collection: string,
    readonly pagesRead: number,
  ) {
    super(
      l10n.t(
        'Graph sent the same next-page link again while listing {0} (after {1} pages), so the listing stopped instead of reading the same page forever; try again in a few minutes.',
        collection,
        pagesRead,
      ),
    );
    this.name = 'RepeatedNextLinkError';
  }
}

/**
 * Graph answered with a redirect. Redirects are never followed, wherever they point: the request carried a token, and
 * Graph itself does not redirect API calls, so a 3xx means a proxy, a captive portal or a wrong Graph root.
 */
export class GraphRedirectError extends Error {
  constructor(
    readonly status: number,
    /** Where the redirect pointed (origin and path only; a query could carry secrets). */
    readonly target: string,
    readonly graphOrigin: string,
  ) {
    super(
      l10n.t(
        'Graph answered {0} redirecting to {1}; redirects are not followed, so no request or token went there. Check that the Graph root is {2} itself and not a proxy or portal address.',
        status,
        target || l10n.t('an unnamed location'),
        graphOrigin,
      ),
    );
    this.name = 'GraphRedirectError';
  }
}

/** Reads Graph's error body, including Intune's habit of putting a JSON document inside `error.message`. */
export function parseGraphErrorBody(
  body: unknown,
  fallbackStatusText: string,
): { code: string; message: string; requestId?: string; date?: string; offendingValueFingerprint?: string } {
  const error = (body as { error?: Record<string, unknown> } | undefined)?.error;
  if (!error || typeof error !== 'object') return { code: fallbackStatusText, message: fallbackStatusText };
  const code = typeof error.code === 'string' && error.code ? error.code : fallbackStatusText;
  let message = typeof error.message === 'string' ? error.message : '';
  if (message.trimStart().startsWith('{')) {
    try {
      const inner = JSON.parse(message) as { Message?: unknown; message?: unknown };
      const text = inner.Message ?? inner.message;
      if (typeof text === 'string') message = text;
    } catch {
      // Not JSON after all: keep the text as it came.
    }
  }
  // Intune appends its own correlation noise; the request-id we report is the one that matters to support.
  message = message.replace(/\s*-\s*Operation ID \(for customer support\):.*$/s, '').trim();
  const inner = (error.innerError ?? error.innererror) as Record<string, unknown> | undefined;
  const requestId = typeof inner?.['request-id'] === 'string' ? inner['request-id'] : undefined;
  const date = typeof inner?.date === 'string' ? inner.date : undefined;
  const literal = /literal '([^']*)'/.exec(message)?.[1];
  return {
    code,
    message: redactSecrets(message || fallbackStatusText),
    requestId,
    date,
    offendingValueFingerprint: literal ? hashFingerprint(literal) : undefined,
  };
}
