/**
 * Where tokens come from and what they are for, derived from the selected cloud only: the authority is the cloud's
 * login host plus a tenant, and every scope is rooted at the cloud's Graph root, so switching cloud switches authority,
 * Graph root and scopes together (tokens are not interchangeable between clouds).
 */
import * as l10n from '@vscode/l10n';
import type { CloudEndpoints } from '../graph/clouds';

/** Microsoft Graph Command Line Tools: a Microsoft app present in every tenant, allowed to ask for Intune scopes. */
export const DEFAULT_CLIENT_ID = '14d82eec-204b-4c2f-b7e8-296a70dab67e';
/** Any work or school account; the user's home tenant is used. */
export const DEFAULT_TENANT = 'organizations';
/** The least-privileged permission that can import Autopilot devices. */
export const INTUNE_PERMISSION = 'DeviceManagementServiceConfig.ReadWrite.All';

/** Tenants that name no directory: fine for user sign-in, meaningless for app-only tokens. */
const TENANT_NEUTRAL = new Set(['organizations', 'common', 'consumers']);

// Hosts MSAL knows (it ships their metadata); every other authority host is "known" only because we say so.
const MICROSOFT_AUTHORITY_HOSTS = new Set([
  'login.microsoftonline.com',
  'login.windows.net',
  'login.microsoft.com',
  'sts.windows.net',
  'login.microsoftonline.us',
  'login.usgovcloudapi.net',
  'login.chinacloudapi.cn',
  'login.partner.microsoftonline.cn',
]);

export function delegatedScopes(endpoints: CloudEndpoints): string[] {
  return [`${endpoints.graphRoot}/${INTUNE_PERMISSION}`];
}

export function appOnlyScopes(endpoints: CloudEndpoints): string[] {
  return [`${endpoints.graphRoot}/.default`];
}

export function isTenantNeutral(tenant: string): boolean {
  return TENANT_NEUTRAL.has(tenant.toLowerCase());
}

export function authorityUrl(endpoints: CloudEndpoints, tenant: string): string {
  return `${endpoints.authorityHost}/${encodeURIComponent(tenant)}`;
}

/**
 * MSAL's `knownAuthorities`: empty for Microsoft's clouds (MSAL has their metadata built in), else the custom host,
 * which makes MSAL trust it without asking Microsoft's instance-discovery endpoint about it.
 */
export function knownAuthorities(endpoints: CloudEndpoints): string[] {
  const host = new URL(endpoints.authorityHost).host.toLowerCase();
  return MICROSOFT_AUTHORITY_HOSTS.has(host) ? [] : [host];
}

/**
 * Who reads a sign-in message: someone in VS Code, where settings are `autopilot.*` and actions are commands, or
 * someone in a terminal, where they are flags and environment variables. Messages speak the reader's language.
 */
export type AuthSurface = 'editor' | 'terminal';

export type AuthSettingName = 'authority' | 'tenant' | 'clientId' | 'cloud' | 'graphRoot';

const SETTING_NAMES: Record<AuthSurface, Record<AuthSettingName, string>> = {
  editor: {
    authority: 'autopilot.authority',
    tenant: 'autopilot.auth.tenantId',
    clientId: 'autopilot.auth.clientId',
    cloud: 'autopilot.cloud',
    graphRoot: 'autopilot.graphRoot',
  },
  terminal: {
    authority: '--authority (AUTOPILOT_AUTHORITY)',
    tenant: '--tenant (AUTOPILOT_TENANT_ID)',
    clientId: 'AUTOPILOT_CLIENT_ID',
    cloud: '--cloud',
    graphRoot: '--graph-root (AUTOPILOT_GRAPH_ROOT)',
  },
};

/** Where a setting lives for the reader: a VS Code setting, or a flag with its environment variable. */
export function settingName(surface: AuthSurface, setting: AuthSettingName): string {
  return SETTING_NAMES[surface][setting];
}

/** MSAL refuses plain-HTTP authorities; saying so up front gives a clearer message than MSAL's. */
export function checkAuthorityHost(authorityHost: string, surface: AuthSurface = 'editor'): void {
  let url: URL;
  try {
    url = new URL(authorityHost);
  } catch {
    throw new Error(
      l10n.t("The authority '{0}' is not a URL: set {1} to an https:// address such as https://login.microsoftonline.com.", authorityHost, settingName(surface, 'authority')),
    );
  }
  if (url.protocol !== 'https:') {
    throw new Error(l10n.t("The authority '{0}' must use https://: set {1} to an https:// address.", authorityHost, settingName(surface, 'authority')));
  }
}

/** A short, stable key for a cloud, used to keep token caches of different clouds apart. */
export function cloudKey(endpoints: CloudEndpoints): string {
  return new URL(endpoints.authorityHost).host.toLowerCase();
}
