/**
 * The extension behind a proxy, inside a real VS Code (code-server's extension host): `http.proxy`, `http.noProxy`,
 * `http.proxyStrictSSL` and `http.proxySupport` for sign-in and Graph, with a real proxy process (the npm `proxy`
 * package) that can demand credentials. The sandbox tenant listens on 127.0.0.2, because VS Code's proxy support
 * sends `localhost`/`127.0.0.1` direct whatever the settings say; the proxy connects upstream from 127.0.0.3, so the
 * emulators' records show what came through it. What the extension host does is written up in `src/common/hostProxy.ts`.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/extension';
import type { ImportFileResult } from '../../../src/commands/importFile';
import { fakeDevices } from '../../emulator/hashes';
import { CONTOSO } from '../../emulator/identity/directory';
import { startIdentityEmulator, type IdentityEmulator } from '../../emulator/identity/identityEmulator';
import { createTestTls, testTlsFromEnvironment } from '../../emulator/identity/testTls';
import { startSandboxTenant, type SandboxTenant } from '../../emulator/sandboxTenant';
import { eventually } from '../../support/eventually';
import { FORWARDED_FROM, startTestProxy, type ProxyEvent, type TestProxy } from '../../support/testProxy';

const EXTENSION_ID = 'autopilot-devices.autopilot-devices';
const SECRET = 'proxy-integration-secret-5d1e';
const AUTOPILOT_SETTINGS: Record<string, unknown> = { cloud: 'custom', 'poll.intervalSeconds': 1, 'import.askForGroupTag': false, 'import.syncAfterImport': false };
const HTTP_SETTINGS = ['proxy', 'noProxy', 'proxyStrictSSL', 'proxySupport'] as const;

describe('Behind a proxy in VS Code (http.proxy, http.noProxy, http.proxyStrictSSL; a real proxy process)', function () {
  this.timeout(120_000);
  let api: ExtensionApi;
  let sandbox: SandboxTenant;
  let open: TestProxy;
  let guarded: TestProxy;
  const autopilot = () => vscode.workspace.getConfiguration('autopilot');
  const http = () => vscode.workspace.getConfiguration('http');
  const setHttp = (key: (typeof HTTP_SETTINGS)[number], value: unknown) => http().update(key, value, vscode.ConfigurationTarget.Global);

  before(async () => {
    const extension = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
    sandbox = await startSandboxTenant({
      tls: testTlsFromEnvironment(),
      appSecret: SECRET,
      identity: { host: '127.0.0.2' },
      graph: { host: '127.0.0.2', timing: { processingDelayMs: 300, processingJitterMs: 0, registrationDelayMs: 300, syncDurationMs: 100, syncMinIntervalMs: 60_000 } },
    });
    [open, guarded] = await Promise.all([startTestProxy(), startTestProxy({ credentials: 'svc-autopilot:Pa55:word' })]);
    for (const [key, value] of Object.entries({ ...AUTOPILOT_SETTINGS, authority: sandbox.identity.authorityHost, graphRoot: sandbox.graph.url })) {
      await autopilot().update(key, value, vscode.ConfigurationTarget.Global);
    }
    await eventually('the sandbox cloud', () => !api.auth.settingsProblem && api.auth.settings.endpoints.graphRoot === sandbox.graph.url);
    await setHttp('proxy', open.url);
  });

  after(async () => {
    for (const account of [...(api?.auth.accounts ?? [])]) await api.auth.signOut(account.id);
    for (const key of HTTP_SETTINGS) await setHttp(key, undefined);
    for (const key of [...Object.keys(AUTOPILOT_SETTINGS), 'authority', 'graphRoot']) await autopilot().update(key, undefined, vscode.ConfigurationTarget.Global);
    await Promise.all([open?.stop(), guarded?.stop(), sandbox?.close()]);
  });

  const signIn = () => api.auth.signInApp({ clientId: sandbox.app!.clientId, tenantId: CONTOSO.domain, credential: { kind: 'secret', secret: SECRET } });

  const forwardedGraph = (events: readonly ProxyEvent[]) =>
    events.filter((e): e is Extract<ProxyEvent, { event: 'request' }> => e.event === 'request' && new URL(e.url).origin === new URL(sandbox.graph.url).origin);

  async function importDevices(prefix: string): Promise<string> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const uri = vscode.Uri.joinPath(folder.uri, 'imports', `${prefix}.autopilot.json`);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify(fakeDevices(2, prefix))));
    const result = await vscode.commands.executeCommand<ImportFileResult>('autopilot.importFile', uri, { groupTag: null });
    assert.ok(result && result.outcome === 'processed', `the import ran to the end (${String(result?.outcome)})`);
    await eventually(`run ${result.runId} to be idle`, () => api.imports.run(result.runId)?.activity === 'idle');
    return result.runId;
  }

  async function observe<T>(proxy: TestProxy, action: () => Promise<T>) {
    const marks = { identity: sandbox.identity.requests.length, graph: sandbox.graph.requests.length, proxy: proxy.events.length };
    const result = await action();
    return {
      result,
      identity: sandbox.identity.requests.slice(marks.identity),
      graph: sandbox.graph.requests.slice(marks.graph),
      proxied: proxy.events.slice(marks.proxy),
      before: { graph: sandbox.graph.requests.slice(0, marks.graph), proxied: proxy.events.slice(0, marks.proxy) },
    };
  }

  /**
   * Every Graph request of the window came through the proxy. Looks at earlier runs go on in the background, so a
   * request the proxy forwarded just before the window may reach Graph just inside it, and one forwarded at its end
   * may not have reached Graph yet: Graph's requests are matched, in order, against the proxy's whole history.
   */
  function assertEveryGraphRequestProxied(seen: Awaited<ReturnType<typeof observe>>): void {
    const key = (method: string, pathname: string) => `${method} ${pathname}`;
    const forwarded = forwardedGraph([...seen.before.proxied, ...seen.proxied]).map((e) => key(e.method, new URL(e.url).pathname));
    const take = (request: { method: string; path: string }) => {
      const at = forwarded.indexOf(key(request.method, request.path));
      if (at >= 0) forwarded.splice(at, 1);
      return at >= 0;
    };
    for (const request of seen.before.graph) take(request);
    for (const request of seen.graph) assert.ok(take(request), `${request.method} ${request.path} reached Graph without the proxy`);
  }

  it('signs in and imports through http.proxy: every token and Graph request goes through the proxy', async () => {
    const seen = await observe(open, async () => {
      await signIn();
      return importDevices('VIAPROXY');
    });
    assert.ok(seen.identity.some((r) => r.grantType === 'client_credentials'));
    assert.deepEqual(seen.identity.filter((r) => r.remoteAddress !== FORWARDED_FROM).map((r) => r.path), [], 'no sign-in request bypassed the proxy');
    assert.ok(seen.graph.length >= 3);
    assertEveryGraphRequestProxied(seen);
  });

  it('still proxies Graph with http.proxySupport "on" (the extension passes no agent of its own)', async () => {
    await setHttp('proxySupport', 'on');
    try {
      const seen = await observe(open, () => importDevices('SUPPORTON'));
      assert.ok(seen.graph.length > 0);
      assertEveryGraphRequestProxied(seen);
    } finally {
      await setHttp('proxySupport', undefined);
    }
  });

  it('reaches an http.noProxy host directly', async () => {
    await setHttp('noProxy', ['127.0.0.2']);
    try {
      const seen = await observe(open, async () => {
        await signIn();
        return importDevices('NOPROXY');
      });
      assert.ok(seen.graph.length > 0 && seen.identity.length > 0);
      assert.deepEqual(forwardedGraph(seen.proxied), []);
      assert.ok(seen.identity.every((r) => r.remoteAddress !== FORWARDED_FROM), 'sign-in went direct');
    } finally {
      await setHttp('noProxy', undefined);
    }
  });

  it('sends the credentials in http.proxy to a proxy that demands them', async () => {
    await setHttp('proxy', guarded.urlWith('svc-autopilot', 'Pa55:word'));
    try {
      const seen = await observe(guarded, async () => {
        await signIn();
        return importDevices('AUTHPROXY');
      });
      assert.ok(seen.proxied.length > 0 && seen.proxied.every((e) => e.authorized));
      assert.ok(seen.identity.every((r) => r.remoteAddress === FORWARDED_FROM));
    } finally {
      await setHttp('proxy', open.url);
    }
  });

  it('turns a 407 into one sentence naming http.proxy, for sign-in and for Graph', async () => {
    await setHttp('proxy', guarded.url);
    try {
      await assert.rejects(signIn(), (error: Error) => {
        assert.equal(error.message, `The proxy ${guarded.url} asks for a user name and password (407 Proxy Authentication Required): put them into the http.proxy setting as http://USER:PASSWORD@host:port (special characters percent-encoded).`);
        return true;
      });
      // The app signed in earlier still has a token: its Graph requests meet the same proxy.
      const graphBefore = sandbox.graph.requests.length;
      const folder = vscode.workspace.workspaceFolders![0]!;
      const uri = vscode.Uri.joinPath(folder.uri, 'imports', 'DENIED.autopilot.json');
      await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify(fakeDevices(1, 'DENIED'))));
      await vscode.commands.executeCommand('autopilot.importFile', uri, { groupTag: null });
      const logFile = vscode.Uri.joinPath(api.context.logUri, 'Autopilot.log');
      await eventually('the 407 sentence in the log', async () =>
        Buffer.from(await vscode.workspace.fs.readFile(logFile)).toString('utf8').includes(`The proxy ${guarded.url} asks for a user name and password (407 Proxy Authentication Required): put them into the http.proxy setting`),
      );
      assert.equal(sandbox.graph.requests.length, graphBefore, 'nothing reached Graph');
    } finally {
      await setHttp('proxy', open.url);
    }
  });

  describe('http.proxyStrictSSL, for a TLS-inspecting proxy whose CA this machine does not trust', () => {
    let untrusted: IdentityEmulator;

    before(async () => {
      // A sign-in service whose certificate chains to a CA nobody here trusts: what a TLS-inspecting proxy presents.
      untrusted = await startIdentityEmulator({ tls: createTestTls(), host: '127.0.0.2' });
      untrusted.addApp({ ...sandbox.app!, secrets: [SECRET] });
      await autopilot().update('authority', untrusted.authorityHost, vscode.ConfigurationTarget.Global);
      await eventually('the new authority', () => !api.auth.settingsProblem && api.auth.settings.endpoints.authorityHost === untrusted.authorityHost);
    });

    after(async () => {
      await setHttp('proxyStrictSSL', undefined);
      await autopilot().update('authority', sandbox.identity.authorityHost, vscode.ConfigurationTarget.Global);
      await untrusted?.stop();
    });

    it('verifies certificates by default, through the proxy too', async () => {
      // The failure names its cause: a certificate from a CA this machine does not trust.
      await assert.rejects(signIn(), /presented an untrusted certificate \(\w+\): if it comes from a private CA or a TLS-inspecting proxy/);
    });

    it('skips verification for requests through the proxy when http.proxyStrictSSL is false', async () => {
      await setHttp('proxyStrictSSL', false);
      const seen = await observe(open, () => signIn());
      assert.equal(seen.result.kind, 'app');
      assert.ok(seen.proxied.some((e) => e.event === 'connect' && e.target === new URL(untrusted.authorityHost).host));
    });

    it('but not for an http.noProxy host, which is reached directly', async () => {
      await setHttp('proxyStrictSSL', false);
      await setHttp('noProxy', ['127.0.0.2']);
      try {
        await assert.rejects(signIn(), /presented an untrusted certificate \(\w+\)/);
      } finally {
        await setHttp('noProxy', undefined);
      }
    });
  });
});
