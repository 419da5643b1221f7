/**
 * MSAL's HTTP client, ours rather than MSAL's default for three reasons:
 * - MSAL's device-code poller throws away Entra's error description (only `invalid_grant` survives), so the last
 *   OAuth error of each request is remembered here, keyed by correlation id, for `authErrors` to explain;
 * - MSAL treats `slow_down` as fatal, while RFC 8628 says to poll more slowly: here it waits and keeps polling;
 * - tests trust a throw-away CA for this client only (`ca`); everywhere else Node's trust store applies, which
 *   includes `NODE_EXTRA_CA_CERTS` and, inside VS Code, the proxy and certificate support VS Code adds to `https`;
 * - requests go through the same `HttpTransport` as Graph's (the terminal's HTTPS_PROXY, VS Code's proxy), and a
 *   proxy's 407 is remembered as one sentence naming the proxy setting, since MSAL reports only "network error".
 *
 * It logs the method, origin and path of each request and the response status at trace level: never a query
 * string, a header or a body (they carry codes, tokens and secrets).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { proxyAuthenticationMessage, type HttpTransport } from '../common/httpTransport';
import type { Logger } from '../common/logger';

export interface ServerErrorDetail {
  readonly error: string;
  readonly description?: string;
  readonly codes: readonly number[];
  readonly status: number;
}

export interface TransportFailure {
  readonly url: string;
  readonly message: string;
  /** Node's error code: `ECONNREFUSED`, `ENOTFOUND`, or a TLS verdict such as `UNABLE_TO_VERIFY_LEAF_SIGNATURE`. */
  readonly code?: string;
  /** Set when a proxy answered 407: the sentence to show instead of "could not reach". */
  readonly proxyAuthentication?: string;
}

export interface AuthNetworkClientOptions {
  readonly log: Logger;
  /** Extra trusted CA certificates (PEM) for this client only. */
  readonly ca?: string | readonly string[];
  readonly timeoutMs?: number;
  /** How much longer to wait before the next poll after each `slow_down` (RFC 8628 says 5 s). */
  readonly slowDownStepMs?: number;
  /** Proxy and TLS choices shared with the Graph client; Node's defaults without one. */
  readonly transport?: HttpTransport;
}

// MSAL sends the short form; RFC 8628 names the URN.
const DEVICE_CODE_GRANTS = new Set(['device_code', 'urn:ietf:params:oauth:grant-type:device_code']);
const MAX_REMEMBERED = 50;

function describeUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** Entra's OAuth error in a response body, if it holds one. */
function errorDetail(status: number, body: unknown): ServerErrorDetail | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const { error, error_description: description, error_codes: codes } = body as Record<string, unknown>;
  if (typeof error !== 'string') return undefined;
  return {
    error,
    status,
    ...(typeof description === 'string' ? { description } : {}),
    codes: Array.isArray(codes) ? codes.filter((c): c is number => typeof c === 'number') : [],
  };
}

function rememberBounded(map: Map<string, ServerErrorDetail>, key: string, detail: ServerErrorDetail): void {
  if (map.size >= MAX_REMEMBERED) map.delete(map.keys().next().value!);
  map.set(key, detail);
}

export class AuthNetworkClient implements INetworkModule {
  private readonly serverErrors = new Map<string, ServerErrorDetail>();
  /** Entra's error for each OpenID metadata URL that answered with one (MSAL sends no correlation id with these). */
  private readonly metadataErrors = new Map<string, ServerErrorDetail>();
  private readonly slowDowns = new Map<string, number>();
  /** The last request that never got an HTTP response (DNS, refused, TLS, timeout). */
  lastTransportFailure: TransportFailure | undefined;

  constructor(private readonly options: AuthNetworkClientOptions) {}

