/**
 * The Graph half of the emulator as an HTTP server on a loopback port: `startGraphEmulator()` in tests (random port,
 * in-process) and `npm run emulator` for people. Every request is recorded for assertions.
 */
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock, type Clock } from '../../src/common/clock';
import { EmulatorAuth, type AcceptToken } from './auth';
import { FaultPlan, type FaultAction, type LateAnswer } from './faults';
import { errorResult, intuneMessage, route, type PagingOptions, type RouteResult } from './routes';
import { DEFAULT_TIMING, EmulatorState, type EmulatorTiming } from './state';
import { INTUNE_BUDGETS, SlidingWindows, type ThrottleBudgets } from './throttle';
import { TIDY_NOTHING, type Tidiness } from './tidiness';

export interface GraphEmulatorOptions {
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  readonly clock?: Clock;
  readonly staticToken?: string;
  /** Extra token check, consulted after tokens added with `auth.addToken` and before the static token. */
  readonly acceptToken?: AcceptToken;
  readonly timing?: Partial<EmulatorTiming>;
  /** Intune's budgets by default; `false` turns throttling off. */
  readonly budgets?: Partial<ThrottleBudgets> | false;
  /** Where a test needs a tidier Graph than Intune (answers that echo the hash, lists in creation order, …). */
  readonly tidy?: Tidiness;
  /** Latency added to every request. */
  readonly latencyMs?: number;
  /** Extra latency per device in an `/import` body (a 500-device import takes longer than one device). */
  readonly latencyPerImportedDeviceMs?: number;
  readonly paging?: Partial<PagingOptions>;
  /** Random source for processing jitter. */
  readonly random?: () => number;
  /** Random source for faults added with a `chance` (seed it for a repeatable soak). */
  readonly faultRandom?: () => number;
}

export interface RecordedRequest {
  readonly seq: number;
  readonly at: number;
  readonly method: string;
  /** Path including the version segment, without the query. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly clientRequestId?: string;
  readonly authorization?: string;
  readonly tenantId?: string;
  readonly appId?: string;
  readonly body: unknown;
  /** Final status; `0` while in flight, `-1` when the connection was reset instead of answered. */
  status: number;
  retryAfter?: string;
  /** Whether the request changed state (a committed write); for a late commit, only once it has happened. */
  committed: boolean;
  /** When a write answered with a failure was committed anyway (a `commit-late` fault, or a 5xx on a write). */
  committedLateAt?: number;
  /** Kinds of the injected faults that acted on this request (`status 503`, `reset-after-commit`, …). */
  readonly faults: readonly string[];
}

export interface GraphEmulator {
  /** Graph root to configure: `http://127.0.0.1:PORT` (no version). */
  readonly url: string;
  readonly staticToken: string;
  readonly state: EmulatorState;
  readonly auth: EmulatorAuth;
  readonly faults: FaultPlan;
  readonly throttle: SlidingWindows | undefined;
  readonly requests: RecordedRequest[];
  /** When set, `@odata.nextLink` points at this origin instead of the emulator's own (to test link checking). */
  nextLinkOrigin: string | undefined;
  close(): Promise<void>;
}

