/**
 * How Graph and sign-in requests leave the process: which `http.Agent` carries a request (direct, or through a
 * proxy), extra TLS options, and which proxy a request goes through, named the way the user configured it so a
 * proxy's "407 Proxy Authentication Required" becomes one sentence naming the setting to fix.
 *
 * The terminal command uses `environmentProxyTransport` (HTTPS_PROXY, HTTP_PROXY, NO_PROXY); the extension uses
 * `hostProxyTransport`, which leaves proxying to VS Code (see there why).
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as l10n from '@vscode/l10n';

export interface ProxyInUse {
  /** The proxy's origin without credentials, for messages and logs. */
  readonly origin: string;
  /** Where the user set it: `HTTPS_PROXY`, `https_proxy`, `the http.proxy setting`… */
  readonly setting: string;
  /** Whether the configured proxy URL carries a user name (so a 407 means wrong credentials rather than none). */
  readonly hasCredentials: boolean;
}

export interface HttpTransport {
  /** The agent for a request to `url`; undefined leaves the choice to Node (and, in VS Code, to its proxy support). */
  agentFor(url: URL): http.Agent | undefined;
  /** TLS options to merge into the request to `url` (for `http.proxyStrictSSL: false`). */
  tlsOptionsFor(url: URL): { readonly rejectUnauthorized: false } | undefined;
  /** The proxy a request to `url` goes through, as far as this process can know. */
  proxyFor(url: URL): ProxyInUse | undefined;
  /** The setting to name when a proxy asks for credentials and `proxyFor` cannot say which one. */
  readonly proxySetting: string;
  /** Closes pooled connections so a command-line process can exit promptly. */
  dispose(): void;
}

/** A proxy answered 407: the request never reached Graph or Entra ID. */
export class ProxyAuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProxyAuthenticationError';
  }
}

/** The one sentence for a 407: which proxy, and which setting to put (or correct) the credentials in. */
export function proxyAuthenticationMessage(transport: Pick<HttpTransport, 'proxyFor' | 'proxySetting'>, url: URL): string {
  const proxy = transport.proxyFor(url);
  if (proxy?.hasCredentials) {
    return l10n.t(
      'The proxy {0} refused the user name and password in {1} (407 Proxy Authentication Required): correct them there (http://USER:PASSWORD@host:port, special characters percent-encoded).',
      proxy.origin, proxy.setting);
  }
  return l10n.t(
    'The proxy {0} asks for a user name and password (407 Proxy Authentication Required): put them into {1} as http://USER:PASSWORD@host:port (special characters percent-encoded).',
    proxy?.origin ?? l10n.t('in use'), proxy?.setting ?? transport.proxySetting);
}

/** No proxy: pooled keep-alive connections straight to the server. */
export function directTransport(): HttpTransport {
  const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };
  return {
    agentFor: (url) => (url.protocol === 'https:' ? agents['https:'] : agents['http:']),
    tlsOptionsFor: () => undefined,
    proxyFor: () => undefined,
    proxySetting: 'HTTPS_PROXY',
    dispose: () => {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
