/**
 * `http://` Graph roots and authorities outside loopback are refused by the terminal command, from a flag or from the
 * environment, for every command that talks to Graph: exit 1 (a failure before anything was sent, SPEC section 6),
 * one clear line on stderr, and no request at all reaches the host (a server on this machine's non-loopback address
 * stands for it).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { fakeDevices } from '../../emulator/hashes';
import { runCli } from '../../support/cliRunner';

/** This machine's first non-loopback IPv4 address: plain http to it would cross a network. */
function externalAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((entry) => entry && entry.family === 'IPv4' && !entry.internal)?.address;
}

describe('autopilot-devices refuses plain-http endpoints outside loopback', function () {
  this.timeout(60_000);
  const address = externalAddress();
  let server: http.Server;
  let origin: string;
  const received: string[] = [];
  let dir: string;
  let payload: string;

  before(async function () {
    if (!address) this.skip(); // no network interface besides loopback: nothing to stand for a remote host
    server = http.createServer((req, res) => {
      received.push(`${req.method} ${req.url} authorization=${req.headers.authorization ? 'yes' : 'no'}`);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"value":[]}');
    });
    await new Promise<void>((resolve) => server.listen(0, address, resolve));
    origin = `http://${address}:${(server.address() as AddressInfo).port}`;
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-plain-http-'));
    payload = path.join(dir, 'devices.autopilot.json');
    fs.writeFileSync(payload, JSON.stringify(fakeDevices(2)));
  });

  after(async () => {
    if (server) await new Promise((resolve) => server.close(resolve));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const TOKEN = { AUTOPILOT_ACCESS_TOKEN: 'a-token-that-must-not-travel-in-clear-text' };
  const cases: { name: string; args: (root: string) => string[]; env: (root: string) => Record<string, string>; message: RegExp }[] = [
    { name: 'import --graph-root', args: (root) => ['import', payload, '--graph-root', root], env: () => TOKEN, message: /^autopilot-devices: Refusing plain-http Graph root http:\/\//m },
    { name: 'import with AUTOPILOT_GRAPH_ROOT', args: () => ['import', payload], env: (root) => ({ ...TOKEN, AUTOPILOT_GRAPH_ROOT: root }), message: /Refusing plain-http Graph root/ },
    { name: 'status with AUTOPILOT_GRAPH_ROOT', args: () => ['status'], env: (root) => ({ ...TOKEN, AUTOPILOT_GRAPH_ROOT: root }), message: /Refusing plain-http Graph root/ },
    { name: 'sync --graph-root', args: (root) => ['sync', '--graph-root', root], env: () => TOKEN, message: /Refusing plain-http Graph root/ },
    { name: 'resume --graph-root', args: (root) => ['resume', '--graph-root', root], env: () => TOKEN, message: /Refusing plain-http Graph root/ },
    {
      name: 'a root that only looks like loopback (userinfo 127.0.0.1@host)',
      args: (root) => ['import', payload, '--graph-root', root.replace('http://', 'http://127.0.0.1@')],
      env: () => TOKEN,
      message: /Refusing plain-http Graph root|must not carry a query, fragment or credentials/,
    },
    {
      name: 'import --authority for app-only sign-in',
      args: (root) => ['import', payload, '--cloud', 'custom', '--graph-root', 'https://graph.example.com', '--authority', root, '--tenant', 'contoso.onmicrosoft.com'],
      env: () => ({ AUTOPILOT_CLIENT_ID: '00000000-0000-0000-0000-000000000001', AUTOPILOT_CLIENT_SECRET: 'a-secret-that-must-not-travel' }),
      // In the terminal's words: the flag and its environment variable, not a VS Code setting.
      message: /^autopilot-devices: The authority 'http:\/\/[^']+' must use https:\/\/: set --authority \(AUTOPILOT_AUTHORITY\) to an https:\/\/ address\.$/m,
    },
    {
      name: 'AUTOPILOT_AUTHORITY for app-only sign-in',
      args: () => ['import', payload, '--cloud', 'custom', '--graph-root', 'https://graph.example.com', '--tenant', 'contoso.onmicrosoft.com'],
      env: (root) => ({ AUTOPILOT_AUTHORITY: root, AUTOPILOT_CLIENT_ID: '00000000-0000-0000-0000-000000000001', AUTOPILOT_CLIENT_SECRET: 'a-secret-that-must-not-travel' }),
      message: /^autopilot-devices: The authority 'http:\/\/[^']+' must use https:\/\//,
    },
  ];

  for (const testCase of cases) {
    it(`${testCase.name}: exit 1, one line naming the problem, nothing sent`, async () => {
      const args = testCase.args(origin);
      if (args[0] !== 'sync') args.push('--journal', path.join(dir, 'journal'));
      const run = await runCli(args, { env: testCase.env(origin), cwd: dir });
      assert.equal(run.code, 1, run.stderr);
      assert.equal(run.stdout, '');
      assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
      assert.match(run.stderr, testCase.message);
      assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
      assert.deepEqual(received, []);
    });
  }
});
