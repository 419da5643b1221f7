/** The emulated directory: tenants, users and app registrations, with defaults that let the product sign in as is. */
import { randomUUID } from 'node:crypto';
import type { FederatedCredential } from './federation';

export interface EmulatedTenant {
  readonly id: string;
  readonly domain: string;
}

export interface EmulatedUser {
  readonly objectId: string;
  readonly username: string;
  readonly displayName: string;
  readonly homeTenantId: string;
  /** Tenants the user can sign in to (home tenant plus guest memberships). */
  readonly tenantIds: readonly string[];
}

export interface EmulatedApp {
  readonly clientId: string;
  readonly displayName: string;
  /** Tenants with a service principal for the app; `all` for multi-tenant apps such as Microsoft's own. */
  readonly tenants: readonly string[] | 'all';
  /** Registered redirect URIs; `http://localhost` matches any loopback port, as Entra does for public clients. */
  readonly redirectUris: readonly string[];
  /** "Allow public client flows" (device code needs it). */
  readonly allowPublicClientFlows: boolean;
  readonly secrets: readonly string[];
  /** PEM certificates whose private keys may sign client assertions. */
  readonly certificates: readonly string[];
  /** Delegated permissions the tenant has consented to, e.g. `DeviceManagementServiceConfig.ReadWrite.All`. */
  readonly delegatedPermissions: readonly string[];
  /** Application permissions granted with admin consent; they become the `roles` claim of app-only tokens. */
  readonly applicationPermissions: readonly string[];
  /** Workload identity federation: external tokens the app accepts instead of a secret or certificate. */
  readonly federatedCredentials?: readonly FederatedCredential[];
}

export const GRAPH_CLI_CLIENT_ID = '14d82eec-204b-4c2f-b7e8-296a70dab67e';
export const INTUNE_PERMISSION = 'DeviceManagementServiceConfig.ReadWrite.All';

export const CONTOSO: EmulatedTenant = { id: '72f988bf-0000-4000-8000-000000000001', domain: 'contoso.onmicrosoft.com' };
export const FABRIKAM: EmulatedTenant = { id: '72f988bf-0000-4000-8000-000000000002', domain: 'fabrikam.onmicrosoft.com' };

export const ADELE: EmulatedUser = {
  objectId: '0a1b2c3d-0000-4000-8000-00000000a0e1',
  username: 'adele@contoso.onmicrosoft.com',
  displayName: 'Adele Vance',
  homeTenantId: CONTOSO.id,
  tenantIds: [CONTOSO.id, FABRIKAM.id],
};

export const MEGAN: EmulatedUser = {
  objectId: '0a1b2c3d-0000-4000-8000-00000000e6a2',
  username: 'megan@fabrikam.onmicrosoft.com',
  displayName: 'Megan Bowen',
  homeTenantId: FABRIKAM.id,
  tenantIds: [FABRIKAM.id],
};

/** The well-known Microsoft Graph Command Line Tools app, consented in every tenant like a typical Intune tenant. */
export function graphCommandLineTools(overrides: Partial<EmulatedApp> = {}): EmulatedApp {
  return {
    clientId: GRAPH_CLI_CLIENT_ID,
    displayName: 'Microsoft Graph Command Line Tools',
    tenants: 'all',
    redirectUris: ['http://localhost'],
    allowPublicClientFlows: true,
    secrets: [],
    certificates: [],
    delegatedPermissions: [INTUNE_PERMISSION],
    applicationPermissions: [],
    ...overrides,
  };
}

/** A single-tenant app registration for app-only (pipeline) use. */
export function confidentialApp(overrides: Partial<EmulatedApp> = {}): EmulatedApp {
  return {
    clientId: randomUUID(),
    displayName: 'Autopilot pipeline',
    tenants: [CONTOSO.id],
    redirectUris: [],
    allowPublicClientFlows: false,
    secrets: [],
    certificates: [],
    delegatedPermissions: [],
    applicationPermissions: [INTUNE_PERMISSION],
    ...overrides,
  };
}

export class Directory {
  readonly tenants = new Map<string, EmulatedTenant>();
  readonly users = new Map<string, EmulatedUser>();
  readonly apps = new Map<string, EmulatedApp>();

  constructor(tenants: readonly EmulatedTenant[], users: readonly EmulatedUser[], apps: readonly EmulatedApp[]) {
    for (const tenant of tenants) this.tenants.set(tenant.id, tenant);
    for (const user of users) this.users.set(user.username.toLowerCase(), user);
    for (const app of apps) this.addApp(app);
  }

  addApp(app: EmulatedApp): EmulatedApp {
    this.apps.set(app.clientId.toLowerCase(), app);
    return app;
  }

  updateApp(clientId: string, changes: Partial<EmulatedApp>): EmulatedApp {
    const app = this.apps.get(clientId.toLowerCase());
    if (!app) throw new Error(`No app ${clientId} in the emulated directory`);
    return this.addApp({ ...app, ...changes, clientId: app.clientId });
  }

  /** Resolves the tenant segment of an authority path: a GUID or a verified domain (not organizations/common). */
  tenant(segment: string): EmulatedTenant | undefined {
    const wanted = segment.toLowerCase();
    for (const tenant of this.tenants.values()) {
      if (tenant.id === wanted || tenant.domain === wanted) return tenant;
    }
    return undefined;
  }

  user(username: string): EmulatedUser | undefined {
    return this.users.get(username.toLowerCase());
  }

  /** The app as seen from a tenant: registered there (or multi-tenant), else unknown (AADSTS700016). */
  appInTenant(clientId: string, tenantId: string | undefined): EmulatedApp | undefined {
    const app = this.apps.get(clientId.toLowerCase());
    if (!app) return undefined;
    if (app.tenants === 'all' || tenantId === undefined) return app;
    return app.tenants.includes(tenantId) ? app : undefined;
  }
}
