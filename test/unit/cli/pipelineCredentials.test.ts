/**
 * Pipelines without secrets (SPEC section 6.4), end to end: the bundled terminal command signs in with real
 * `@azure/msal-node` against the emulated Entra ID — workload identity federation with a token file, managed identity
 * through the App Service endpoint and through IMDS — and imports into the emulated Graph, which accepts only tokens
 * that Entra issued for it. `whoami` names the credential, app, tenant, cloud and roles, and never prints a token.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AppOnlyAuth } from '../../../src/auth/appOnlyAuth';
import { fakeDevices } from '../../emulator/hashes';
import { CONTOSO, INTUNE_PERMISSION, confidentialApp, type EmulatedApp } from '../../emulator/identity/directory';
import { TOKEN_EXCHANGE_AUDIENCE, TestIssuer } from '../../emulator/identity/federation';
import { startManagedIdentityEndpoint, type ManagedIdentityEndpoint } from '../../emulator/identity/managedIdentityEndpoint';
import { startSandboxTenant, type SandboxTenant } from '../../emulator/sandboxTenant';
import { parseJsonOutput, runCli, type CliRun } from '../../support/cliRunner';
import { captureLog, emulatorCloud, networkFor, testTls } from '../auth/fixtures';

const SUBJECT = 'repo:contoso/autopilot-devices:environment:intune';
const FAST = { processingDelayMs: 150, processingJitterMs: 0, registrationDelayMs: 150, syncDurationMs: 100, syncMinIntervalMs: 60_000 };

interface Whoami {
  credential: string;
  sources: string[];
  app: string | null;
  tenant: string | null;
  cloud: string;
  graphRoot: string;
  authority: string | null;
  roles: string[];
  scopes: string[];
  managedIdentityEndpoint?: string;
  proxy: unknown;
}

describe('Pipelines without secrets: federated credentials and managed identity (real MSAL, bundled CLI)', function () {
  this.timeout(60_000);
  let tenant: SandboxTenant;
  let issuer: TestIssuer;
  let pipelineApp: EmulatedApp;
  let dir: string;
  let tokenFile: string;

  before(async () => {
    tenant = await startSandboxTenant({ tls: testTls(), graph: { timing: FAST } });
    issuer = new TestIssuer();
    tenant.identity.trustIssuer(issuer);
    pipelineApp = tenant.identity.addApp(
      confidentialApp({ displayName: 'Autopilot GitHub pipeline', federatedCredentials: [{ issuer: issuer.issuer, subject: SUBJECT, audiences: [TOKEN_EXCHANGE_AUDIENCE] }] }),
    );
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-pipeline-'));
    tokenFile = path.join(dir, 'federated-token');
  });

  after(async () => {
    await tenant.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const where = () => ['--graph-root', tenant.graph.url, '--authority', tenant.identity.origin];
  const federatedEnv = () => ({
    NODE_EXTRA_CA_CERTS: testTls().caFile,
    AZURE_CLIENT_ID: pipelineApp.clientId,
    AZURE_TENANT_ID: CONTOSO.id,
    AZURE_FEDERATED_TOKEN_FILE: tokenFile,
  });

  /** No token, assertion or secret the emulator issued or accepted reached the output. */
  function assertNoTokensIn(run: CliRun): void {
    for (const secret of tenant.identity.issuedSecrets) {
      if (secret.length < 16) continue;
      assert.ok(!run.stdout.includes(secret) && !run.stderr.includes(secret), `the output contains a token (${secret.slice(0, 6)}…)`);
    }
  }

  function importFile(name: string, count: number): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(fakeDevices(count, name.slice(0, 4).toUpperCase())));
    return file;
  }

  describe('workload identity federation', () => {
    it('whoami names the federated credential, the app, the tenant, the cloud and the roles, never the token', async () => {
      fs.writeFileSync(tokenFile, `${issuer.mint({ subject: SUBJECT })}\n`);
      const run = await runCli(['whoami', '--json', ...where()], { env: federatedEnv() });
      assert.equal(run.code, 0, run.stderr);
      const whoami = parseJsonOutput<Whoami>(run);
      assert.equal(whoami.credential, 'federated');
      assert.deepEqual(whoami.sources, ['AZURE_FEDERATED_TOKEN_FILE', 'AZURE_CLIENT_ID', 'AZURE_TENANT_ID']);
      assert.equal(whoami.app, pipelineApp.clientId);
      assert.equal(whoami.tenant, CONTOSO.id);
      assert.equal(whoami.cloud, 'custom');
      assert.equal(whoami.authority, tenant.identity.origin);
      assert.deepEqual(whoami.roles, [INTUNE_PERMISSION]);
      assertNoTokensIn(run);

      const human = await runCli(['whoami', ...where()], { env: federatedEnv() });
      assert.equal(human.code, 0, human.stderr);
      assert.match(human.stdout, /^credential\s+workload identity federation \(AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_ID, AZURE_TENANT_ID\)$/m);
      assert.match(human.stdout, new RegExp(`^roles\\s+${INTUNE_PERMISSION}$`, 'm'));
      assertNoTokensIn(human);
    });

    it('imports with the federated token, the assertion presented to Entra ID being the file’s', async () => {
      fs.writeFileSync(tokenFile, issuer.mint({ subject: SUBJECT }));
      const before = tenant.identity.requests.length;
      const run = await runCli(['import', importFile('fedx.autopilot.json', 2), '--wait', '--no-sync', '--json', '--journal', path.join(dir, 'journal'), '--poll-interval', '0.1', ...where()], {
        env: federatedEnv(),
      });
      assert.equal(run.code, 0, run.stderr);
      const devices = parseJsonOutput<{ runs: { devices: { status: string }[] }[] }>(run).runs[0]!.devices;
      assert.deepEqual(devices.map((d) => d.status), ['complete', 'complete']);
      const exchanges = tenant.identity.requests.slice(before).filter((r) => r.assertion);
      assert.ok(exchanges.length >= 1);
      assert.ok(exchanges.every((r) => r.assertion!.subject === SUBJECT && r.assertion!.issuer === issuer.issuer));
      assertNoTokensIn(run);
    });

    const refusals: { name: string; token: () => string; expected: RegExp }[] = [
      { name: 'a wrong audience (AADSTS700212)', token: () => issuer.mint({ subject: SUBJECT, audience: 'api://AzureADTokenExchangeChina' }), expected: /audience 'api:\/\/AzureADTokenExchangeChina' \(AADSTS700212\)/ },
      { name: 'an expired token (AADSTS700024)', token: () => issuer.mint({ subject: SUBJECT, expiresInSeconds: -120 }), expected: /federated token in .*federated-token has expired .*\(AADSTS700024\)/ },
      { name: 'another subject (AADSTS700213)', token: () => issuer.mint({ subject: 'repo:contoso/autopilot-devices:ref:refs/heads/feature' }), expected: /subject 'repo:contoso\/autopilot-devices:ref:refs\/heads\/feature' \(AADSTS700213\)/ },
      { name: 'an issuer the app does not trust (AADSTS700211)', token: () => new TestIssuer('https://gitlab.example.com').mint({ subject: SUBJECT }), expected: /issuer 'https:\/\/gitlab\.example\.com' \(AADSTS700211\)/ },
      { name: 'a token whose signature does not verify (AADSTS700027)', token: () => new TestIssuer(issuer.issuer).mint({ subject: SUBJECT }), expected: /AADSTS700027/ },
    ];
    for (const refusal of refusals) {
      it(`refuses ${refusal.name} with one sentence, and sends nothing to Graph`, async () => {
        fs.writeFileSync(tokenFile, refusal.token());
        const graphBefore = tenant.graph.requests.length;
        const run = await runCli(['import', importFile('refu.autopilot.json', 1), '--json', '--journal', path.join(dir, 'journal'), ...where()], { env: federatedEnv() });
        assert.equal(run.code, 1, run.stderr);
        const message = parseJsonOutput<{ error: string }>(run).error;
        assert.match(message, refusal.expected);
        assert.ok(!message.includes('\n'), 'one sentence');
        assert.match(run.stderr, refusal.expected);
        assert.equal(tenant.graph.requests.length, graphBefore, 'nothing reached Graph');
        assertNoTokensIn(run);
      });
    }

    it('names a missing token file and a missing client ID before asking anyone', async () => {
      const missing = await runCli(['whoami', ...where()], { env: { ...federatedEnv(), AZURE_FEDERATED_TOKEN_FILE: path.join(dir, 'nope') } });
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /federated token file .*nope cannot be read \(ENOENT\)/);
      const noApp = await runCli(['whoami', ...where()], { env: { ...federatedEnv(), AZURE_CLIENT_ID: '' } });
      assert.equal(noApp.code, 1);
      assert.match(noApp.stderr, /AZURE_FEDERATED_TOKEN_FILE is set but no app: set AZURE_CLIENT_ID/);
    });

    it('reads the token file again for every token request (a rotated token is the one presented)', async () => {
      const log = captureLog();
      const app = new AppOnlyAuth({
        clientId: pipelineApp.clientId,
        tenantId: CONTOSO.id,
        endpoints: emulatorCloud(tenant.identity, tenant.graph.url),
        credential: { kind: 'federated', tokenFile },
        log,
        network: networkFor(log),
      });
      const first = issuer.mint({ subject: SUBJECT });
      fs.writeFileSync(tokenFile, first);
      const before = tenant.identity.requests.length;
      await app.getToken();
      // The pipeline (or Kubernetes) rotates the file; the old token may already have expired.
      const second = issuer.mint({ subject: SUBJECT });
      fs.writeFileSync(tokenFile, second);
      await app.getToken({ forceRefresh: true });
      const presented = tenant.identity.requests.slice(before).filter((r) => r.assertion).map((r) => r.assertion!.id);
      const idOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).jti as string;
      assert.deepEqual(presented, [idOf(first), idOf(second)]);
    });
  });

  describe('managed identity', () => {
    let endpoint: ManagedIdentityEndpoint;
    let systemIdentity: EmulatedApp;
    let userIdentity: EmulatedApp;

    before(async () => {
      systemIdentity = tenant.identity.addApp(confidentialApp({ displayName: 'vm-autopilot (system-assigned)' }));
      userIdentity = tenant.identity.addApp(confidentialApp({ displayName: 'id-autopilot (user-assigned)' }));
      endpoint = await startManagedIdentityEndpoint(tenant.identity, { systemAssigned: systemIdentity.clientId, userAssigned: [userIdentity.clientId] });
    });
    after(() => endpoint.close());

    const appService = () => ({ IDENTITY_ENDPOINT: endpoint.appServiceEndpoint, IDENTITY_HEADER: endpoint.appServiceSecret });
    const imds = () => ({ AZURE_POD_IDENTITY_AUTHORITY_HOST: endpoint.imdsHost });

    it('App Service: whoami shows the system-assigned identity, its tenant and roles; no authority is needed', async () => {
      const run = await runCli(['whoami', '--json', '--graph-root', tenant.graph.url], { env: { ...appService(), AUTOPILOT_MANAGED_IDENTITY: '1' } });
      assert.equal(run.code, 0, run.stderr);
      const whoami = parseJsonOutput<Whoami>(run);
      assert.equal(whoami.credential, 'managed-identity');
      assert.deepEqual(whoami.sources, ['AUTOPILOT_MANAGED_IDENTITY']);
      assert.equal(whoami.app, systemIdentity.clientId);
      assert.equal(whoami.tenant, CONTOSO.id);
      assert.equal(whoami.authority, null);
      assert.equal(whoami.managedIdentityEndpoint, endpoint.appServiceEndpoint);
      assert.deepEqual(whoami.roles, [INTUNE_PERMISSION]);
      assertNoTokensIn(run);
    });

    it('App Service: imports with --managed-identity', async () => {
      const before = endpoint.requests.length;
      const run = await runCli(
        ['import', importFile('mias.autopilot.json', 1), '--managed-identity', '--wait', '--no-sync', '--json', '--journal', path.join(dir, 'journal'), '--poll-interval', '0.1', '--graph-root', tenant.graph.url],
        { env: appService() },
      );
      assert.equal(run.code, 0, run.stderr);
      assert.equal(parseJsonOutput<{ runs: { devices: { status: string }[] }[] }>(run).runs[0]!.devices[0]!.status, 'complete');
      assert.ok(endpoint.requests.slice(before).some((r) => r.source === 'app-service' && r.status === 200));
    });

    it('IMDS (through AZURE_POD_IDENTITY_AUTHORITY_HOST): a user-assigned identity by client ID', async () => {
      const run = await runCli(['whoami', '--json', `--managed-identity=${userIdentity.clientId}`, '--graph-root', tenant.graph.url], { env: imds() });
      assert.equal(run.code, 0, run.stderr);
      const whoami = parseJsonOutput<Whoami>(run);
      assert.equal(whoami.app, userIdentity.clientId);
      assert.equal(whoami.managedIdentityEndpoint, `${endpoint.imdsHost}/metadata/identity/oauth2/token`);
      assert.ok(endpoint.requests.some((r) => r.source === 'imds' && r.clientId === userIdentity.clientId && r.status === 200));
    });

    it('IMDS refuses an identity the host does not have: one sentence, nothing sent to Graph', async () => {
      const graphBefore = tenant.graph.requests.length;
      const stranger = '0b8e6a7c-0000-4000-8000-00000000dead';
      const run = await runCli(['import', importFile('mino.autopilot.json', 1), '--json', '--journal', path.join(dir, 'journal'), '--graph-root', tenant.graph.url], {
        env: { ...imds(), AUTOPILOT_MANAGED_IDENTITY: stranger },
      });
      assert.equal(run.code, 1, run.stderr);
      assert.match(parseJsonOutput<{ error: string }>(run).error, new RegExp(`IMDS managed identity endpoint refused a token for the user-assigned identity ${stranger} \\(Identity not found\\)`));
      assert.equal(tenant.graph.requests.length, graphBefore);
    });

    it('App Service refuses a wrong IDENTITY_HEADER', async () => {
      const run = await runCli(['whoami', '--managed-identity', '--graph-root', tenant.graph.url], { env: { ...appService(), IDENTITY_HEADER: 'not-the-header' } });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /App Service managed identity endpoint refused a token for the system-assigned identity \(.*X-IDENTITY-HEADER/);
    });

    it('says so when no managed identity endpoint answers', async () => {
      const run = await runCli(['whoami', '--managed-identity', '--graph-root', tenant.graph.url], { env: { AZURE_POD_IDENTITY_AUTHORITY_HOST: 'http://127.0.0.1:9' } });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /No managed identity endpoint answered at http:\/\/127\.0\.0\.1:9\/metadata\/identity\/oauth2\/token/);
    });
  });

  describe('which credential wins', () => {
    it('a ready-made token beats everything; whoami reads its claims', async () => {
      fs.writeFileSync(tokenFile, issuer.mint({ subject: SUBJECT }));
      const federated = await runCli(['whoami', '--json', ...where()], { env: federatedEnv() });
      const token = tenant.graph.staticToken;
      const run = await runCli(['whoami', '--json', '--managed-identity', ...where()], { env: { ...federatedEnv(), AUTOPILOT_ACCESS_TOKEN: token } });
      assert.equal(run.code, 0, run.stderr);
      const whoami = parseJsonOutput<Whoami>(run);
      assert.equal(whoami.credential, 'access-token');
      assert.deepEqual(whoami.roles, [], 'an opaque token has no claims to read');
      assert.ok(!run.stdout.includes(token), 'the token is never printed');
      assert.equal(parseJsonOutput<Whoami>(federated).credential, 'federated');
    });

    it('federation beats a managed identity and a client secret', async () => {
      fs.writeFileSync(tokenFile, issuer.mint({ subject: SUBJECT }));
      const run = await runCli(['whoami', '--json', '--managed-identity', ...where()], { env: { ...federatedEnv(), AUTOPILOT_CLIENT_ID: 'x', AUTOPILOT_CLIENT_SECRET: 'y' } });
      assert.equal(parseJsonOutput<Whoami>(run).credential, 'federated', run.stderr);
    });
  });
});
