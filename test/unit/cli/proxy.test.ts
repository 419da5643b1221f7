/**
 * The terminal command behind a corporate proxy (SPEC section 6.4), end to end: a real forward proxy process (the npm
 * `proxy` package, started here, optionally demanding Basic credentials) between the bundled CLI and the sandbox
 * tenant. Every token request (HTTPS, through CONNECT) and every Graph request (plain HTTP on loopback, forwarded)
 * must go through it; a NO_PROXY host is reached directly; a 407 becomes one sentence naming the variable to fix.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fakeDevices } from '../../emulator/hashes';
import { startSandboxTenant, type SandboxTenant } from '../../emulator/sandboxTenant';
import { parseJsonOutput, runCli } from '../../support/cliRunner';
import { FORWARDED_FROM, startTestProxy, type ProxyEvent, type TestProxy } from '../../support/testProxy';
import { testTls } from '../auth/fixtures';

const SECRET = 'proxy-test-secret-value-81f2';
const FAST = { processingDelayMs: 150, processingJitterMs: 0, registrationDelayMs: 150, syncDurationMs: 100, syncMinIntervalMs: 60_000 };

describe('autopilot-devices behind a proxy (HTTPS_PROXY, HTTP_PROXY, NO_PROXY; a real proxy process)', function () {
  this.timeout(60_000);
  let tenant: SandboxTenant;
  let open: TestProxy;
  let guarded: TestProxy;
  let dir: string;

  before(async () => {
    tenant = await startSandboxTenant({ tls: testTls(), appSecret: SECRET, graph: { timing: FAST } });
    [open, guarded] = await Promise.all([startTestProxy(), startTestProxy({ credentials: 'svc-autopilot:p@ss:w0rd' })]);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-proxy-'));
  });

  after(async () => {
    await Promise.all([open?.stop(), guarded?.stop(), tenant?.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const graphOrigin = () => new URL(tenant.graph.url);
  const identityTarget = () => new URL(tenant.identity.origin).host;

  function importWith(env: Record<string, string>, name: string) {
    const file = path.join(dir, `${name}.autopilot.json`);
    fs.writeFileSync(file, JSON.stringify(fakeDevices(2, name.toUpperCase())));
    return runCli(
      ['import', file, '--wait', '--no-sync', '--json', '--journal', path.join(dir, 'journal'), '--poll-interval', '0.1',
        '--graph-root', tenant.graph.url, '--authority', tenant.identity.origin, '--tenant', tenant.tenantDomain],
      { env: { NODE_EXTRA_CA_CERTS: testTls().caFile, AUTOPILOT_CLIENT_ID: tenant.app!.clientId, AUTOPILOT_CLIENT_SECRET: SECRET, ...env } },
    );
  }

  /** What reached the emulators and the proxy while `action` ran. */
  async function observe<T>(proxy: TestProxy, action: () => Promise<T>) {
    const marks = { identity: tenant.identity.requests.length, graph: tenant.graph.requests.length, proxy: proxy.events.length };
    const result = await action();
    return {
      result,
      identity: tenant.identity.requests.slice(marks.identity),
      graph: tenant.graph.requests.slice(marks.graph),
      proxied: proxy.events.slice(marks.proxy),
    };
  }

  const forwardedGraph = (events: ProxyEvent[]) =>
    events.filter((e): e is Extract<ProxyEvent, { event: 'request' }> => e.event === 'request' && new URL(e.url).origin === graphOrigin().origin);

  it('sends every token and Graph request of an import through the proxy, none around it', async () => {
    const seen = await observe(open, () => importWith({ HTTPS_PROXY: open.url, HTTP_PROXY: open.url }, 'prox'));
    assert.equal(seen.result.code, 0, seen.result.stderr);
    assert.deepEqual(parseJsonOutput<{ runs: { devices: { status: string }[] }[] }>(seen.result).runs[0]!.devices.map((d) => d.status), ['complete', 'complete']);

    assert.ok(seen.identity.some((r) => r.grantType === 'client_credentials'), 'a token was requested');
    assert.deepEqual(seen.identity.filter((r) => r.remoteAddress !== FORWARDED_FROM), [], 'every sign-in request came from the proxy');
    assert.ok(seen.proxied.some((e) => e.event === 'connect' && e.target === identityTarget()), 'sign-in was tunnelled with CONNECT');

    assert.ok(seen.graph.length >= 3, 'the import, its polls and the registration check reached Graph');
    const forwarded = forwardedGraph(seen.proxied).map((e) => `${e.method} ${new URL(e.url).pathname}`).sort();
    assert.deepEqual(forwarded, seen.graph.map((r) => `${r.method} ${r.path}`).sort(), 'Graph saw exactly the requests the proxy forwarded');
  });

  it('reads the lower-case variables too, and reaches a NO_PROXY host directly', async () => {
    const seen = await observe(open, () => importWith({ https_proxy: open.url, http_proxy: open.url, no_proxy: `localhost,${graphOrigin().host}` }, 'noprox'));
    assert.equal(seen.result.code, 0, seen.result.stderr);
    assert.ok(seen.graph.length > 0);
    assert.deepEqual(forwardedGraph(seen.proxied), [], 'no Graph request went through the proxy');
    assert.ok(seen.identity.length > 0 && seen.identity.every((r) => r.remoteAddress === FORWARDED_FROM), 'sign-in still went through the proxy');
  });

  it('signs in and imports through a proxy that demands credentials, given in the URL', async () => {
    const url = guarded.urlWith('svc-autopilot', 'p@ss:w0rd');
    const seen = await observe(guarded, () => importWith({ HTTPS_PROXY: url, HTTP_PROXY: url }, 'auth'));
    assert.equal(seen.result.code, 0, seen.result.stderr);
    assert.ok(seen.proxied.length > 0 && seen.proxied.every((e) => e.authorized));
    assert.ok(!seen.result.stderr.includes('p@ss'), 'the proxy password is never printed');
  });

  it('turns a 407 on sign-in into one sentence naming HTTPS_PROXY, and sends nothing to Graph', async () => {
    const seen = await observe(guarded, () => importWith({ HTTPS_PROXY: guarded.url, HTTP_PROXY: guarded.url }, 'deny'));
    assert.equal(seen.result.code, 1);
    const message = parseJsonOutput<{ error: string }>(seen.result).error;
    assert.equal(message, `The proxy ${guarded.url} asks for a user name and password (407 Proxy Authentication Required): put them into HTTPS_PROXY as http://USER:PASSWORD@host:port (special characters percent-encoded).`);
    assert.equal(seen.result.stderr.trim().split('\n').filter((line) => line.startsWith('autopilot-devices:')).length, 1, seen.result.stderr);
    assert.equal(seen.graph.length, 0);
    assert.equal(seen.identity.length, 0, 'nothing got past the proxy');
  });

  it('turns a 407 from Graph into one sentence naming the variable in use (lower-case http_proxy here)', async () => {
    const file = path.join(dir, 'token.autopilot.json');
    fs.writeFileSync(file, JSON.stringify(fakeDevices(1, 'TOKN')));
    const run = await runCli(['import', file, '--json', '--journal', path.join(dir, 'journal'), '--graph-root', tenant.graph.url], {
      env: { AUTOPILOT_ACCESS_TOKEN: tenant.graph.staticToken, http_proxy: guarded.urlWith('svc-autopilot', 'wrong') },
    });
    assert.equal(run.code, 1);
    assert.match(parseJsonOutput<{ error: string }>(run).error, /^The proxy http:\/\/127\.0\.0\.1:\d+ refused the user name and password in http_proxy \(407 Proxy Authentication Required\): correct them there/);
    assert.ok(!run.stderr.includes('wrong'), 'the password is never printed');
  });

  it('whoami says which proxy applies; an unusable proxy variable is named before anything is sent', async () => {
    const whoami = await runCli(['whoami', '--json', '--graph-root', tenant.graph.url], { env: { AUTOPILOT_ACCESS_TOKEN: tenant.graph.staticToken, HTTP_PROXY: open.url } });
    assert.equal(whoami.code, 0, whoami.stderr);
    assert.deepEqual(parseJsonOutput<{ proxy: unknown }>(whoami).proxy, { url: open.url, variable: 'HTTP_PROXY' });
    const socks = await runCli(['whoami', '--graph-root', tenant.graph.url], { env: { AUTOPILOT_ACCESS_TOKEN: tenant.graph.staticToken, HTTPS_PROXY: 'socks5://127.0.0.1:1080' } });
    assert.equal(socks.code, 1);
    assert.match(socks.stderr, /HTTPS_PROXY names a socks5 proxy; autopilot-devices supports http:\/\/ and https:\/\/ proxies/);
  });
});