  /**
   * Entra's error for the request MSAL made with this correlation id, if it answered with one; else the error of the
   * authority's OpenID metadata, which MSAL reports only as "endpoints could not be resolved" (an unknown tenant's
   * AADSTS90002 arrives there).
   */
  serverError(correlationId: string | undefined, authority?: string): ServerErrorDetail | undefined {
    const keyed = correlationId ? this.serverErrors.get(correlationId) : undefined;
    return keyed ?? (authority ? this.metadataErrors.get(`${authority}/v2.0/.well-known/openid-configuration`) : undefined);
  }

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    return this.send<T>('GET', url, options, timeout);
  }

  async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    const response = await this.send<T>('POST', url, options);
    const correlationId = options?.correlationId ?? options?.headers?.['client-request-id'];
    const body = response.body as { error?: unknown } | undefined;
    if (body?.error === 'slow_down' && DEVICE_CODE_GRANTS.has(new URLSearchParams(options?.body ?? '').get('grant_type') ?? '')) {
      // Wait a little longer each time, then let MSAL carry on as if authorization were still pending.
      const count = (this.slowDowns.get(correlationId ?? '') ?? 0) + 1;
      this.slowDowns.set(correlationId ?? '', count);
      this.options.log.debug(`Entra ID asked to poll more slowly; waiting ${(count * this.slowDownStep()) / 1000} s longer.`);
      await new Promise((resolve) => setTimeout(resolve, count * this.slowDownStep()));
      return { ...response, body: { ...response.body, error: 'authorization_pending' } as T };
    }
    return response;
  }

  private slowDownStep(): number {
    return this.options.slowDownStepMs ?? 5_000;
  }

  private remember(correlationId: string | undefined, status: number, body: unknown): void {
    const detail = errorDetail(status, body);
    if (!correlationId || !detail || detail.error === 'authorization_pending') return;
    rememberBounded(this.serverErrors, correlationId, detail);
  }

  private rememberMetadata(url: string, status: number, body: unknown): void {
    const detail = status >= 400 ? errorDetail(status, body) : undefined;
    if (detail) rememberBounded(this.metadataErrors, url, detail);
    else this.metadataErrors.delete(url);
  }

  private send<T>(method: 'GET' | 'POST', rawUrl: string, options?: NetworkRequestOptions, timeout?: number): Promise<NetworkResponse<T>> {
    const url = new URL(rawUrl);
    const correlationId = options?.correlationId ?? options?.headers?.['client-request-id'];
    const transport = url.protocol === 'http:' ? http : https;
    const timeoutMs = timeout ?? this.options.timeoutMs ?? 30_000;
    const headers: Record<string, string> = { ...options?.headers };
    if (method === 'POST') {
      headers['content-length'] = String(Buffer.byteLength(options?.body ?? ''));
      if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) {
        headers['content-type'] = 'application/x-www-form-urlencoded;charset=utf-8';
      }
    }
    const route = this.options.transport;
    const agent = route?.agentFor(url);
    return new Promise<NetworkResponse<T>>((resolve, reject) => {
      const request = transport.request(
        url,
        {
          method,
          headers,
          timeout: timeoutMs,
          ...(agent ? { agent } : {}),
          ...route?.tlsOptionsFor(url),
          ...(this.options.ca && url.protocol === 'https:' ? { ca: this.options.ca as string | string[] } : {}),
        },
        (response) => {
          if (response.statusCode === 407 && route) {
            response.resume();
            const sentence = proxyAuthenticationMessage(route, url);
            this.lastTransportFailure = { url: url.origin, message: 'proxy authentication required (407)', proxyAuthentication: sentence };
            this.options.log.debug(`${method} ${describeUrl(url)} → 407 from the proxy`);
            reject(new Error(sentence));
            return;
          }
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', (error) => reject(this.transportError(url, error)));
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown;
            try {
              body = text ? JSON.parse(text) : {};
            } catch {
              // Not JSON (a proxy's HTML page, say): MSAL gets an empty body and the status says what happened.
              body = {};
            }
            this.remember(correlationId, status, body);
            if (method === 'GET' && url.pathname.endsWith('/.well-known/openid-configuration')) this.rememberMetadata(describeUrl(url), status, body);
            this.lastTransportFailure = undefined;
            const error = (body as { error?: unknown }).error;
            this.options.log.trace(`${method} ${describeUrl(url)} → ${status}${typeof error === 'string' ? ` (${error})` : ''}`);
            const responseHeaders: Record<string, string> = {};
            for (const [name, value] of Object.entries(response.headers)) {
              if (value !== undefined) responseHeaders[name] = Array.isArray(value) ? value.join(', ') : value;
            }
            resolve({ headers: responseHeaders, body: body as T, status });
          });
        },
      );
      request.on('timeout', () => request.destroy(new Error(`no response within ${timeoutMs / 1000} s`)));
      request.on('error', (error) => reject(this.transportError(url, error)));
      request.end(method === 'POST' ? (options?.body ?? '') : undefined);
    });
  }

  private transportError(url: URL, error: Error): Error {
    const code = (error as NodeJS.ErrnoException).code;
    this.lastTransportFailure = { url: url.origin, message: error.message, ...(code ? { code } : {}) };
    this.options.log.debug(`${describeUrl(url)} could not be reached: ${error.message}${code ? ` (${code})` : ''}`);
    return new Error(`Could not reach ${url.origin}: ${error.message}`);
  }
}
