/**
 * The terminal command's proxy support: `HTTPS_PROXY` for https:// URLs, `HTTP_PROXY` for http:// ones, `ALL_PROXY`
 * as a fall-back, `NO_PROXY` for exceptions — each in lower or upper case, lower case first, as curl and Azure's
 * tools read them. Basic proxy authentication comes from the URL (`http://user:password@proxy:8080`).
 *
 * Matching is `proxy-from-env`'s (exact host or `.suffix`, optional `:port`, `*` for everything); the tunnels are
 * `https-proxy-agent` (CONNECT) and `http-proxy-agent` (absolute-URI requests for http:// targets), the same
 * libraries VS Code's own proxy support is built on. A proxy URL without a scheme means http://, as in curl.
 * A TLS-inspecting proxy's CA comes through Node's `NODE_EXTRA_CA_CERTS`.
 */
import * as http from 'node:http';
import * as l10n from '@vscode/l10n';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';
import { directTransport, type HttpTransport, type ProxyInUse } from './httpTransport';

export class ProxyConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProxyConfigurationError';
  }
}

interface ConfiguredProxy extends ProxyInUse {
  readonly url: URL;
}

/** The variable (and its value) that names the proxy for a scheme, in proxy-from-env's order. */
function proxyVariable(env: NodeJS.ProcessEnv, scheme: string): { name: string; value: string } | undefined {
  for (const base of [`${scheme}_proxy`, 'all_proxy']) {
    for (const name of [base, base.toUpperCase()]) {
      const value = env[name]?.trim();
      if (value) return { name, value };
    }
  }
  return undefined;
}

function parseProxy(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value.includes('://') ? value : `http://${value}`);
  } catch {
    throw new ProxyConfigurationError(l10n.t('{0} is not a proxy URL ("{1}"): use http://host:port, or http://USER:PASSWORD@host:port.', name, redactCredentials(value)));
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ProxyConfigurationError(l10n.t('{0} names a {1} proxy; autopilot-devices supports http:// and https:// proxies.', name, url.protocol.replace(/:$/, '')));
  }
  return url;
}

function redactCredentials(text: string): string {
  return text.replace(/\/\/[^@/]*@/, '//***@');
}

/** Proxies from the process environment (as `proxy-from-env` reads it), for Graph and sign-in alike. */
export function environmentProxyTransport(): HttpTransport {
  const env = process.env;
  const direct = directTransport();
  const tunnels = new Map<string, http.Agent>();

  const proxyFor = (url: URL): ConfiguredProxy | undefined => {
    const scheme = url.protocol.replace(/:$/, '');
    const variable = proxyVariable(env, scheme);
    // proxy-from-env decides NO_PROXY, from the same process environment.
    if (!variable || !getProxyForUrl(url.href)) return undefined;
    const proxy = parseProxy(variable.name, variable.value);
    return { url: proxy, origin: proxy.origin, setting: variable.name, hasCredentials: proxy.username !== '' };
  };

  return {
    agentFor(url) {
      const proxy = proxyFor(url);
      if (!proxy) return direct.agentFor(url);
      const key = `${url.protocol}|${proxy.url.href}`;
      let agent = tunnels.get(key);
      if (!agent) {
        agent = url.protocol === 'https:' ? new HttpsProxyAgent(proxy.url, { keepAlive: true }) : new HttpProxyAgent(proxy.url, { keepAlive: true });
        tunnels.set(key, agent);
      }
      return agent;
    },
    tlsOptionsFor: () => undefined,
    proxyFor: (url) => {
      const proxy = proxyFor(url);
      return proxy && { origin: proxy.origin, setting: proxy.setting, hasCredentials: proxy.hasCredentials };
    },
    proxySetting: 'HTTPS_PROXY',
    dispose() {
      direct.dispose();
      for (const agent of tunnels.values()) agent.destroy();
      tunnels.clear();
    },
  };
}

/** Throws a ProxyConfigurationError now (before any request) if a proxy variable cannot be used. */
export function checkProxyEnvironment(): void {
  const env = process.env;
  for (const scheme of ['https', 'http']) {
    const variable = proxyVariable(env, scheme);
    if (variable) parseProxy(variable.name, variable.value);
  }
}
