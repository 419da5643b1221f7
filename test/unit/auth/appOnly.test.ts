import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MissingCredentialsError, tokenSourceFromEnvironment } from '../../../src/auth/environmentCredentials';
import { APP_CREDENTIALS_KEY } from '../../../src/auth/authService';
import { MemorySecretStore } from '../../../src/auth/secretStore';
import type { IdentityEmulator } from '../../emulator/identity/identityEmulator';
import { CONTOSO, INTUNE_PERMISSION, confidentialApp, type EmulatedApp } from '../../emulator/identity/directory';
import { createClientCertificate, type TestClientCertificate } from '../../emulator/identity/testTls';
import { TEST_GRAPH_ROOT, assertNoSecretsIn, emulatorCloud, memoryOfActiveAccount, rejectsWith, serviceFor, startEmulator, testTls } from './fixtures';

const SECRET = 'Qx8~emulated.client-secret.Value_0123456789';
const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

describe('App-only sign-in (confidential client) against the identity emulator', () => {
  let emulator: IdentityEmulator;
  let app: EmulatedApp;
  let certificate: TestClientCertificate;
  let stranger: TestClientCertificate;

  before(() => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-app-cert-'));
    certificate = createClientCertificate(dir, 'pipeline');
    stranger = createClientCertificate(dir, 'stranger');
  });

  beforeEach(async () => {
    emulator = await startEmulator();
    app = emulator.addApp(confidentialApp({ secrets: [SECRET], certificates: [certificate.certificate] }));
  });
  afterEach(async () => {
    await emulator.stop();
  });

  it('signs in with a client secret, gets a .default token carrying the granted role, and keeps the secret only in the secret store', async () => {
    const service = serviceFor(emulator);
    const account = await service.signInApp({ clientId: app.clientId, tenantId: CONTOSO.domain, credential: { kind: 'secret', secret: SECRET } });
    assert.equal(account.kind, 'app');
    assert.equal(account.tenantId, CONTOSO.domain, 'the tenant as the user named it');
    const info = emulator.isValidAccessToken(await service.getAccessToken(), { audience: TEST_GRAPH_ROOT });
    assert.ok(info);
    assert.deepEqual(info.roles, [INTUNE_PERMISSION]);
    assert.equal(info.appId, app.clientId);
    assert.ok((await service.secrets.get(APP_CREDENTIALS_KEY))?.includes(SECRET));
    assertNoSecretsIn(service.log, emulator, [SECRET]);
  });

  it('signs in with a certificate (PEM with key and certificate); the emulator verifies the signed assertion', async () => {
    const service = serviceFor(emulator);
    await service.signInApp({ clientId: app.clientId, tenantId: CONTOSO.id, credential: { kind: 'certificate', certificatePath: certificate.pemFile } });
    const info = emulator.isValidAccessToken(await service.getAccessToken(), { audience: TEST_GRAPH_ROOT });
    assert.deepEqual(info?.roles, [INTUNE_PERMISSION]);
    assertNoSecretsIn(service.log, emulator, [certificate.privateKey.split('\n')[1]!]);
  });

  it('keeps working after a restart from the stored credential, and sign-out removes the secret', async () => {
    const secrets = new MemorySecretStore();
    const memory = memoryOfActiveAccount();
    const first = serviceFor(emulator, { secrets, memory });
    const account = await first.signInApp({ clientId: app.clientId, tenantId: CONTOSO.id, credential: { kind: 'secret', secret: SECRET } });
    first.dispose();
    const restarted = serviceFor(emulator, { secrets, memory });
    await restarted.reload();
    assert.equal(restarted.activeAccount?.id, account.id);
    assert.ok(emulator.isValidAccessToken(await restarted.getAccessToken(), { audience: TEST_GRAPH_ROOT }));
    await restarted.signOut(account.id);
    assert.ok(!(await secrets.get(APP_CREDENTIALS_KEY))?.includes(SECRET));
    assert.equal(restarted.activeAccount, undefined);
  });

  it('explains AADSTS7000215 for a wrong secret and stores nothing', async () => {
    const service = serviceFor(emulator);
    await rejectsWith(
      service.signInApp({ clientId: app.clientId, tenantId: CONTOSO.id, credential: { kind: 'secret', secret: 'the-secret-id-not-its-value' } }),
      'badClientSecret',
      /AADSTS7000215.*Value \(not its Secret ID\)/,
    );
    assert.equal(await service.secrets.get(APP_CREDENTIALS_KEY), undefined);
    assertNoSecretsIn(service.log, emulator, ['the-secret-id-not-its-value']);
  });

  it('explains AADSTS700016 for an app that is not in the tenant', async () => {
    const service = serviceFor(emulator);
    await rejectsWith(
      service.signInApp({ clientId: app.clientId, tenantId: 'fabrikam.onmicrosoft.com', credential: { kind: 'secret', secret: SECRET } }),
      'unknownApp',
      /AADSTS700016/,
    );
  });

  it('explains a certificate the app registration does not know (AADSTS700027)', async () => {
    const service = serviceFor(emulator);
    await rejectsWith(
      service.signInApp({ clientId: app.clientId, tenantId: CONTOSO.id, credential: { kind: 'certificate', certificatePath: stranger.pemFile } }),
      'certificateRejected',
      /AADSTS700027/,
    );
  });

  it('names the problem with an unusable PEM file before asking Entra ID', async () => {
    const service = serviceFor(emulator);
    const keyOnly = path.join(path.dirname(certificate.pemFile), 'key-only.pem');
    fs.writeFileSync(keyOnly, certificate.privateKey);
    const before = emulator.requests.length;
    await rejectsWith(
      service.signInApp({ clientId: app.clientId, tenantId: CONTOSO.id, credential: { kind: 'certificate', certificatePath: keyOnly } }),
      'certificateUnreadable',
      /key-only\.pem cannot be used \(no certificate\)/,
    );
    await rejectsWith(
      service.signInApp({ clientId: app.clientId, tenantId: CONTOSO.id, credential: { kind: 'certificate', certificatePath: '/nonexistent/app.pem' } }),
      'certificateUnreadable',
      /app\.pem cannot be used \(ENOENT\)/,
    );
    assert.equal(emulator.requests.slice(before).filter((r) => r.path.endsWith('/token')).length, 0);
  });

  it('refuses a tenant-neutral authority for app-only tokens', async () => {
    const service = serviceFor(emulator);
    await rejectsWith(
      service.signInApp({ clientId: app.clientId, tenantId: 'organizations', credential: { kind: 'secret', secret: SECRET } }),
      'tenantNotFound',
      /needs a tenant id or domain/,
    );
  });

  describe('the terminal command’s environment credentials', () => {
    it('uses AUTOPILOT_ACCESS_TOKEN as is, before anything else', async () => {
      const getToken = tokenSourceFromEnvironment({ env: { AUTOPILOT_ACCESS_TOKEN: ' abc.def ', AUTOPILOT_CLIENT_ID: 'x' }, endpoints: emulatorCloud(emulator) });
      assert.equal(await getToken(), 'abc.def');
    });

    it('says which variable is missing', () => {
      const endpoints = emulatorCloud(emulator);
      assert.throws(() => tokenSourceFromEnvironment({ env: {}, endpoints }), MissingCredentialsError);
      assert.throws(() => tokenSourceFromEnvironment({ env: { AUTOPILOT_CLIENT_ID: app.clientId }, endpoints }), /AUTOPILOT_CLIENT_SECRET, or AUTOPILOT_CLIENT_CERTIFICATE/);
      assert.throws(() => tokenSourceFromEnvironment({ env: { AUTOPILOT_CLIENT_ID: app.clientId, AUTOPILOT_CLIENT_SECRET: SECRET }, endpoints }), /--tenant or set AUTOPILOT_TENANT_ID/);
      assert.throws(
        () => tokenSourceFromEnvironment({ env: { AUTOPILOT_CLIENT_ID: app.clientId, AUTOPILOT_CLIENT_SECRET: SECRET, AUTOPILOT_CLIENT_CERTIFICATE: 'x.pem', AUTOPILOT_TENANT_ID: CONTOSO.id }, endpoints }),
        /either AUTOPILOT_CLIENT_SECRET or AUTOPILOT_CLIENT_CERTIFICATE/,
      );
    });

    /** Runs the compiled module in a fresh Node, which trusts the test CA only through NODE_EXTRA_CA_CERTS. */
    function tokenFromChildProcess(env: Record<string, string>, tenant?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
      const script = `
        const { tokenSourceFromEnvironment } = require(${JSON.stringify(path.join(repoRoot, 'out/src/auth/environmentCredentials.js'))});
        const { resolveCloud } = require(${JSON.stringify(path.join(repoRoot, 'out/src/graph/clouds.js'))});
        const endpoints = resolveCloud({ cloud: 'custom', authorityHost: process.env.AUTOPILOT_AUTHORITY, graphRoot: process.env.AUTOPILOT_GRAPH_ROOT });
        tokenSourceFromEnvironment({ env: process.env, endpoints, tenant: ${JSON.stringify(tenant)} })()
          .then((token) => process.stdout.write(token), (error) => { process.stderr.write(error.message); process.exitCode = 1; });`;
      return new Promise((resolve) => {
        const child = spawn(process.execPath, ['-e', script], {
          env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: testTls().caFile, AUTOPILOT_AUTHORITY: emulator.origin, AUTOPILOT_GRAPH_ROOT: TEST_GRAPH_ROOT, ...env },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.on('exit', (code) => resolve({ code, stdout, stderr }));
      });
    }

    it('gets an app-only token with a client secret, trusting a private authority through NODE_EXTRA_CA_CERTS', async () => {
      const result = await tokenFromChildProcess({ AUTOPILOT_CLIENT_ID: app.clientId, AUTOPILOT_CLIENT_SECRET: SECRET, AUTOPILOT_TENANT_ID: CONTOSO.id });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(emulator.isValidAccessToken(result.stdout, { audience: TEST_GRAPH_ROOT })?.roles, [INTUNE_PERMISSION]);
    });

    it('gets an app-only token with AUTOPILOT_CLIENT_CERTIFICATE and --tenant', async () => {
      const result = await tokenFromChildProcess({ AUTOPILOT_CLIENT_ID: app.clientId, AUTOPILOT_CLIENT_CERTIFICATE: certificate.pemFile }, CONTOSO.domain);
      assert.equal(result.code, 0, result.stderr);
      assert.ok(emulator.isValidAccessToken(result.stdout, { audience: TEST_GRAPH_ROOT }));
    });

    it('fails with the AADSTS7000215 sentence for a wrong secret', async () => {
      const result = await tokenFromChildProcess({ AUTOPILOT_CLIENT_ID: app.clientId, AUTOPILOT_CLIENT_SECRET: 'wrong', AUTOPILOT_TENANT_ID: CONTOSO.id });
      assert.equal(result.code, 1);
      assert.match(result.stderr, /AADSTS7000215/);
    });

    it('does not trust the private authority without the extra CA, and names the certificate and NODE_EXTRA_CA_CERTS', async () => {
      const result = await tokenFromChildProcess({ AUTOPILOT_CLIENT_ID: app.clientId, AUTOPILOT_CLIENT_SECRET: SECRET, AUTOPILOT_TENANT_ID: CONTOSO.id, NODE_EXTRA_CA_CERTS: '' });
      assert.equal(result.code, 1);
      // The emulator's certificate is signed by a CA this process does not know: OpenSSL's verdict for that.
      assert.match(result.stderr, /untrusted certificate \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): .*set NODE_EXTRA_CA_CERTS to the PEM file/);
      assert.match(result.stderr, /--authority \(AUTOPILOT_AUTHORITY\)/);
      assert.doesNotMatch(result.stderr, /autopilot\.authority|Could not reach/);
    });
  });
});
