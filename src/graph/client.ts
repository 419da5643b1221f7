/**
 * The one HTTP path to Microsoft Graph. Every request gets a `client-request-id`, a bearer token from the injected
 * source (refreshed once after a 401), a per-attempt timeout, cancellation, `Retry-After`/back-off retries, and —
 * for writes — a slot in the client-side write budget. Tokens only ever go to the configured Graph root's origin.
 */
import { randomUUID } from 'node:crypto';
import fetch, { type Response } from 'node-fetch';
import { abortError, linkSignals, systemClock, throwIfAborted, type Clock } from '../common/clock';
import { ProxyAuthenticationError, directTransport, proxyAuthenticationMessage, type HttpTransport } from '../common/httpTransport';
import { silentLogger, type Logger } from '../common/logger';
import { tlsProblem } from '../common/tls';
import type { GetAccessToken } from './accessToken';
import { checkGraphRoot } from './endpoint';
import { ForeignNextLinkError, GraphError, GraphNetworkError, GraphRedirectError, RepeatedNextLinkError, parseGraphErrorBody, type NetworkFailureKind } from './errors';
import { DEFAULT_RETRY_OPTIONS, backoffDelayMs, isRetryableStatus, parseRetryAfter, type RetryOptions } from './retryPolicy';
import { DEFAULT_WRITE_BUDGET, WriteBudget, type WriteBudgetOptions } from './writeBudget';

export type ApiVersion = 'v1.0' | 'beta';
export const API_VERSIONS: readonly ApiVersion[] = ['v1.0', 'beta'];

export interface GraphClientOptions {
  /** Graph root without version, e.g. `https://graph.microsoft.com` or `http://127.0.0.1:PORT`. */
  readonly graphRoot: string;
  readonly apiVersion?: ApiVersion;
  readonly getAccessToken: GetAccessToken;
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly retry?: Partial<RetryOptions>;
  /** Options for a budget of this client's own, or a budget shared with other clients of the same app. */
  readonly writeBudget?: WriteBudgetOptions | WriteBudget;
  /** Per attempt; a large `/import` can take a while, so the default is generous. */
  readonly timeoutMs?: number;
  readonly userAgent?: string;
  /** Told whenever a request waits because Graph throttled it or was unavailable. */
  readonly onRetryWait?: (wait: RetryWait) => void;
  /** How requests leave the process (proxy, TLS options); pooled direct connections by default. */
  readonly transport?: HttpTransport;
}

export interface RetryWait {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly waitMs: number;
  /** True when the wait came from Graph's `Retry-After`, false for our own back-off. */
  readonly retryAfter: boolean;
}

export interface GraphRequest {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path below the versioned root (`deviceManagement/…`), or an absolute URL on the Graph root's origin. */
  readonly path: string;
  readonly apiVersion?: ApiVersion;
  readonly query?: Readonly<Record<string, string | number>>;
  readonly body?: unknown;
  readonly signal?: AbortSignal;
  /** Error statuses the caller handles itself (404 for lookups, 409/429 for sync): returned, not thrown or retried. */
  readonly accept?: readonly number[];
  /**
   * Whether the request may safely happen twice, so a 500/502/503/504 is retried: reads and deletes are, a `POST`
   * is not unless the caller says so (a create could be committed by Graph despite the error).
   */
  readonly idempotent?: boolean;
}

/** How a listing ends when Graph's cursor goes round in circles, for callers that can use what they have. */
export interface PagingControl {
  /** Stop after this many pages, as if the cursor repeated itself. */
  readonly maxPages?: number;
  /** When given, a repeated next link (or the page limit) ends the listing and is reported here instead of thrown. */
  readonly onStop?: (reason: 'repeated-link' | 'page-limit', pagesRead: number) => void;
}

export interface GraphResponse<T> {
  readonly status: number;
  readonly body: T;
  readonly requestId?: string;
}

const DEFAULT_TIMEOUT_MS = 100_000;

export class GraphClient {
  readonly root: URL;
  /** The Graph root's path without a trailing slash ('' for a bare origin). */
  private readonly basePath: string;
  readonly apiVersion: ApiVersion;
  readonly writeBudget: WriteBudget;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly retry: RetryOptions;
  private readonly timeoutMs: number;
  private readonly transport: HttpTransport;