const VERSIONED = /^\/(v1\.0|beta)((?:\/[^/]+)*)\/?$/;

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export async function startGraphEmulator(options: GraphEmulatorOptions = {}): Promise<GraphEmulator> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const tidy = options.tidy ?? TIDY_NOTHING;
  const state = new EmulatorState({ ...DEFAULT_TIMING, ...options.timing }, clock, tidy);
  const auth = new EmulatorAuth(options.staticToken, options.acceptToken, clock);
  const faults = new FaultPlan(options.faultRandom);
  const throttle = options.budgets === false ? undefined : new SlidingWindows({ ...INTUNE_BUDGETS, ...options.budgets });
  const paging: PagingOptions = { defaultPageSize: 1000, maxPageSize: 1000, ...options.paging };
  const requests: RecordedRequest[] = [];
  const sockets = new Set<import('node:net').Socket>();
  /** Late commits still to come; closing the emulator calls them off. */
  const pendingCommits = new AbortController();
  let seq = 0;

  const emulator: GraphEmulator = {
    url: '',
    staticToken: auth.staticToken,
    state,
    auth,
    faults,
    throttle,
    requests,
    nextLinkOrigin: undefined,
    close: () =>
      new Promise<void>((resolve) => {
        pendingCommits.abort();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };

  /** Retry-After in whole seconds as HTTP says; a scaled-down window needs fractions to stay meaningful. */
  function retryAfterValue(ms: number): string {
    const windowMs = throttle?.budgets.windowMs ?? INTUNE_BUDGETS.windowMs;
    return windowMs < INTUNE_BUDGETS.windowMs ? (ms / 1000).toFixed(3) : String(Math.max(1, Math.ceil(ms / 1000)));
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const text = await readBody(req);
    let body: unknown = undefined;
    let bodyError = false;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        bodyError = true;
      }
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const record: RecordedRequest = {
      seq: ++seq,
      at: clock.now(),
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      clientRequestId: header(req, 'client-request-id'),
      authorization: header(req, 'authorization'),
      body,
      status: 0,
      committed: false,
      faults: [],
    };
    requests.push(record);
    const actions = faults.actionsFor(method, url.pathname, body);
    Object.assign(record, { faults: actions.map((action) => (action.kind === 'status' ? `status ${action.status}` : action.kind)) });
    const requestId = randomUUID();
    const reply = (result: RouteResult) => {
      record.status = result.status;
      const headers: Record<string, string> = {
        'request-id': requestId,
        'client-request-id': record.clientRequestId ?? '',
        date: new Date(clock.now()).toUTCString(),
        ...result.headers,
      };
      record.retryAfter = headers['Retry-After'];
      let payload = '';
      if (result.body !== undefined) {
        const error = (result.body as { error?: Record<string, unknown> }).error;
        if (error) error.innerError = { date: new Date(clock.now()).toISOString(), 'request-id': requestId, 'client-request-id': record.clientRequestId ?? '' };
        payload = JSON.stringify(result.body);
        headers['Content-Type'] = 'application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8';
      }
      res.writeHead(result.status, headers);
      res.end(payload);
    };
    const reset = () => {
      record.status = -1;
      req.socket.destroy();
    };

    for (const action of [...actions.filter((a) => a.kind === 'latency')]) {
      await clock.sleep((action as Extract<FaultAction, { kind: 'latency' }>).ms);
    }
    const devicesInBody = (body as { importedWindowsAutopilotDeviceIdentities?: unknown[] } | undefined)?.importedWindowsAutopilotDeviceIdentities;
    const latency = (options.latencyMs ?? 0) + (Array.isArray(devicesInBody) ? devicesInBody.length * (options.latencyPerImportedDeviceMs ?? 0) : 0);
    if (latency > 0) await clock.sleep(latency);

    const isWrite = method !== 'GET';
    /** A write answered with a failure that Graph commits later anyway. */
    let late: { readonly answer: LateAnswer; readonly afterMs?: number; readonly status?: Extract<FaultAction, { kind: 'status' }> } | undefined;
    for (const action of actions) {
      if (action.kind === 'before-commit') await action.run(record);
      if (action.kind === 'reset-before-commit') return reset();
      if (action.kind === 'redirect') return reply({ status: action.status ?? 307, headers: { Location: action.location } });
      if (action.kind === 'commit-late') late ??= { answer: action.answer, afterMs: action.afterMs };
      if (action.kind === 'status') {
        if (isWrite && isLateCommitStatus(action.status) && action.commit !== 'never' && !tidy.noLateCommits) {
          late ??= { answer: action.status, afterMs: action.commitAfterMs, status: action };
          continue;
        }
        return reply(injectedStatus(action));
      }
    }

    const authResult = auth.check(record.authorization);
    if (!authResult.ok) {
      return reply(errorResult(401, 'InvalidAuthenticationToken', authResult.message, { 'WWW-Authenticate': 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize"' }));
    }
    const { grant } = authResult;
    Object.assign(record, { tenantId: grant.tenantId, appId: grant.appId });

    if (throttle) {
      const taken = throttle.take(grant.tenantId, grant.appId, isWrite, clock.now());
      if (!taken.ok) {
        // Intune's throttling often names no time to wait (facts page §4.1).
        const headers: Record<string, string> = tidy.retryAfterOnThrottle ? { 'Retry-After': retryAfterValue(taken.retryAfterMs) } : {};
        return reply(errorResult(429, 'TooManyRequests', intuneMessage('Too many requests. Please retry later.'), headers));
      }
    }

    const match = VERSIONED.exec(url.pathname);
    if (!match) return reply(errorResult(400, 'BadRequest', 'Invalid version: the path must start with /v1.0 or /beta.'));
    if (bodyError) return reply(errorResult(400, 'BadRequest', 'The request body is not valid JSON.'));
    const version = match[1] as 'v1.0' | 'beta';
    const segments = match[2]!.split('/').filter(Boolean).map(decodeURIComponent);
    const origin = emulator.nextLinkOrigin ?? `http://${req.headers.host ?? 'localhost'}`;
    const commit = () => route(state, { method, version, segments, query: url.searchParams, body, grant, linkBase: `${origin}/${version}`, receivedAt: record.at }, paging, random);

    if (late) {
      // The gateway gives up (an error, a cut, or silence) while the backend goes on and commits a little later.
      const delayMs = late.afterMs ?? Math.round(faults.draw() * state.timing.lateCommitMaxMs);
      const commitLater = () =>
        void clock.sleep(delayMs, pendingCommits.signal).then(
          () => {
            record.committed = isWrite && commit().status < 300;
            if (record.committed) record.committedLateAt = clock.now();
          },
          () => undefined, // the emulator closed first
        );
      if (late.answer === 'reset') {
        reset();
        return commitLater();
      }
      if (late.answer === 'timeout') {
        // No answer at all: the clock for the late commit starts when the client gives up and hangs up.
        record.status = -1;
        res.once('close', commitLater);
        return;
      }
      reply(injectedStatus(late.status ?? { kind: 'status', status: late.answer }));
      return commitLater();
    }

    const result = commit();
    record.committed = isWrite && result.status < 300;
    if (actions.some((action) => action.kind === 'repeat-next-link') && result.status === 200 && Array.isArray((result.body as { value?: unknown })?.value)) {
      // Seen live: a cursor whose next link is byte for byte the request that produced the page (facts: lifecycle §1.3).
      (result.body as Record<string, unknown>)['@odata.nextLink'] = `${origin}${url.pathname}${url.search}`;
    }

    for (const action of actions) {
      if (action.kind === 'reset-after-commit') return reset();
      if (action.kind === 'delay-after-commit') await clock.sleep(action.ms);
      if (action.kind === 'after-commit') await action.run(record);
    }
    if (res.destroyed || req.socket.destroyed) {
      record.status = -1;
      return;
    }
    reply(result);
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ error: { code: 'InternalServerError', message: String(error) } }));
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  Object.assign(emulator, { url: `http://${address.address}:${address.port}` });
  return emulator;
}

/** Statuses after which Intune's gateway may still let the backend commit a write. */
function isLateCommitStatus(status: number): status is 500 | 502 | 503 | 504 {
  return status === 500 || status === 502 || status === 503 || status === 504;
}

function injectedStatus(action: Extract<FaultAction, { kind: 'status' }>): RouteResult {
  const headers: Record<string, string> = action.retryAfter !== undefined ? { 'Retry-After': action.retryAfter } : {};
  const code = action.code ?? (action.status === 429 ? 'TooManyRequests' : action.status === 503 ? 'ServiceUnavailable' : action.status === 504 ? 'GatewayTimeout' : 'InjectedFault');
  return errorResult(action.status, code, action.message ?? intuneMessage(`An error has occurred - injected ${action.status}.`), headers);
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
