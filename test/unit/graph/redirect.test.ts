/**
 * A 3xx from "Graph" (a misconfigured proxy, a hostile front end) is never followed: the client stops with an error
 * that names where it pointed, and nothing, least of all the Authorization header, reaches that place.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AutopilotGraph } from '../../../src/graph/autopilot';
import { GraphClient } from '../../../src/graph/client';
import { GraphRedirectError } from '../../../src/graph/errors';
import { fakeDevices } from '../../emulator/hashes';
import { startGraphEmulator, type GraphEmulator } from '../../emulator/server';

const IMPORTED_PATH = '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities';

describe('Graph client and redirects', function () {
  let emulator: GraphEmulator;
  let client: GraphClient;
  let graph: AutopilotGraph;
  let attacker: http.Server;
  let attackerOrigin: string;
  const attackerRequests: string[] = [];

  beforeEach(async () => {
    emulator = await startGraphEmulator({ timing: { processingDelayMs: 50, processingJitterMs: 0, registrationDelayMs: 50 } });
    client = new GraphClient({ graphRoot: emulator.url, getAccessToken: async () => emulator.staticToken, retry: { baseDelayMs: 5, maxDelayMs: 20 } });
    graph = new AutopilotGraph(client);
    attackerRequests.length = 0;
    attacker = http.createServer((req, res) => {
      attackerRequests.push(`${req.method} ${req.url} authorization=${req.headers.authorization ?? '-'}`);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"value":[]}');
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    client.dispose();
    await emulator.close();
    await new Promise((resolve) => attacker.close(resolve));
  });

  for (const status of [301, 302, 303, 307, 308] as const) {
    it(`refuses a ${status} to another origin on the import POST: a clear error naming it, nothing sent there, nothing imported`, async () => {
      emulator.faults.add({ method: 'POST', path: '/import', action: { kind: 'redirect', status, location: `${attackerOrigin}/steal?token=1` } });
      const error = await graph.importDevices(fakeDevices(2)).catch((e: unknown) => e);
      assert.ok(error instanceof GraphRedirectError, String(error));
      assert.equal(error.status, status);
      assert.ok(error.message.includes(`${attackerOrigin}/steal`), error.message);
      assert.match(error.message, /redirects are not followed, so no request or token went there/);
      assert.doesNotMatch(error.message, /token=1/, 'the query of the Location is not repeated');
      assert.deepEqual(attackerRequests, []);
      // One request, not retried, and nothing committed.
      assert.deepEqual(emulator.requests.map((r) => [r.method, r.status, r.committed]), [['POST', status, false]]);
    });
  }

  it('refuses a redirect to another origin on a read (the list), with nothing sent there', async () => {
    emulator.faults.add({ method: 'GET', path: IMPORTED_PATH, action: { kind: 'redirect', status: 302, location: `${attackerOrigin}${IMPORTED_PATH}` } });
    const error = await (async () => {
      for await (const page of graph.listImportedDevices({ pageSize: 10 })) assert.ok(Array.isArray(page));
    })().catch((e: unknown) => e);
    assert.ok(error instanceof GraphRedirectError && error.status === 302, String(error));
    assert.ok(error.message.includes(attackerOrigin), error.message);
    assert.deepEqual(attackerRequests, []);
    assert.equal(emulator.requests.length, 1);
  });

  it('does not follow a same-origin redirect either: one request, a clear error, no write sent twice', async () => {
    emulator.faults.add({ method: 'POST', path: '/import', action: { kind: 'redirect', status: 307, location: `${emulator.url}${IMPORTED_PATH}/import2` } });
    const error = await graph.importDevices(fakeDevices(1)).catch((e: unknown) => e);
    assert.ok(error instanceof GraphRedirectError && error.status === 307, String(error));
    assert.ok(error.message.includes(`${new URL(emulator.url).origin}${IMPORTED_PATH}/import2`), error.message);
    assert.match(error.message, /not a proxy or portal address/);
    assert.deepEqual(emulator.requests.map((r) => [r.path, r.committed]), [[`${IMPORTED_PATH}/import`, false]]);
    // The next import, with the fault gone, goes through: the client is not left in a bad state.
    const created = await graph.importDevices(fakeDevices(1, 'OK'));
    assert.equal(created.length, 1);
  });
});