  constructor(private readonly options: GraphClientOptions) {
    this.root = checkGraphRoot(options.graphRoot);
    this.basePath = this.root.pathname.replace(/\/+$/, '');
    this.apiVersion = options.apiVersion ?? 'v1.0';
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.retry = { ...DEFAULT_RETRY_OPTIONS, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.writeBudget =
      options.writeBudget instanceof WriteBudget ? options.writeBudget : new WriteBudget(options.writeBudget ?? DEFAULT_WRITE_BUDGET, this.clock);
    this.transport = options.transport ?? directTransport();
  }

  get graphRoot(): string {
    return `${this.root.origin}${this.basePath}`;
  }

  /** Waits on this client's clock (tests that fake the clock fake it for callers' waits too). */
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return this.clock.sleep(ms, signal);
  }

  now(): number {
    return this.clock.now();
  }

  /**
   * The same Graph root, write budget and connections, with tokens from elsewhere (a token for other permissions).
   * Its connections belong to this client: dispose this one, not the derived one.
   */
  withAccessToken(getAccessToken: GetAccessToken): GraphClient {
    return new GraphClient({ ...this.options, getAccessToken, writeBudget: this.writeBudget, transport: this.transport, clock: this.clock });
  }

  /** Closes pooled connections so a command-line process can exit promptly. */
  dispose(): void {
    this.transport.dispose();
  }

  async get<T>(path: string, options: Omit<GraphRequest, 'method' | 'path' | 'body'> = {}): Promise<GraphResponse<T>> {
    return this.send<T>({ ...options, method: 'GET', path });
  }

  async post<T>(path: string, body: unknown, options: Omit<GraphRequest, 'method' | 'path' | 'body'> = {}): Promise<GraphResponse<T>> {
    return this.send<T>({ ...options, method: 'POST', path, body });
  }

  async delete(path: string, options: Omit<GraphRequest, 'method' | 'path' | 'body'> = {}): Promise<GraphResponse<undefined>> {
    return this.send<undefined>({ ...options, method: 'DELETE', path });
  }

  /**
   * Pages through a collection, following `@odata.nextLink` only on the Graph root's origin (a link elsewhere
   * throws `ForeignNextLinkError` before any request is made to it). A link to a page already read (Graph's cursor
   * has been seen to repeat itself) throws `RepeatedNextLinkError` instead of looping, or ends the listing when the
   * caller handles that itself (`paging.onStop`).
   */
  async *pages<T>(path: string, options: Omit<GraphRequest, 'method' | 'path' | 'body'> = {}, paging: PagingControl = {}): AsyncGenerator<T[]> {
    let next: string | undefined = path;
    let query = options.query;
    const read = new Set<string>();
    while (next) {
      read.add(this.urlFor({ method: 'GET', path: next, query }).href);
      const page: GraphResponse<{ value?: T[]; '@odata.nextLink'?: string }> = await this.send({ ...options, method: 'GET', path: next, query });
      yield page.body?.value ?? [];
      next = page.body?.['@odata.nextLink'];
      query = undefined; // a nextLink carries its own query
      const repeated = next !== undefined && read.has(this.urlFor({ method: 'GET', path: next }).href);
      if (repeated || (next !== undefined && paging.maxPages !== undefined && read.size >= paging.maxPages)) {
        if (paging.onStop) return paging.onStop(repeated ? 'repeated-link' : 'page-limit', read.size);
        throw new RepeatedNextLinkError(path.replace(/^https?:\/\/[^/]+/i, '').replace(/\?.*$/, ''), read.size);
      }
    }
  }

  async listAll<T>(path: string, options: Omit<GraphRequest, 'method' | 'path' | 'body'> = {}): Promise<T[]> {
    const all: T[] = [];
    for await (const page of this.pages<T>(path, options)) all.push(...page);
    return all;
  }

