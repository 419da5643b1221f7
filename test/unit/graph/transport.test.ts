/**
 * The extension's transport rules (what VS Code's proxy support does, mirrored where the extension must know it), and
 * that a per-request TLS option really reaches Node through the Graph client (the `http.proxyStrictSSL: false` path).
 */
import * as assert from 'node:assert/strict';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { hostProxyFor, hostProxyTransport, type HostProxySettings } from '../../../src/common/hostProxy';
import { GraphClient } from '../../../src/graph/client';
import { GraphNetworkError } from '../../../src/graph/errors';
import { createTestTls } from '../../emulator/identity/testTls';

const base: HostProxySettings = { proxy: 'http://proxy.contoso.com:8080', noProxy: [], strictSSL: true, support: 'override', env: {} };

describe('The extension’s transport (VS Code proxy settings)', () => {
  it('applies http.proxy except to http.noProxy hosts (suffixes, ports), loopback, and with proxy support off', () => {
    const graph = new URL('https://graph.microsoft.com/v1.0/x');
    assert.equal(hostProxyFor(graph, base)?.origin, 'http://proxy.contoso.com:8080');
    assert.equal(hostProxyFor(graph, base)?.setting, 'the http.proxy setting');
    assert.equal(hostProxyFor(graph, { ...base, noProxy: ['microsoft.com'] }), undefined, 'a bare name covers subdomains');
    assert.equal(hostProxyFor(graph, { ...base, noProxy: ['.microsoft.com:443'] }), undefined);
    assert.ok(hostProxyFor(graph, { ...base, noProxy: ['microsoft.com:8443'] }), 'another port does not match');
    assert.equal(hostProxyFor(graph, { ...base, noProxy: ['*'] }), undefined);
    assert.equal(hostProxyFor(new URL('http://127.0.0.1:3000'), base), undefined, 'VS Code sends loopback direct');
    assert.ok(hostProxyFor(new URL('http://127.0.0.2:3000'), base), 'other loopback addresses are proxied');
    assert.equal(hostProxyFor(graph, { ...base, support: 'off' }), undefined);
  });

  it('falls back to the extension host’s HTTPS_PROXY and NO_PROXY as VS Code does', () => {
    const env = { HTTPS_PROXY: 'http://user:pw@envproxy:3128', NO_PROXY: 'login.microsoftonline.com' };
    const graph = hostProxyFor(new URL('https://graph.microsoft.com'), { ...base, proxy: '', env });
    assert.deepEqual(graph && { origin: graph.origin, setting: graph.setting, hasCredentials: graph.hasCredentials }, { origin: 'http://envproxy:3128', setting: 'HTTPS_PROXY', hasCredentials: true });
    assert.equal(hostProxyFor(new URL('https://login.microsoftonline.com'), { ...base, proxy: '', env }), undefined);
  });

  it('passes no agent (so VS Code’s own applies), and skips certificate checks only through the proxy with http.proxyStrictSSL false', () => {
    let settings = base;
    const transport = hostProxyTransport(() => settings);
    const graph = new URL('https://graph.microsoft.com');
    assert.equal(transport.agentFor(graph), undefined);
    assert.equal(transport.tlsOptionsFor(graph), undefined);
    settings = { ...base, strictSSL: false };
    assert.deepEqual(transport.tlsOptionsFor(graph), { rejectUnauthorized: false });
    settings = { ...base, strictSSL: false, noProxy: ['graph.microsoft.com'] };
    assert.equal(transport.tlsOptionsFor(graph), undefined);
  });

  it('the Graph client hands the TLS option to Node: an untrusted certificate is refused, then accepted with strictSSL off', async () => {
    const tls = createTestTls();
    const server = https.createServer({ key: tls.serverKey, cert: tls.serverCert }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"value":[]}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
    const root = `https://127.0.0.2:${(server.address() as AddressInfo).port}`;
    try {
      let settings: HostProxySettings = { ...base, proxy: '', env: { HTTPS_PROXY: 'http://unused-in-plain-node:1' } };
      const client = new GraphClient({ graphRoot: root, getAccessToken: async () => 'token', transport: hostProxyTransport(() => settings), retry: { maxNetworkRetries: 0 } });
      await assert.rejects(client.get('deviceManagement/x'), (error: unknown) => error instanceof GraphNetworkError && error.kind === 'tls');
      settings = { ...settings, strictSSL: false };
      assert.deepEqual((await client.get<{ value: unknown[] }>('deviceManagement/x')).body, { value: [] });
      client.dispose();
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
