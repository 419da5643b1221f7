/**
 * National clouds: each pairs an Entra authority host with a Graph root, and tokens are not interchangeable between
 * clouds, so both always switch together (facts page §4.3, `concepts/deployments.md`).
 */
export type CloudName = 'global' | 'usgov' | 'usgovdod' | 'china' | 'custom';

export const CLOUD_NAMES: readonly CloudName[] = ['global', 'usgov', 'usgovdod', 'china', 'custom'];

export interface CloudEndpoints {
  readonly cloud: CloudName;
  /** Authority host without tenant, e.g. `https://login.microsoftonline.us`. */
  readonly authorityHost: string;
  /** Graph root without version, e.g. `https://graph.microsoft.us`. */
  readonly graphRoot: string;
}

const KNOWN: Record<Exclude<CloudName, 'custom'>, Omit<CloudEndpoints, 'cloud'>> = {
  global: { authorityHost: 'https://login.microsoftonline.com', graphRoot: 'https://graph.microsoft.com' },
  usgov: { authorityHost: 'https://login.microsoftonline.us', graphRoot: 'https://graph.microsoft.us' },
  usgovdod: { authorityHost: 'https://login.microsoftonline.us', graphRoot: 'https://dod-graph.microsoft.us' },
  china: { authorityHost: 'https://login.chinacloudapi.cn', graphRoot: 'https://microsoftgraph.chinacloudapi.cn' },
};

export interface CloudSelection {
  readonly cloud?: CloudName;
  /** Overrides the Graph root; required for `custom`. */
  readonly graphRoot?: string;
  /** Overrides the authority host; required for `custom`. */
  readonly authorityHost?: string;
}

function trimSlashes(url: string): string {
  return url.replace(/\/+$/, '');
}

/**
 * Resolves a selection to endpoints. Explicit overrides imply a custom cloud (sandboxes, proxies, the emulator);
 * naming `custom` without both overrides is an error rather than a silent fall-back to the public cloud.
 */
export function resolveCloud(selection: CloudSelection): CloudEndpoints {
  const cloud = selection.cloud ?? (selection.graphRoot || selection.authorityHost ? 'custom' : 'global');
  if (cloud === 'custom') {
    if (!selection.graphRoot || !selection.authorityHost) {
      throw new Error('A custom cloud needs both a Graph root and an authority host.');
    }
    return { cloud, graphRoot: trimSlashes(selection.graphRoot), authorityHost: trimSlashes(selection.authorityHost) };
  }
  const known = KNOWN[cloud];
  if (!known) {
    throw new Error(`Unknown cloud '${String(cloud)}'. Use one of: ${CLOUD_NAMES.join(', ')}.`);
  }
  return {
    cloud,
    graphRoot: trimSlashes(selection.graphRoot ?? known.graphRoot),
    authorityHost: trimSlashes(selection.authorityHost ?? known.authorityHost),
  };
}

/**
 * The app-only (`.default`) scope for a cloud's Graph: tokens are minted per Graph resource, so a token for one
 * cloud's Graph is useless (and refused) at another's (SPEC section 6: `<graph-root>/.default`).
 */
export function graphDefaultScope(endpoints: Pick<CloudEndpoints, 'graphRoot'>): string {
  return `${trimSlashes(endpoints.graphRoot)}/.default`;
}