  async send<T>(request: GraphRequest): Promise<GraphResponse<T>> {
    const call: Call = {
      request,
      url: this.urlFor(request),
      isWrite: request.method !== 'GET',
      idempotent: request.idempotent ?? (request.method === 'GET' || request.method === 'DELETE'),
      clientRequestId: randomUUID(),
      forceRefresh: false,
      refreshed: false,
      statusRetries: 0,
      networkRetries: 0,
    };
    for (;;) {
      throwIfAborted(request.signal);
      const answer = await this.attempt(call);
      if (!answer) continue;
      const { response, body } = answer;
      const requestId = response.headers.get('request-id') ?? undefined;
      this.logger.debug(`${request.method} ${logPathOf(call)} → ${response.status} in ${answer.tookMs} ms (client-request-id ${call.clientRequestId}, request-id ${requestId ?? '-'})`);
      if (response.ok || request.accept?.includes(response.status)) {
        return { status: response.status, body: body as T, requestId };
      }
      this.refuseNonGraphAnswer(call, response);
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), this.clock.now());
      if (await this.waitToRetry(call, response.status, retryAfterMs)) continue;
      throw this.graphError(call, response, body, requestId, retryAfterMs);
    }
  }

  /**
   * One attempt: a write-budget slot for a write (held until the answer arrives), a token, the request. Undefined
   * when no connection could be made and another attempt is due (after a back-off), so nothing reached Graph.
   */
  private async attempt(call: Call): Promise<{ response: Response; body: unknown; tookMs: number } | undefined> {
    const { request } = call;
    const release = call.isWrite ? await this.writeBudget.acquire(request.signal) : undefined;
    const started = this.clock.now();
    try {
      const token = await this.options.getAccessToken({ signal: request.signal, forceRefresh: call.forceRefresh });
      call.forceRefresh = false;
      const answer = await this.fetchOnce(call.url, request, token, call.clientRequestId, call.isWrite);
      return { ...answer, tookMs: this.clock.now() - started };
    } catch (error) {
      if (error instanceof GraphNetworkError && !error.outcomeUnknown && call.networkRetries < this.retry.maxNetworkRetries) {
        const waitMs = backoffDelayMs(call.networkRetries++, this.retry, this.clock.random);
        this.logger.info(`${request.method} ${logPathOf(call)}: ${error.causeCode ?? error.kind}; retrying in ${waitMs} ms`);
        await this.clock.sleep(waitMs, request.signal);
        return undefined;
      }
      throw error;
    } finally {
      release?.();
    }
  }

  /** Answers that did not come from Graph: a proxy asking for credentials, or a redirect the token must not follow. */
  private refuseNonGraphAnswer(call: Call, response: Response): void {
    if (response.status === 407) {
      // The proxy, not Graph, answered: nothing reached Graph, and retrying without credentials cannot help.
      throw new ProxyAuthenticationError(proxyAuthenticationMessage(this.transport, call.url));
    }
    if (response.status >= 300 && response.status < 400) {
      throw new GraphRedirectError(response.status, redirectTarget(response.headers.get('location'), call.url), this.root.origin);
    }
  }

  /**
   * Whether the request goes again after this error status, once any wait is over: once after a 401 with a fresh
   * token; after throttling or unavailability (a write only where repeating it is safe) while retries last, for
   * Graph's `Retry-After` or our back-off. A `Retry-After` on 429/503 also holds every other write of this app.
   */
  private async waitToRetry(call: Call, status: number, retryAfterMs: number | undefined): Promise<boolean> {
    const { request } = call;
    if (status === 401 && !call.refreshed) {
      call.refreshed = call.forceRefresh = true;
      this.logger.info(`${request.method} ${logPathOf(call)}: 401, trying once more with a fresh token`);
      return true;
    }
    if (retryAfterMs !== undefined && (status === 429 || status === 503)) {
      // Graph asked for quiet: hold every write of this app, not just this one (also when this one is not repeated).
      this.writeBudget.pauseUntil(this.clock.now() + retryAfterMs);
    }
    if (!isRetryableStatus(status, call.idempotent) || call.statusRetries >= this.retry.maxRetries || (retryAfterMs ?? 0) > this.retry.maxRetryAfterMs) return false;
    const waitMs = retryAfterMs ?? backoffDelayMs(call.statusRetries, this.retry, this.clock.random);
    call.statusRetries++;
    const logPath = logPathOf(call);
    this.logger.warn(`${request.method} ${logPath} → ${status}; waiting ${waitMs} ms (${retryAfterMs !== undefined ? 'Retry-After' : 'back-off'}), retry ${call.statusRetries} of ${this.retry.maxRetries}`);
    this.options.onRetryWait?.({ method: request.method, path: logPath, status, waitMs, retryAfter: retryAfterMs !== undefined });
    await this.clock.sleep(waitMs, request.signal);
    return true;
  }

  /** Graph's refusal as an error that names the request, Graph's code and message, and its request ids. */
  private graphError(call: Call, response: Response, body: unknown, requestId: string | undefined, retryAfterMs: number | undefined): GraphError {
    const parsed = parseGraphErrorBody(body, response.statusText || String(response.status));
    return new GraphError({
      status: response.status,
      code: parsed.code,
      graphMessage: parsed.message,
      method: call.request.method,
      path: call.url.pathname.slice(this.basePath.length).replace(/^\/(v1\.0|beta)\//, ''),
      requestId: requestId ?? parsed.requestId,
      clientRequestId: call.clientRequestId,
      date: response.headers.get('date') ?? parsed.date,
      retryAfterMs,
      offendingValueFingerprint: parsed.offendingValueFingerprint,
    });
  }

  private urlFor(request: GraphRequest): URL {
    let url: URL;
    if (/^https?:\/\//i.test(request.path)) {
      url = new URL(request.path);
      if (url.origin !== this.root.origin) throw new ForeignNextLinkError(url.origin, this.root.origin);
    } else {
      const version = request.apiVersion ?? this.apiVersion;
      url = new URL(`${this.root.origin}${this.basePath}/${version}/${request.path.replace(/^\/+/, '')}`);
    }
    for (const [key, value] of Object.entries(request.query ?? {})) url.searchParams.set(key, String(value));
    return url;
  }

  private async fetchOnce(url: URL, request: GraphRequest, token: string, clientRequestId: string, isWrite: boolean): Promise<{ response: Response; body: unknown }> {
    const timeout = new AbortController();
    const linked = linkSignals(request.signal, timeout.signal);
    const timer = this.clock.sleep(this.timeoutMs, linked.signal).then(
      () => timeout.abort(),
      () => undefined,
    );
    const headers: Record<string, string> = {
      Authorization: `Bearer ${token}`,
      Accept: 'application/json',
      'client-request-id': clientRequestId,
      'return-client-request-id': 'true',
      'User-Agent': this.options.userAgent ?? 'autopilot-devices',
    };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      const response = await fetch(url.href, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        // node-fetch 2 spreads the URL object it hands this callback into Node's request options: the one place a
        // per-request TLS option can go without an agent of our own (which VS Code's proxy support would replace).
        agent: (parsedUrl: object) => {
          const tls = this.transport.tlsOptionsFor(url);
          if (tls) Object.assign(parsedUrl, tls);
          return this.transport.agentFor(url);
        },
        // Never follow redirects: the token must not travel to wherever a 3xx points.
        redirect: 'manual',
        signal: linked.signal as never,
      });
      const text = await response.text();
      let body: unknown = undefined;
      if (text && /json/i.test(response.headers.get('content-type') ?? '')) {
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
      }
      return { response, body };
    } catch (error) {
      if (request.signal?.aborted) throw abortError(request.signal);
      if (timeout.signal.aborted) throw new GraphNetworkError('timeout', isWrite, url.origin, request.method, url.pathname, 'timeout');
      throw classifyNetworkError(error, url, request.method, isWrite);
    } finally {
      linked.abort();
      linked.dispose();
      await timer;
    }
  }
}

