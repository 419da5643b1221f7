/**
 * The accounts in a serialized MSAL token cache, read without loading MSAL, so the status bar can show who is signed
 * in at start-up for the price of a JSON parse. One entry per tenant an account signed in to (MSAL's "tenant
 * profiles"), which is how an MSP technician sees each customer tenant separately.
 */
export interface CachedAccount {
  readonly homeAccountId: string;
  readonly tenantId: string;
  readonly username: string;
  readonly name?: string;
  /** The authority host MSAL filed the account under. */
  readonly environment: string;
}

interface SerializedAccount {
  home_account_id?: unknown;
  environment?: unknown;
  realm?: unknown;
  username?: unknown;
  name?: unknown;
  tenantProfiles?: unknown;
}

interface SerializedTenantProfile {
  tenantId?: unknown;
  name?: unknown;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

export function accountsInSerializedCache(serialized: string | undefined): CachedAccount[] {
  if (!serialized) return [];
  let parsed: { Account?: Record<string, SerializedAccount> };
  try {
    parsed = JSON.parse(serialized) as typeof parsed;
  } catch {
    return [];
  }
  const accounts: CachedAccount[] = [];
  for (const entity of Object.values(parsed.Account ?? {})) {
    const homeAccountId = text(entity.home_account_id);
    const username = text(entity.username);
    const environment = text(entity.environment);
    if (!homeAccountId || !username || !environment) continue;
    const profiles = Array.isArray(entity.tenantProfiles)
      ? entity.tenantProfiles.flatMap((raw): SerializedTenantProfile[] => {
          try {
            return [JSON.parse(String(raw)) as SerializedTenantProfile];
          } catch {
            return [];
          }
        })
      : [];
    if (profiles.length === 0) profiles.push({ tenantId: entity.realm, name: entity.name });
    for (const profile of profiles) {
      const tenantId = text(profile.tenantId);
      if (!tenantId) continue;
      const name = text(profile.name) ?? text(entity.name);
      accounts.push({ homeAccountId, tenantId, username, environment, ...(name ? { name } : {}) });
    }
  }
  return accounts.sort((a, b) => a.username.localeCompare(b.username) || a.tenantId.localeCompare(b.tenantId));
}
