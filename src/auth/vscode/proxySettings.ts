/**
 * VS Code's proxy settings, read the way the extension host reads them for its own proxy support (user settings in
 * a local window; any level in a remote one), for `hostProxyTransport` (see there for what VS Code does with them).
 */
import * as vscode from 'vscode';
import type { HostProxySettings, ProxySupport } from '../../common/hostProxy';
import { hostProxyTransport } from '../../common/hostProxy';
import type { HttpTransport } from '../../common/httpTransport';

function setting<T>(configuration: vscode.WorkspaceConfiguration, key: string, fallback: T): T {
  if (vscode.env.remoteName !== undefined) return configuration.get<T>(key) ?? fallback;
  const inspected = configuration.inspect<T>(key);
  return inspected?.globalValue ?? inspected?.defaultValue ?? fallback;
}

export function readHostProxySettings(): HostProxySettings {
  const http = vscode.workspace.getConfiguration('http');
  return {
    proxy: setting(http, 'proxy', ''),
    noProxy: setting<string[]>(http, 'noProxy', []),
    strictSSL: setting(http, 'proxyStrictSSL', true),
    support: setting<ProxySupport>(http, 'proxySupport', 'override'),
    env: process.env,
  };
}

/** The transport Graph and sign-in share in this window; settings are read per request, so changes apply at once. */
export function vscodeTransport(): HttpTransport {
  return hostProxyTransport(readHostProxySettings);
}