/** One request through its attempts: what it is, and what it has used up of its retries. */
interface Call {
  readonly request: GraphRequest;
  readonly url: URL;
  readonly isWrite: boolean;
  /** Whether it may safely happen twice (see `GraphRequest.idempotent`). */
  readonly idempotent: boolean;
  readonly clientRequestId: string;
  /** Ask the token source for a fresh token on the next attempt (after a 401). */
  forceRefresh: boolean;
  refreshed: boolean;
  statusRetries: number;
  networkRetries: number;
}

function logPathOf(call: Call): string {
  return call.url.pathname + call.url.search;
}

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']);

function classifyNetworkError(error: unknown, url: URL, method: string, isWrite: boolean): GraphNetworkError {
  const code = (error as { code?: string; errno?: string } | undefined)?.code ?? (error as { errno?: string } | undefined)?.errno;
  let kind: NetworkFailureKind = 'reset';
  if (code && NOT_SENT_CODES.has(code)) kind = 'unreachable';
  else if (tlsProblem(code)) kind = 'tls';
  // Before the connection exists nothing was sent; after it, a write may have been applied before the cut.
  const outcomeUnknown = isWrite && kind === 'reset';
  return new GraphNetworkError(kind, outcomeUnknown, url.origin, method, url.pathname, code);
}

/** A redirect's target as origin and path (never its query, which could carry a code or a key), or '' if unusable. */
function redirectTarget(location: string | null, base: URL): string {
  if (!location) return '';
  try {
    const target = new URL(location, base);
    return `${target.origin}${target.pathname}`;
  } catch {
    return '';
  }
}
