import * as assert from 'node:assert/strict';
import { AutopilotGraph } from '../../../src/graph/autopilot';
import { GraphClient, type GraphClientOptions } from '../../../src/graph/client';
import { ForeignNextLinkError, GraphError, GraphNetworkError, RepeatedNextLinkError } from '../../../src/graph/errors';
import { fakeDevices } from '../../emulator/hashes';
import { startGraphEmulator, type GraphEmulator } from '../../emulator/server';
import { FakeClock } from '../../support/fakeClock';
import { startStrangerServer } from '../../support/strangerServer';

/** The seed's example request body, exactly as the Graph page gives it. */
const SEED_BODY = {
  '@odata.type': '#microsoft.graph.importedWindowsAutopilotDeviceIdentity',
  orderIdentifier: 'Order Identifier value',
  groupTag: 'Group Tag value',
  serialNumber: 'Serial Number value',
  productKey: 'Product Key value',
  importId: 'Import Id value',
  hardwareIdentifier: 'aGFyZHdhcmVJZGVudGlmaWVy',
  state: {
    '@odata.type': 'microsoft.graph.importedWindowsAutopilotDeviceIdentityState',
    deviceImportStatus: 'String',
    deviceRegistrationId: 'Device Registration Id value',
    deviceErrorCode: 15,
    deviceErrorName: 'Device Error Name value',
  },
  assignedUserPrincipalName: 'Assigned User Principal Name value',
};

const IMPORTED = 'deviceManagement/importedWindowsAutopilotDeviceIdentities';

