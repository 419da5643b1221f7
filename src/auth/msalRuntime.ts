/**
 * Loads MSAL on first use (esbuild turns the dynamic import into a lazily initialised module inside the bundle, so
 * activation and CLI start-up do not pay for it) and builds the configuration both client kinds share.
 */
import type { Configuration, ICachePlugin, NodeSystemOptions } from '@azure/msal-node';
import type { Logger } from '../common/logger';
import type { CloudEndpoints } from '../graph/clouds';
import { authorityUrl, checkAuthorityHost, knownAuthorities, type AuthSurface } from './authConfig';
import type { AuthNetworkClient } from './networkClient';

export type Msal = typeof import('@azure/msal-node');

let loading: Promise<Msal> | undefined;

export function loadMsal(): Promise<Msal> {
  loading ??= import('@azure/msal-node');
  return loading;
}

// MSAL's numeric levels (msal-common `LogLevel`), spelt out so this module need not load MSAL to name them.
const MSAL_ERROR = 0;
const MSAL_WARNING = 1;
const MSAL_INFO = 2;

// A JWT (access, ID or assertion token) or a long base64url run: MSAL should never log one without the PII flag,
// but a leak here would be permanent, so mask anything that looks like one.
const SECRET_LOOKING = /eyJ[\w-]{8,}\.[\w-]{8,}\.[\w-]*|[A-Za-z0-9_-]{60,}/g;

export function redactSecrets(message: string): string {
  return message.replace(SECRET_LOOKING, '[redacted]');
}

/**
 * MSAL's log goes to ours one level down (its "info" is our debug), and messages MSAL flags as containing personal
 * data are dropped, as VS Code's own Microsoft sign-in does.
 */
export function msalLoggerOptions(log: Logger): NonNullable<NodeSystemOptions['loggerOptions']> {
  return {
    piiLoggingEnabled: false,
    logLevel: 4 /* Trace: filtering is the Logger's business */,
    loggerCallback: (level: number, message: string, containsPii: boolean) => {
      if (containsPii) return;
      const text = `[msal] ${redactSecrets(message)}`;
      if (level === MSAL_ERROR) log.error(text);
      else if (level === MSAL_WARNING) log.warn(text);
      else if (level === MSAL_INFO) log.debug(text);
      else log.trace(text);
    },
  };
}

export interface MsalClientSettings {
  readonly clientId: string;
  readonly tenantId: string;
  readonly endpoints: CloudEndpoints;
  readonly log: Logger;
  readonly network: AuthNetworkClient;
  readonly cachePlugin?: ICachePlugin;
  /** Who reads the errors (default: someone in VS Code). */
  readonly surface?: AuthSurface;
}

export function msalConfiguration(settings: MsalClientSettings): Configuration {
  checkAuthorityHost(settings.endpoints.authorityHost, settings.surface);
  return {
    auth: {
      clientId: settings.clientId,
      authority: authorityUrl(settings.endpoints, settings.tenantId),
      knownAuthorities: knownAuthorities(settings.endpoints),
    },
    system: {
      loggerOptions: msalLoggerOptions(settings.log),
      networkClient: settings.network,
    },
    ...(settings.cachePlugin ? { cache: { cachePlugin: settings.cachePlugin } } : {}),
  };
}
