/**
 * Everything a Graph-facing subcommand needs, built from flags and environment (SPEC section 6): endpoints for the
 * chosen cloud, the credential source, the Graph client, the journal and the engine.
 */
import * as l10n from '@vscode/l10n';
import { chooseCredential, environmentCredential, usesAuthority, type EnvironmentCredential } from '../auth/environmentCredentials';
import { checkProxyEnvironment, environmentProxyTransport } from '../common/environmentProxy';
import type { Logger } from '../common/logger';
import type { GetAccessToken } from '../graph/accessToken';
import { AutopilotGraph } from '../graph/autopilot';
import { GraphClient, type RetryWait } from '../graph/client';
import { resolveCloud, type CloudEndpoints, type CloudName } from '../graph/clouds';
import { DirectoryGraph } from '../graph/directory';
import { ManagedDevicesGraph } from '../graph/managedDevices';
import { ImportEngine } from '../import/engine';
import type { RunTenant } from '../import/journal';
import { DeviceChangeEngine } from '../import/lifecycle/changeEngine';
import { changeJournal } from '../import/lifecycle/changeRun';
import { RegisteredDeviceCache } from '../import/lifecycle/registeredDevices';
import { Journal } from '../import/journal';
import { defaultJournalDirectory } from '../import/journalLocation';
import type { HttpTransport } from '../common/httpTransport';
import type { CliOptions } from './args';
import type { FailureContext } from '../import/failures';

export interface CliSession {
  readonly endpoints: CloudEndpoints;
  readonly credential: EnvironmentCredential;
  readonly client: GraphClient;
  readonly graph: AutopilotGraph;
  readonly journal: Journal;
  readonly engine: ImportEngine;
  /** The tenant's registered devices (listed once per command) and the journaled bulk changes (SPEC 6.2). */
  readonly registered: RegisteredDeviceCache;
  readonly changes: DeviceChangeEngine;
  readonly directory: DirectoryGraph;
  readonly tenant: () => Promise<RunTenant>;
  readonly failureContext: FailureContext;
  dispose(): void;
}

const KNOWN_ROOTS: Record<string, CloudName> = {
  'https://graph.microsoft.com': 'global',
  'https://graph.microsoft.us': 'usgov',
  'https://dod-graph.microsoft.us': 'usgovdod',
  'https://microsoftgraph.chinacloudapi.cn': 'china',
};

/**
 * A Graph root alone is enough when the token comes ready-made (AUTOPILOT_ACCESS_TOKEN): no authority is contacted.
 * App-only sign-in against a custom root needs its authority too, and we never guess one.
 */
export function endpointsFor(options: CliOptions, env: NodeJS.ProcessEnv): CloudEndpoints {
  const graphRoot = options.graphRoot ?? (env.AUTOPILOT_GRAPH_ROOT || undefined);
  const authorityHost = options.authority ?? (env.AUTOPILOT_AUTHORITY || undefined);
  let cloud = options.cloud;
  if (!cloud && graphRoot && !authorityHost) {
    const trimmed = graphRoot.replace(/\/+$/, '');
    const known = KNOWN_ROOTS[trimmed];
    if (known) cloud = known;
    else if (signsInAtAuthority(options, env)) {
      throw new Error(l10n.t('A custom Graph root ({0}) needs its authority host for app-only sign-in: pass --authority or set AUTOPILOT_AUTHORITY.', trimmed));
    }
    // No authority is contacted with a ready-made token (and with no credentials at all, the credential check says so).
    else return { cloud: 'custom', graphRoot: trimmed, authorityHost: '' };
  }
  return resolveCloud({ cloud, graphRoot, authorityHost });
}

/** Whether the credential the environment selects asks the cloud's authority for tokens. */
function signsInAtAuthority(options: CliOptions, env: NodeJS.ProcessEnv): boolean {
  try {
    return usesAuthority(chooseCredential(env, { ...(options.tenant ? { tenant: options.tenant } : {}), ...(options.managedIdentity ? { managedIdentity: options.managedIdentity } : {}) }).kind);
  } catch {
    // Incomplete credentials: the credential check names what is missing.
    return Boolean(env.AUTOPILOT_CLIENT_ID?.trim());
  }
}

