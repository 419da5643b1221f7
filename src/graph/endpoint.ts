/**
 * Where a token may go. Tokens travel only to the configured Graph root's origin, and plain `http://` is allowed only
 * for loopback hosts (the emulator, local proxies): anything else could leak a bearer token in clear text.
 */
import * as l10n from '@vscode/l10n';

export class UnsafeEndpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeEndpointError';
  }
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/** Parses and checks a Graph root (no version segment); returns it without a trailing slash. */
export function checkGraphRoot(graphRoot: string): URL {
  let url: URL;
  try {
    url = new URL(graphRoot);
  } catch {
    throw new UnsafeEndpointError(l10n.t("'{0}' is not a valid Graph root URL.", graphRoot));
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new UnsafeEndpointError(
      l10n.t('Refusing plain-http Graph root {0}: tokens may only travel over https (http is allowed for loopback hosts only).', url.origin),
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UnsafeEndpointError(l10n.t("'{0}' is not an http(s) URL.", graphRoot));
  }
  if (url.search || url.hash || url.username || url.password) {
    throw new UnsafeEndpointError(l10n.t('The Graph root {0} must not carry a query, fragment or credentials.', url.origin));
  }
  url.pathname = url.pathname.replace(/\/+$/, '');
  return url;
}
