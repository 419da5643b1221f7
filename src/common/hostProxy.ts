/**
 * The extension's transport: proxying is VS Code's job, and this transport only fills the gaps. What the extension
 * host does today (checked in code-server 4.139 / VS Code 1.139, `@vscode/proxy-agent` 0.45, and by the proxy
 * integration test):
 *
 * - It replaces `request` and `get` of Node's `http` and `https` modules for every extension (the module objects
 *   themselves are patched, so our bundled node-fetch and MSAL's network client go through it too). With
 *   `http.proxySupport` `override` (the default) or `fallback`, each request gets VS Code's agent, which resolves the
 *   proxy per URL: `http.proxy`, else the extension host's `HTTPS_PROXY`/`HTTP_PROXY`, else the system proxy (PAC,
 *   Kerberos and Basic prompts included). With `on`, only requests *without an agent of their own* are proxied; with
 *   `off`, nothing is. So the extension passes no agent at all (`agentFor` is undefined): a pooled agent of our own
 *   would opt Graph out of the proxy under `on`.
 * - `http.noProxy` (else the host's `NO_PROXY`) is honoured by that agent, as host suffixes with an optional port.
 *   `localhost`, `127.0.0.1` and `::1` always go direct.
 * - Credentials in `http.proxy` (`http://user:password@proxy:8080`) are sent as Basic proxy authorization. A proxy's
 *   407 on a tunnel reaches the request as a 407 response, which the Graph client and MSAL's network client turn into
 *   one sentence naming `http.proxy` (`proxyFor`).
 * - `http.proxyStrictSSL` is *not* applied by the extension host (only by VS Code's own downloads), so this transport
 *   applies it: when it is false, requests that go through the configured proxy skip certificate verification
 *   (`tlsOptionsFor`), which is what users behind a TLS-inspecting proxy without its CA in the system store set it
 *   for. With the CA in the operating system's store, `http.systemCertificates` (on by default) already suffices.
 */
import type { HttpTransport, ProxyInUse } from './httpTransport';

export type ProxySupport = 'off' | 'on' | 'fallback' | 'override';

export interface HostProxySettings {
  /** `http.proxy`, or '' when unset. */
  readonly proxy: string;
  readonly noProxy: readonly string[];
  readonly strictSSL: boolean;
  readonly support: ProxySupport;
  /** The extension host's environment, which VS Code falls back to when `http.proxy` is unset. */
  readonly env: NodeJS.ProcessEnv;
}

const ALWAYS_DIRECT = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** VS Code's rule for `http.noProxy` / NO_PROXY entries: a host suffix (a bare name matches its subdomains too), optional port. */
function bypassed(url: URL, entries: readonly string[]): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return entries.some((entry) => {
    const [name = '', entryPort] = entry.trim().toLowerCase().split(':', 2);
    if (name === '*') return true;
    if (!name) return false;
    const domain = name.startsWith('.') ? name : `.${name}`;
    return `.${host}`.endsWith(domain) && (!entryPort || entryPort === port);
  });
}

/** The proxy VS Code would use for `url`, as far as settings and environment say (a system proxy cannot be seen). */
export function hostProxyFor(url: URL, settings: HostProxySettings): (ProxyInUse & { url: string }) | undefined {
  if (settings.support === 'off' || ALWAYS_DIRECT.has(url.hostname.toLowerCase())) return undefined;
  const { env } = settings;
  const fromEnv = (['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY'] as const).find((name) => env[name]?.trim());
  const configured = settings.proxy.trim() ? { value: settings.proxy.trim(), setting: 'the http.proxy setting' } : fromEnv ? { value: env[fromEnv]!.trim(), setting: fromEnv } : undefined;
  if (!configured) return undefined;
  const noProxy = settings.noProxy.length ? settings.noProxy : (env.no_proxy ?? env.NO_PROXY ?? '').split(',');
  if (bypassed(url, noProxy)) return undefined;
  try {
    const proxy = new URL(configured.value);
    return { url: proxy.href, origin: proxy.origin, setting: configured.setting, hasCredentials: proxy.username !== '' };
  } catch {
    return undefined;
  }
}

export function hostProxyTransport(settings: () => HostProxySettings): HttpTransport {
  return {
    agentFor: () => undefined,
    tlsOptionsFor: (url) => {
      const current = settings();
      return !current.strictSSL && url.protocol === 'https:' && hostProxyFor(url, current) ? { rejectUnauthorized: false } : undefined;
    },
    proxyFor: (url) => {
      const proxy = hostProxyFor(url, settings());
      return proxy && { origin: proxy.origin, setting: proxy.setting, hasCredentials: proxy.hasCredentials };
    },
    proxySetting: 'the http.proxy setting',
    dispose: () => undefined,
  };
}
