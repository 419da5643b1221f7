/**
 * The device-login page of the emulated Entra ID ("microsoft.com/devicelogin"), where a user enters the code an app
 * shows and approves it as an account.
 *
 * Real Entra serves this page on its own host, apart from the token endpoint, and so does the emulator: on a
 * plain-http loopback listener. That is how a browser reaches it without a certificate warning, and how it works
 * through code-server: `env.openExternal` maps a loopback URL to code-server's port proxy (`/proxy/PORT/…`), which
 * forwards plain http, so an HTTPS-only page would answer the proxy with a failed handshake ("socket hang up").
 * The token endpoint stays HTTPS (MSAL refuses anything else). The same page is also served there, at /devicelogin.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeviceCodeGrants } from './deviceCodes';
import type { Directory } from './directory';
import { deviceLoginDonePage, deviceLoginPage } from './pages';

export interface PageReply {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

function htmlReply(status: number, body: string): PageReply {
  // The proxy in front of the page may be shared: nothing here may be cached.
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, body };
}

export class DeviceLoginSite {
  private constructor(
    private readonly server: http.Server,
    /** `http://127.0.0.1:PORT/devicelogin`: the verification URI device-code answers name. */
    readonly url: string,
    private readonly handler: { handle(method: string, body: string): PageReply },
  ) {}

  /** Starts the plain-http listener; `handle` answers its requests (and the HTTPS host's /devicelogin). */
  static async start(handler: { handle(method: string, body: string): PageReply }, host = '127.0.0.1'): Promise<DeviceLoginSite> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const site = new DeviceLoginSite(server, `http://${host}:${port}/devicelogin`, handler);
    server.on('request', (req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        const path = new URL(req.url ?? '/', site.url).pathname;
        const reply =
          path === '/devicelogin' || path === '/devicelogin/'
            ? site.handler.handle(req.method ?? 'GET', body)
            : path === '/'
              ? { status: 302, headers: { location: 'devicelogin' }, body: '' }
              : htmlReply(404, 'Not found');
        res.writeHead(reply.status, reply.headers);
        res.end(reply.body);
      });
    });
    return site;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** What the page does with a request: show the form, or approve or decline the code typed into it. */
export class DeviceLoginPages {
  constructor(
    private readonly grants: DeviceCodeGrants,
    private readonly directory: Directory,
    private readonly defaultAccount: string,
  ) {}

  handle(method: string, body: string): PageReply {
    const accounts = [...this.directory.users.values()].map((user) => user.username);
    if (method !== 'POST') return htmlReply(200, deviceLoginPage({ accounts, account: this.defaultAccount }));
    const form = new URLSearchParams(body);
    const code = (form.get('user_code') ?? '').trim();
    const account = (form.get('username') ?? '').trim() || this.defaultAccount;
    const again = (problem: string) => htmlReply(400, deviceLoginPage({ problem, code, account, accounts }));

    const { state, clientId } = this.grants.lookup(code);
    if (state === 'unknown') return again("That code didn't work. Check the code and try again.");
    if (state === 'expired') return again('That code has expired. Start the sign-in again in VS Code to get a new code.');
    if (state !== 'pending') return again('That code was already used. Start the sign-in again in VS Code to get a new code.');
    const appName = this.directory.apps.get((clientId ?? '').toLowerCase())?.displayName ?? clientId ?? '';
    if (form.get('action') === 'decline') {
      this.grants.decline(code);
      return htmlReply(200, deviceLoginDonePage({ kind: 'declined', appName }));
    }
    const user = this.directory.user(account);
    if (!user) return again(`We couldn't find an account with the name ${account}. Enter an account of this directory, such as ${this.defaultAccount}.`);
    this.grants.approve(code, user);
    return htmlReply(200, deviceLoginDonePage({ kind: 'signed-in', appName, account: user.username }));
  }
}