/** The credential and endpoints a command would use, without a Graph client (`whoami`). */
export function openCredential(options: CliOptions, settings: Pick<SessionSettings, 'env' | 'logger'>, transport?: HttpTransport): { endpoints: CloudEndpoints; credential: EnvironmentCredential } {
  const { env, logger } = settings;
  checkProxyEnvironment();
  const endpoints = endpointsFor(options, env);
  const credential = environmentCredential({
    env,
    endpoints,
    log: logger,
    ...(options.tenant ? { tenant: options.tenant } : {}),
    ...(options.managedIdentity ? { managedIdentity: options.managedIdentity } : {}),
    ...(transport ? { transport } : {}),
  });
  return { endpoints, credential };
}

export interface SessionSettings {
  readonly logger: Logger;
  readonly env: NodeJS.ProcessEnv;
  readonly userAgent: string;
  readonly onRetryWait?: (wait: RetryWait) => void;
}

function seconds(flag: number | undefined, envValue: string | undefined, name: string): number | undefined {
  if (flag !== undefined) return flag;
  if (envValue === undefined || envValue.trim() === '') return undefined;
  const value = Number(envValue);
  if (!Number.isFinite(value) || value <= 0) throw new Error(l10n.t('{0} must be a positive number of seconds, not "{1}".', name, envValue));
  return value;
}

export function openSession(options: CliOptions, settings: SessionSettings): CliSession {
  const { env, logger } = settings;
  // One transport for Graph and sign-in: HTTPS_PROXY / HTTP_PROXY / NO_PROXY apply to both.
  const transport = environmentProxyTransport();
  const { endpoints, credential } = openCredential(options, settings, transport);
  const getAccessToken: GetAccessToken = async (request) => (await credential.getToken(request)).accessToken;
  const tenant = () => credential.tenant();
  const client = new GraphClient({
    transport,
    graphRoot: endpoints.graphRoot,
    apiVersion: options.apiVersion,
    getAccessToken,
    logger,
    userAgent: settings.userAgent,
    onRetryWait: settings.onRetryWait,
  });
  const graph = new AutopilotGraph(client);
  const journal = new Journal(options.journal ?? defaultJournalDirectory(env));
  const pollSeconds = seconds(options.pollIntervalSeconds, env.AUTOPILOT_POLL_INTERVAL_SECONDS, 'AUTOPILOT_POLL_INTERVAL_SECONDS');
  const timeoutSeconds = seconds(options.timeoutSeconds, env.AUTOPILOT_TIMEOUT_SECONDS, 'AUTOPILOT_TIMEOUT_SECONDS');
  // How long Graph may take to commit a write it did not confirm (SPEC 6.1); no flag, the environment only.
  const settleSeconds = seconds(undefined, env.AUTOPILOT_SETTLE_SECONDS, 'AUTOPILOT_SETTLE_SECONDS');
  const engine = new ImportEngine({
    graph,
    journal,
    logger,
    // A run belongs to the tenant of the credentials it was started with (SPEC section 6.1).
    tenant,
    settings: {
      batchSize: options.batchSize,
      pollIntervalMs: pollSeconds === undefined ? undefined : pollSeconds * 1000,
      // An interval the user asked for is kept to; without one the engine looks when records can be done.
      adaptivePolling: pollSeconds === undefined,
      timeLimitMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
      settleMs: settleSeconds === undefined ? undefined : settleSeconds * 1000,
    },
  });
  const directory = new DirectoryGraph(client);
  const changes = new DeviceChangeEngine({
    autopilot: graph,
    managed: new ManagedDevicesGraph(client),
    directory,
    journal: changeJournal(journal.directory),
    graphRoot: endpoints.graphRoot,
    tenant,
    logger,
  });
  logger.debug(`Graph root ${endpoints.graphRoot} (${endpoints.cloud}), API ${client.apiVersion}, journal ${journal.directory}`);
  return {
    endpoints,
    credential,
    client,
    graph,
    journal,
    engine,
    registered: new RegisteredDeviceCache(graph),
    changes,
    directory,
    tenant,
    failureContext: { surface: 'terminal', accountKind: 'app', graphRoot: endpoints.graphRoot, staticToken: credential.choice.kind === 'access-token', credential: credential.choice },
    dispose: () => client.dispose(),
  };
}