describe('Graph client against the emulator', function () {
  let emulator: GraphEmulator;
  const clients: GraphClient[] = [];

  function client(overrides: Partial<GraphClientOptions> = {}): GraphClient {
    const made = new GraphClient({
      graphRoot: emulator.url,
      getAccessToken: async () => emulator.staticToken,
      retry: { baseDelayMs: 20, maxDelayMs: 200 },
      ...overrides,
    });
    clients.push(made);
    return made;
  }

  beforeEach(async () => {
    emulator = await startGraphEmulator({ timing: { processingDelayMs: 50, processingJitterMs: 0, registrationDelayMs: 50 } });
  });

  afterEach(async () => {
    clients.splice(0).forEach((c) => c.dispose());
    await emulator.close();
  });

  it("creates one device from the seed's exact example body: 201 and the object back, without the hash", async () => {
    const response = await client({ apiVersion: 'beta' }).post<Record<string, unknown>>(IMPORTED, SEED_BODY);
    assert.equal(response.status, 201);
    const created = response.body;
    assert.match(String(created.id), /^[0-9a-f-]{36}$/);
    for (const key of ['groupTag', 'serialNumber', 'productKey', 'importId', 'assignedUserPrincipalName'] as const) {
      assert.equal(created[key], SEED_BODY[key], key);
    }
    assert.equal(created.hardwareIdentifier, null, "Intune's answers leave the hash out");
    assert.equal((created.state as { deviceImportStatus: string }).deviceImportStatus, 'unknown', 'a new record is unknown until processed');
    const sent = emulator.requests.find((r) => r.method === 'POST')!;
    assert.equal(sent.path, `/beta/${IMPORTED}`);
    assert.deepEqual(sent.body, SEED_BODY);
  });

  it('sends a distinct client-request-id with every request and reports request-id, code, message and date on errors', async () => {
    emulator.auth.addToken('read-only', { permissions: ['DeviceManagementServiceConfig.Read.All'] });
    const graph = new AutopilotGraph(client({ getAccessToken: async () => 'read-only' }));
    await graph.getImportedDevice('00000000-0000-0000-0000-000000000000');
    const error = await graph.importDevices(fakeDevices(1)).then(
      () => assert.fail('a read-only token must not import'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof GraphError);
    assert.equal(error.status, 403);
    assert.equal(error.code, 'Forbidden');
    assert.match(error.graphMessage, /DeviceManagementServiceConfig\.ReadWrite\.All/);
    assert.doesNotMatch(error.graphMessage, /Operation ID|_version/, 'Intune noise is unwrapped');
    assert.match(error.requestId ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(error.date && !Number.isNaN(Date.parse(error.date)));
    const ids = emulator.requests.map((r) => r.clientRequestId);
    assert.equal(ids.length, 2);
    assert.ok(ids.every((id) => /^[0-9a-f-]{36}$/.test(id ?? '')));
    assert.notEqual(ids[0], ids[1]);
    assert.equal(error.clientRequestId, ids[1]);
  });

  it('waits out a 429 Retry-After of 2 s before retrying, and holds other writes meanwhile', async function () {
    this.timeout(10_000);
    emulator.faults.add({ method: 'POST', path: '/import', action: { kind: 'status', status: 429, retryAfter: '2' } });
    const graph = new AutopilotGraph(client());
    const [first] = fakeDevices(2);
    const importing = graph.importDevices([first!]);
    // Let the 429 arrive, then start a second write and a read.
    while (!emulator.requests.some((r) => r.status === 429)) await new Promise((r) => setTimeout(r, 5));
    const throttledAt = emulator.requests.find((r) => r.status === 429)!.at;
    const readStarted = Date.now();
    await graph.getImportedDevice('00000000-0000-0000-0000-000000000000');
    assert.ok(Date.now() - readStarted < 1000, 'reads are not held by a write Retry-After');
    await Promise.all([importing, graph.createImportedDevice(fakeDevices(2)[1]!)]);
    const writes = emulator.requests.filter((r) => r.method === 'POST' && r.status !== 429);
    assert.equal(writes.length, 2);
    for (const write of writes) assert.ok(write.at - throttledAt >= 2000, `a write started ${write.at - throttledAt} ms after the 429`);
  });

  it('accepts Retry-After as an HTTP date', async function () {
    this.timeout(10_000);
    const when = new Date(Date.now() + 2000).toUTCString();
    emulator.faults.add({ method: 'GET', action: { kind: 'status', status: 503, retryAfter: when } });
    const started = Date.now();
    await new AutopilotGraph(client()).getImportedDevice('x');
    assert.ok(Date.now() - started >= 900, 'waited until the date (second resolution)');
  });

  it('backs off exponentially through a 503 storm on a read, then succeeds', async () => {
    emulator.faults.add({ path: IMPORTED, times: 4, action: { kind: 'status', status: 503 } });
    const graph = new AutopilotGraph(client({ retry: { baseDelayMs: 40, maxDelayMs: 10_000 } }));
    const pages = [];
    for await (const page of graph.listImportedDevices()) pages.push(page);
    assert.equal(pages.length, 1);
    const times = emulator.requests.map((r) => r.at);
    assert.equal(times.length, 5);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // Equal jitter: the n-th wait is between half and all of 40·2ⁿ ms.
    gaps.forEach((gap, n) => assert.ok(gap >= 20 * 2 ** n, `wait ${n} was ${gap} ms`));
    assert.ok(gaps[3]! > gaps[0]!, `waits grow: ${gaps.join(', ')}`);
  });

  it('never repeats a create answered 500/502/503/504 (Graph may commit it later), but repeats a delete', async () => {
    const graph = new AutopilotGraph(client({ retry: { baseDelayMs: 5, maxDelayMs: 20 } }));
    for (const status of [500, 502, 503, 504]) {
      emulator.faults.add({ method: 'POST', action: { kind: 'status', status, commit: 'never' } });
      const error = await graph.createImportedDevice(fakeDevices(1, `S${status}`)[0]!).catch((e: unknown) => e);
      assert.ok(error instanceof GraphError && error.status === status, `${status} reaches the caller`);
    }
    assert.equal(emulator.requests.length, 4, 'one request each');
    emulator.faults.add({ method: 'DELETE', times: 2, action: { kind: 'status', status: 503 } });
    await graph.deleteImportedDevice('00000000-0000-0000-0000-000000000000');
    assert.deepEqual(emulator.requests.slice(4).map((r) => r.status), [503, 503, 200]);
  });

  it('ends a listing whose nextLink repeats itself with a clear error instead of looping', async () => {
    const graph = new AutopilotGraph(client());
    await graph.importDevices(fakeDevices(3));
    emulator.faults.add({ method: 'GET', skip: 1, action: { kind: 'repeat-next-link' } });
    let pages = 0;
    const error = await (async () => {
      for await (const page of graph.listImportedDevices({ pageSize: 1 })) {
        assert.equal(page.length, 1);
        pages++;
      }
    })().catch((e: unknown) => e);
    assert.ok(error instanceof RepeatedNextLinkError, String(error));
    assert.equal(pages, 2, 'both pages read were handed over once');
    assert.match(error.message, /^Graph sent the same next-page link again while listing deviceManagement\/importedWindowsAutopilotDeviceIdentities \(after 2 pages\), so the listing stopped/);
    assert.equal(emulator.requests.filter((r) => r.method === 'GET').length, 2, 'the repeated page was not read again');
  });

  it('backs off on a 429 that carries no Retry-After', async () => {
    emulator.faults.add({ method: 'POST', times: 2, action: { kind: 'status', status: 429 } });
    const record = await new AutopilotGraph(client({ retry: { baseDelayMs: 50, maxDelayMs: 1000 } })).createImportedDevice(fakeDevices(1)[0]!);
    assert.ok(record.id);
    const times = emulator.requests.map((r) => r.at);
    assert.deepEqual(emulator.requests.map((r) => r.status), [429, 429, 201]);
    assert.ok(times[1]! - times[0]! >= 25 && times[2]! - times[1]! >= 50, `waits ${times[1]! - times[0]!}, ${times[2]! - times[1]!}`);
  });

  it('gives up after the configured retries with the 503 as a GraphError', async () => {
    emulator.faults.add({ path: IMPORTED, times: Infinity, action: { kind: 'status', status: 503 } });
    const error = await new AutopilotGraph(client({ retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetries: 3 } })).getImportedDevice('x').catch((e: unknown) => e);
    assert.ok(error instanceof GraphError && error.status === 503);
    assert.equal(emulator.requests.length, 4);
  });

  it('refreshes the token once after a 401, and only once', async () => {
    const requests: (boolean | undefined)[] = [];
    let current = 'token-1';
    emulator.auth.addToken('token-1');
    emulator.auth.addToken('token-2');
    const getAccessToken = async (request?: { forceRefresh?: boolean }) => {
      requests.push(request?.forceRefresh);
      if (request?.forceRefresh) current = current === 'token-1' ? 'token-2' : 'token-3';
      return current;
    };
    const graph = new AutopilotGraph(client({ getAccessToken }));
    await graph.getImportedDevice('x');
    emulator.auth.expire('token-1');
    await graph.getImportedDevice('x');
    assert.deepEqual(requests, [false, false, true]);
    assert.deepEqual(emulator.requests.map((r) => r.status), [404, 401, 404]);

    emulator.auth.expire('token-2'); // token-3 is unknown too: refreshing does not help
    const error = await graph.getImportedDevice('x').catch((e: unknown) => e);
    assert.ok(error instanceof GraphError && error.status === 401);
    assert.equal(emulator.requests.filter((r) => r.status === 401).length, 3, 'one refresh per request, no loop');
  });

  it('refuses a nextLink to another origin, naming it, and sends nothing there', async () => {
    const sink = await startStrangerServer();
    const sinkOrigin = sink.origin;
    try {
      const graph = new AutopilotGraph(client());
      await graph.importDevices(fakeDevices(3));
      emulator.nextLinkOrigin = sinkOrigin;
      const error = await (async () => {
        for await (const page of graph.listImportedDevices({ pageSize: 2 })) assert.equal(page.length, 2);
      })().catch((e: unknown) => e);
      assert.ok(error instanceof ForeignNextLinkError);
      assert.ok(error.message.includes(sinkOrigin), error.message);
      assert.deepEqual(sink.requests, []);
    } finally {
      sink.close();
    }
  });

  it('refuses plain http except on loopback', () => {
    assert.throws(() => new GraphClient({ graphRoot: 'http://graph.example.com', getAccessToken: async () => 't' }), /plain-http/);
    for (const root of ['http://127.0.0.1:1', 'http://localhost:1', 'http://[::1]:1', 'https://graph.microsoft.com']) {
      new GraphClient({ graphRoot: root, getAccessToken: async () => 't' }).dispose();
    }
  });

  it('reports an unreachable host as such, after a couple of quick retries', async () => {
    const unreachable = new GraphClient({ graphRoot: 'http://127.0.0.1:9', getAccessToken: async () => 't', retry: { baseDelayMs: 5 } });
    const error = await new AutopilotGraph(unreachable).getImportedDevice('x').catch((e: unknown) => e);
    unreachable.dispose();
    assert.ok(error instanceof GraphNetworkError);
    assert.equal(error.kind, 'unreachable');
    assert.equal(error.outcomeUnknown, false);
    assert.match(error.message, /Cannot reach Graph at http:\/\/127\.0\.0\.1:9/);
  });

  it('marks a write whose answer never came as outcome-unknown (timeout and reset after commit)', async () => {
    emulator.faults.add({ path: '/import', action: { kind: 'delay-after-commit', ms: 1000 } });
    const graph = new AutopilotGraph(client({ timeoutMs: 200 }));
    const timedOut = await graph.importDevices(fakeDevices(1)).catch((e: unknown) => e);
    assert.ok(timedOut instanceof GraphNetworkError && timedOut.kind === 'timeout' && timedOut.outcomeUnknown);

    emulator.faults.add({ path: '/import', action: { kind: 'reset-after-commit' } });
    const reset = await graph.importDevices(fakeDevices(2).slice(1)).catch((e: unknown) => e);
    assert.ok(reset instanceof GraphNetworkError && reset.kind === 'reset' && reset.outcomeUnknown);
    assert.equal(emulator.requests.filter((r) => r.committed).length, 2, 'both writes reached Graph and were not repeated');
  });

  it('stops at once when cancelled', async () => {
    await emulator.close();
    // Graph's answer is due in a minute of a clock that never moves: only the cancel can end the wait.
    emulator = await startGraphEmulator({ clock: new FakeClock() });
    emulator.faults.add({ action: { kind: 'latency', ms: 60_000 } });
    const controller = new AbortController();
    const pending = new AutopilotGraph(client()).getImportedDevice('x', controller.signal);
    // Cancelled once Graph has the request; the answer would take a minute.
    while (!emulator.requests.length) await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    const error = await pending.catch((e: unknown) => e);
    assert.equal((error as Error).name, 'AbortError');
    assert.equal(emulator.requests[0]!.status, 0, 'the client stopped without waiting for the answer');
  });

  it('paces writes with its budget so Intune never throttles them', async function () {
    this.timeout(10_000);
    await emulator.close();
    emulator = await startGraphEmulator({ budgets: { windowMs: 400, appWrites: 5, tenantWrites: 10 } });
    const graph = new AutopilotGraph(client({ writeBudget: { limit: 5, windowMs: 400 } }));
    const started = Date.now();
    await Promise.all(fakeDevices(12).map((device) => graph.createImportedDevice(device)));
    assert.equal(emulator.requests.filter((r) => r.status === 429).length, 0);
    assert.equal(emulator.requests.filter((r) => r.status === 201).length, 12);
    assert.ok(Date.now() - started >= 800, '12 writes at 5 per 400 ms need at least two more windows');
  });

  it('finds a registered device by serial within the filter rules, with an exact match', async () => {
    const hashes = fakeDevices(3);
    emulator.state.seedRegistered('00000000-0000-4000-8000-00000000e1e1', { serialNumber: 'AB-1234-XYZ', hardwareIdentifier: hashes[0]!.hardwareIdentifier });
    emulator.state.seedRegistered('00000000-0000-4000-8000-00000000e1e1', { serialNumber: 'AB-1234-XYZW', hardwareIdentifier: hashes[1]!.hardwareIdentifier });
    emulator.state.seedRegistered('00000000-0000-4000-8000-00000000e1e1', { serialNumber: "O'NEIL 7", hardwareIdentifier: hashes[2]!.hardwareIdentifier });
    const graph = new AutopilotGraph(client());
    const found = await graph.findRegisteredDevicesBySerial('ab-1234-xyz');
    assert.deepEqual(found.map((d) => d.serialNumber), ['AB-1234-XYZ']);
    assert.deepEqual((await graph.findRegisteredDevicesBySerial("O'NEIL 7")).map((d) => d.serialNumber), ["O'NEIL 7"]);
    const filters = emulator.requests.map((r) => r.query.$filter);
    assert.deepEqual(filters, ["contains(serialNumber,'1234')", "contains(serialNumber,'O''NEIL')"]);
    assert.ok(emulator.requests.every((r) => r.status === 200));
  });

  it('treats sync 409 and 429 as outcomes, not failures, and never retries them', async () => {
    await emulator.close();
    // Intune's clock, driven by the test: a sync runs for 300 ms and the next may start 600 ms after the last.
    const intune = new FakeClock();
    emulator = await startGraphEmulator({ clock: intune, timing: { syncDurationMs: 300, syncMinIntervalMs: 600 } });
    const graph = new AutopilotGraph(client());
    assert.equal(await graph.syncAutopilot(), 'started');
    assert.equal(await graph.syncAutopilot(), 'already-running');
    await intune.advance(350);
    assert.equal(await graph.syncAutopilot(), 'too-soon');
    assert.deepEqual(emulator.requests.map((r) => `${r.path} ${r.status}`), [
      '/beta/deviceManagement/windowsAutopilotSettings/sync 204',
      '/beta/deviceManagement/windowsAutopilotSettings/sync 409',
      '/beta/deviceManagement/windowsAutopilotSettings/sync 429',
    ]);
    const settings = await graph.getAutopilotSettings();
    assert.equal(settings.syncStatus, 'completed');
  });
});
