import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import type { IdentityEmulator } from '../../emulator/identity/identityEmulator';
import { ADELE, GRAPH_CLI_CLIENT_ID } from '../../emulator/identity/directory';
import { visitAuthorizeUrl } from '../../emulator/identity/testBrowser';
import { startEmulator, testTls } from './fixtures';

function post(url: string, form: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const body = new URLSearchParams(form).toString();
    const request = https.request(url, { method: 'POST', ca: testTls().caCert, headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => (text += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

describe('Identity emulator (what the product relies on it to enforce)', () => {
  let emulator: IdentityEmulator;

  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(async () => {
    await emulator.stop();
  });

  it('serves HTTPS that only the test CA vouches for', async () => {
    await assert.rejects(fetch(`${emulator.origin}/organizations/v2.0/.well-known/openid-configuration`), /fetch failed/);
  });

  it('checks PKCE: a code redeemed with the wrong verifier is refused', async () => {
    const verifier = crypto.randomBytes(32).toString('base64url');
    const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
    const server = await new Promise<http.Server>((resolve) => {
      const s = http.createServer((req, res) => {
        let text = '';
        req.on('data', (c: Buffer) => (text += c.toString()));
        req.on('end', () => {
          received = new URLSearchParams(text);
          res.end('ok');
        });
      });
      s.listen(0, '127.0.0.1', () => resolve(s));
    });
    const redirect = `http://localhost:${(server.address() as import('node:net').AddressInfo).port}`;
    let received: URLSearchParams | undefined;
    try {
      const query = new URLSearchParams({
        client_id: GRAPH_CLI_CLIENT_ID, response_type: 'code', redirect_uri: redirect, response_mode: 'form_post', state: 's',
        scope: 'https://graph.emulator.test/DeviceManagementServiceConfig.ReadWrite.All offline_access', code_challenge: challenge, code_challenge_method: 'S256',
      });
      await visitAuthorizeUrl(`${emulator.origin}/organizations/oauth2/v2.0/authorize?${query}`, testTls().caCert);
      const code = received?.get('code');
      assert.ok(code);
      const redeem = (codeVerifier: string) => post(`${emulator.origin}/organizations/oauth2/v2.0/token`, {
        grant_type: 'authorization_code', client_id: GRAPH_CLI_CLIENT_ID, code, redirect_uri: redirect, code_verifier: codeVerifier,
        scope: 'https://graph.emulator.test/DeviceManagementServiceConfig.ReadWrite.All offline_access',
      });
      const wrong = await redeem(crypto.randomBytes(32).toString('base64url'));
      assert.equal(wrong.status, 400);
      assert.match(String(wrong.body.error_description), /^AADSTS501481/);
      const right = await redeem(verifier);
      assert.equal(right.status, 200);
      assert.equal(typeof right.body.access_token, 'string');
    } finally {
      server.close();
    }
  });

  it('validates access tokens for their audience only, and not after expiry or revocation', async () => {
    const deviceCode = await post(`${emulator.origin}/organizations/oauth2/v2.0/devicecode`, {
      client_id: GRAPH_CLI_CLIENT_ID, scope: 'https://graph.emulator.test/DeviceManagementServiceConfig.ReadWrite.All offline_access',
    });
    emulator.approveDeviceCode(String(deviceCode.body.user_code), ADELE.username);
    const token = await post(`${emulator.origin}/organizations/oauth2/v2.0/token`, {
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code', client_id: GRAPH_CLI_CLIENT_ID, device_code: String(deviceCode.body.device_code),
    });
    assert.equal(token.status, 200, JSON.stringify(token.body));
    const accessToken = String(token.body.access_token);
    assert.equal(emulator.isValidAccessToken(accessToken, { audience: 'https://graph.emulator.test/' })?.username, ADELE.username);
    assert.equal(emulator.isValidAccessToken(accessToken, { audience: 'https://graph.microsoft.com' }), undefined);
    emulator.expireAccessTokens();
    assert.equal(emulator.isValidAccessToken(accessToken, { audience: 'https://graph.emulator.test' }), undefined);
  });
});
