/**
 * The managed-identity endpoints of an Azure host, on one plain-HTTP loopback port (the real ones are plain HTTP too):
 *
 * - IMDS, `GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=…[&client_id=…]` with `Metadata: true`
 *   (reached through `AZURE_POD_IDENTITY_AUTHORITY_HOST`, which msal-node puts in front of the IMDS path);
 * - App Service / Functions, `GET /msi/token?api-version=2019-08-01&resource=…[&client_id=…]` with
 *   `X-IDENTITY-HEADER: <IDENTITY_HEADER>` (reached through `IDENTITY_ENDPOINT` + `IDENTITY_HEADER`).
 *
 * Answers follow the documented shapes (`expires_on` in epoch seconds as a string; IMDS's
 * `{"error":"invalid_request","error_description":"Identity not found"}` and App Service's
 * `{"statusCode":400,"message":"Unable to load the proper Managed Identity."}` for an identity the host lacks). App
 * Service's answer to a wrong `X-IDENTITY-HEADER` is a 401; its body is not documented, so the emulator sends the same
 * shape as its 400. Tokens come from the identity emulator, so the Graph emulator accepts them.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import type { IdentityEmulator } from './identityEmulator';

export interface HostIdentities {
  /** Client ID of the host's system-assigned identity (an app registered in the identity emulator), if it has one. */
  readonly systemAssigned?: string;
  /** Client IDs of user-assigned identities attached to the host. */
  readonly userAssigned?: readonly string[];
}

export interface ManagedIdentityRequest {
  readonly source: 'imds' | 'app-service' | 'unknown';
  readonly path: string;
  readonly status: number;
  readonly clientId?: string;
  readonly remoteAddress?: string;
}

export interface ManagedIdentityEndpoint {
  /** `http://127.0.0.1:PORT`: the value for `AZURE_POD_IDENTITY_AUTHORITY_HOST`. */
  readonly imdsHost: string;
  /** The value for `IDENTITY_ENDPOINT`. */
  readonly appServiceEndpoint: string;
  /** The value for `IDENTITY_HEADER`. */
  readonly appServiceSecret: string;
  readonly requests: ManagedIdentityRequest[];
  identities: HostIdentities;
  close(): Promise<void>;
}

type Answer = { status: number; body: Record<string, unknown> };

export async function startManagedIdentityEndpoint(identity: IdentityEmulator, identities: HostIdentities): Promise<ManagedIdentityEndpoint> {
  const secret = randomBytes(16).toString('hex');
  const requests: ManagedIdentityRequest[] = [];

  function pick(clientId: string | null): string | undefined {
    const host = endpoint.identities;
    if (clientId === null) return host.systemAssigned;
    return host.userAssigned?.find((id) => id.toLowerCase() === clientId.toLowerCase());
  }

  function tokenFor(clientId: string | undefined, resource: string): { accessToken: string; expiresIn: number } | undefined {
    return clientId ? identity.issueManagedIdentityToken(clientId, resource) : undefined;
  }

  function imds(url: URL, headers: http.IncomingHttpHeaders): Answer {
    if (headers.metadata !== 'true') return { status: 400, body: { error: 'invalid_request', error_description: 'Required metadata header not specified' } };
    const resource = url.searchParams.get('resource');
    if (!resource) return { status: 400, body: { error: 'invalid_request', error_description: 'Required audience parameter not specified' } };
    const clientId = pick(url.searchParams.get('client_id'));
    const token = tokenFor(clientId, resource);
    if (!token) return { status: 400, body: { error: 'invalid_request', error_description: 'Identity not found' } };
    const now = Math.floor(Date.now() / 1000);
    return {
      status: 200,
      body: {
        access_token: token.accessToken,
        client_id: clientId,
        expires_in: String(token.expiresIn),
        expires_on: String(now + token.expiresIn),
        ext_expires_in: String(token.expiresIn),
        not_before: String(now),
        resource,
        token_type: 'Bearer',
      },
    };
  }

  function appService(url: URL, headers: http.IncomingHttpHeaders): Answer {
    const correlationId = randomUUID();
    if (headers['x-identity-header'] !== secret) return { status: 401, body: { statusCode: 401, message: 'The X-IDENTITY-HEADER is missing or invalid.', correlationId } };
    const resource = url.searchParams.get('resource');
    if (!resource) return { status: 400, body: { statusCode: 400, message: 'Required query parameter resource is missing.', correlationId } };
    const clientId = pick(url.searchParams.get('client_id'));
    const token = tokenFor(clientId, resource);
    if (!token) return { status: 400, body: { statusCode: 400, message: 'Unable to load the proper Managed Identity.', correlationId } };
    return {
      status: 200,
      body: { access_token: token.accessToken, expires_on: String(Math.floor(Date.now() / 1000) + token.expiresIn), resource, token_type: 'Bearer', client_id: clientId },
    };
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://managed-identity');
    let answer: Answer;
    let source: ManagedIdentityRequest['source'] = 'unknown';
    // msal-node asks for the paths with a trailing slash; the hosts accept both.
    const route = url.pathname.replace(/\/+$/, '');
    if (req.method === 'GET' && route === '/metadata/identity/oauth2/token') {
      source = 'imds';
      answer = imds(url, req.headers);
    } else if (req.method === 'GET' && route === '/msi/token') {
      source = 'app-service';
      answer = appService(url, req.headers);
    } else {
      answer = { status: 404, body: { error: 'not_found' } };
    }
    requests.push({ source, status: answer.status, path: url.pathname, ...(url.searchParams.get('client_id') ? { clientId: url.searchParams.get('client_id')! } : {}), ...(req.socket.remoteAddress ? { remoteAddress: req.socket.remoteAddress } : {}) });
    res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const endpoint: ManagedIdentityEndpoint = {
    imdsHost: origin,
    appServiceEndpoint: `${origin}/msi/token`,
    appServiceSecret: secret,
    requests,
    identities,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return endpoint;
}
