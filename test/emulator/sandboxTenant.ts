/**
 * Both halves of the emulator as one sandbox tenant: the identity emulator (Entra ID over HTTPS, where real MSAL signs
 * in with a device code, the browser or as an app) and the Graph emulator, which accepts exactly the tokens the
 * identity emulator issued for its Graph root. Contoso holds two pre-registered devices, so an import shows the
 * documented failures: one registered here (806) and one registered to another tenant (808). Like a real tenant, it
 * keeps the import records of earlier imports: the successful one of the device registered here, and a failed one of
 * a device that can be imported again. With `fleet`, it also holds that many registered devices (the sandbox: 3,000).
 *
 * `npm start` runs it for people; the integration and UI tests start it in-process.
 */
import { DEFAULT_APP_ID, type TokenGrant } from './auth';
import { seedFleet } from './fleet';
import { fakeDevices, fakeHardwareHash, type FakeDevice } from './hashes';
import { CONTOSO, confidentialApp, type EmulatedApp } from './identity/directory';
import { startIdentityEmulator, type IdentityEmulator, type IdentityEmulatorOptions } from './identity/identityEmulator';
import type { TestTls } from './identity/testTls';
import { startGraphEmulator, type GraphEmulator, type GraphEmulatorOptions } from './server';

export interface SandboxTenantOptions {
  readonly tls: TestTls;
  readonly graph?: Omit<GraphEmulatorOptions, 'acceptToken'>;
  readonly identity?: Omit<IdentityEmulatorOptions, 'tls'>;
  /** Adds an app registration with this client secret and the Intune application permission (app-only sign-in). */
  readonly appSecret?: string;
  /** Registered devices in several group tags, one deployment profile and a few groups (fleet.ts); none when absent. */
  readonly fleet?: number;
}

export interface SandboxTenant {
  readonly identity: IdentityEmulator;
  readonly graph: GraphEmulator;
  /** The tenant the sandbox's devices live in (Contoso). */
  readonly tenantId: string;
  readonly tenantDomain: string;
  /** A device already registered in the tenant, through an earlier import whose record stays: importing it gives 806. */
  readonly registered: FakeDevice;
  /** A device whose earlier import failed (its record, in error, stays): importing it again completes. */
  readonly earlierFailure: FakeDevice;
  /** A device registered to another tenant: importing its hash gives 808. */
  readonly foreign: FakeDevice;
  /** The app-only registration, when `appSecret` was given. */
  readonly app?: EmulatedApp;
  close(): Promise<void>;
}

/** The grant the Graph emulator sees for an identity-emulator token: tenant, app, and delegated or app permissions. */
function grantOf(identity: IdentityEmulator, graph: () => string, token: string): TokenGrant | undefined {
  const info = identity.isValidAccessToken(token, { audience: graph() });
  if (!info) return undefined;
  return { tenantId: info.tenantId, appId: info.appId || DEFAULT_APP_ID, permissions: [...info.scopes, ...info.roles] };
}

export async function startSandboxTenant(options: SandboxTenantOptions): Promise<SandboxTenant> {
  const identity = await startIdentityEmulator({ tls: options.tls, ...options.identity });
  let graphUrl = '';
  let graph: GraphEmulator;
  try {
    graph = await startGraphEmulator({ ...options.graph, acceptToken: (token) => grantOf(identity, () => graphUrl, token) });
  } catch (error) {
    await identity.stop();
    throw error;
  }
  graphUrl = graph.url;

  // Serial numbers as long as real ones (7 to 12 characters), so the sandbox shows what users see.
  const registered = { serialNumber: 'SBX0806REG', hardwareIdentifier: fakeHardwareHash('sandbox-registered', 1020) };
  graph.state.seedImported(CONTOSO.id, registered, { status: 'complete', errorCode: 0, errorName: null });
  const earlierFailure = { serialNumber: 'SBX0001RTY', hardwareIdentifier: fakeHardwareHash('sandbox-earlier-failure', 1020) };
  graph.state.seedImported(CONTOSO.id, earlierFailure, { status: 'error', errorCode: 0, errorName: 'StorageError' });
  const foreign = { serialNumber: 'SBX0808OTH', hardwareIdentifier: fakeHardwareHash('sandbox-foreign', 1020) };
  graph.state.seedForeign(foreign.hardwareIdentifier);
  if (options.fleet) seedFleet(graph.state, CONTOSO.id, { count: options.fleet });
  const app = options.appSecret
    ? identity.addApp(confidentialApp({ displayName: 'Autopilot sandbox pipeline', secrets: [options.appSecret], applicationPermissions: ['DeviceManagementServiceConfig.ReadWrite.All'] }))
    : undefined;

  return {
    identity,
    graph,
    tenantId: CONTOSO.id,
    tenantDomain: CONTOSO.domain,
    registered,
    earlierFailure,
    foreign,
    ...(app ? { app } : {}),
    close: async () => {
      await graph.close();
      await identity.stop();
    },
  };
}

/** Devices for a sandbox payload: `count` new ones, then one already registered here (806) and one elsewhere (808). */
export function sandboxDevices(tenant: Pick<SandboxTenant, 'registered' | 'foreign'>, count: number, prefix: string): FakeDevice[] {
  const fresh = fakeDevices(count, prefix);
  return [
    ...fresh,
    { serialNumber: `${prefix}-AGAIN-806`, hardwareIdentifier: tenant.registered.hardwareIdentifier },
    { serialNumber: `${prefix}-RESOLD-808`, hardwareIdentifier: tenant.foreign.hardwareIdentifier },
  ];
}
