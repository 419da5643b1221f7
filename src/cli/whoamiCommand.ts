/**
 * `autopilot-devices whoami [--json]` (SPEC section 6.4): which credential the environment selects, for which app,
 * tenant and cloud, and what the token it gets may do (its `roles` or `scp`), without ever printing the token. It
 * asks for a real token, through the same proxy as every other command, so a pipeline can check its sign-in first.
 *
 * `--json`: `{"credential","sources","app","tenant","cloud","graphRoot","authority","roles","scopes","expiresOn",
 * "proxy"}`, or `{"error"}` with exit 1.
 */
import * as l10n from '@vscode/l10n';
import { INTUNE_PERMISSION } from '../auth/authConfig';
import type { CredentialKind } from '../auth/environmentCredentials';
import { managedIdentityEndpoint } from '../auth/managedIdentityAuth';
import { decodeTokenClaims } from '../auth/tokenClaims';
import { environmentProxyTransport } from '../common/environmentProxy';
import type { CliOptions } from './args';
import type { GraphCommandContext } from './commandContext';
import { describeFailure } from '../import/failures';
import { EXIT } from './output';
import { openCredential } from './session';

const KIND_NAMES: Record<CredentialKind, () => string> = {
  'access-token': () => l10n.t('access token (AUTOPILOT_ACCESS_TOKEN)'),
  federated: () => l10n.t('workload identity federation'),
  'managed-identity': () => l10n.t('managed identity'),
  'client-secret': () => l10n.t('app-only with a client secret'),
  'client-certificate': () => l10n.t('app-only with a certificate'),
};

export interface WhoamiDocument {
  readonly credential: CredentialKind;
  readonly sources: readonly string[];
  readonly app: string | null;
  readonly tenant: string | null;
  readonly cloud: string;
  readonly graphRoot: string;
  /** The authority host (null for a ready-made token or a managed identity, which do not use it). */
  readonly authority: string | null;
  /** For a managed identity: the endpoint MSAL asks. */
  readonly managedIdentityEndpoint?: string;
  readonly roles: readonly string[];
  readonly scopes: readonly string[];
  readonly expiresOn: string | null;
  /** The proxy sign-in and Graph requests go through, without credentials, and the variable that set it. */
  readonly proxy: { readonly url: string; readonly variable: string } | null;
}

export async function whoamiCommand(options: CliOptions, context: GraphCommandContext): Promise<number> {
  const { io } = context;
  const transport = environmentProxyTransport();
  try {
    const { endpoints, credential } = openCredential(options, { env: io.env, logger: context.logger }, transport);
    const { choice } = credential;
    const token = await credential.getToken({ signal: io.stop });
    const claims = decodeTokenClaims(token.accessToken);
    const proxy = transport.proxyFor(new URL(endpoints.graphRoot));
    const usesAuthority = choice.kind !== 'access-token' && choice.kind !== 'managed-identity';
    const document: WhoamiDocument = {
      credential: choice.kind,
      sources: choice.sources,
      app: claims?.appid ?? claims?.azp ?? choice.clientId ?? null,
      tenant: token.tenantId ?? claims?.tid ?? choice.tenantId ?? null,
      cloud: endpoints.cloud,
      graphRoot: endpoints.graphRoot,
      authority: usesAuthority ? endpoints.authorityHost : null,
      ...(choice.kind === 'managed-identity' ? { managedIdentityEndpoint: managedIdentityEndpoint(io.env).url } : {}),
      roles: [...(claims?.roles ?? [])],
      scopes: claims?.scp ? claims.scp.split(' ').filter(Boolean) : [],
      expiresOn: token.expiresOn?.toISOString() ?? (claims?.exp ? new Date(claims.exp * 1000).toISOString() : null),
      proxy: proxy ? { url: proxy.origin, variable: proxy.setting } : null,
    };
    if (options.json) io.stdout(`${JSON.stringify(document)}\n`);
    else io.stdout(humanWhoami(document, claims !== undefined));
    return EXIT.ok;
  } catch (error) {
    const message = describeFailure(error, { surface: 'terminal' });
    io.stderr(`autopilot-devices: ${message}\n`);
    if (options.json) io.stdout(`${JSON.stringify({ error: message })}\n`);
    return EXIT.failed;
  } finally {
    transport.dispose();
  }
}

function humanWhoami(document: WhoamiDocument, readable: boolean): string {
  const permissions = [...document.roles, ...document.scopes];
  const rows: [string, string][] = [
    [l10n.t('credential'), `${KIND_NAMES[document.credential]()} (${document.sources.join(', ')})`],
    [l10n.t('app'), document.app ?? l10n.t('(unknown)')],
    [l10n.t('tenant'), document.tenant ?? l10n.t('(unknown)')],
    [l10n.t('cloud'), `${document.cloud}: Graph ${document.graphRoot}${document.authority ? `, sign-in ${document.authority}` : ''}`],
  ];
  if (document.managedIdentityEndpoint) rows.push([l10n.t('endpoint'), document.managedIdentityEndpoint]);
  rows.push([
    document.roles.length ? l10n.t('roles') : document.scopes.length ? l10n.t('scopes') : l10n.t('permissions'),
    permissions.length ? permissions.join(' ') : readable ? l10n.t('(none)') : l10n.t('(the token is not a JWT; its permissions cannot be read)'),
  ]);
  if (document.expiresOn) rows.push([l10n.t('expires'), document.expiresOn]);
  rows.push([l10n.t('proxy'), document.proxy ? `${document.proxy.url} (${document.proxy.variable})` : l10n.t('none')]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, text]) => `${label.padEnd(width)}  ${text}`);
  if (readable && !permissions.includes(INTUNE_PERMISSION)) {
    lines.push(l10n.t('Note: the token lacks {0}, which importing Autopilot devices needs.', INTUNE_PERMISSION));
  }
  return `${lines.join('\n')}\n`;
}
