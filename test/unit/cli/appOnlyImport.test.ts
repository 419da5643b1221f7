import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sandboxDevices, startSandboxTenant, type SandboxTenant } from '../../emulator/sandboxTenant';
import { parseJsonOutput, runCli } from '../../support/cliRunner';
import { testTls } from '../auth/fixtures';

const SECRET = 'pipeline-secret-value-3f9d';
const FAST = { processingDelayMs: 150, processingJitterMs: 0, registrationDelayMs: 150, syncDurationMs: 100, syncMinIntervalMs: 60_000 };

interface RunsDocument {
  runs: { devices: { serialNumber: string; status: string; errorCode: number; errorName: string | null; registered: boolean }[] }[];
}

/**
 * The pipeline path end to end: the bundled CLI signs in app-only with real MSAL against the emulated Entra ID
 * (trusted only through NODE_EXTRA_CA_CERTS), and imports into the emulated Graph, which accepts only the tokens that
 * Entra issued for it.
 */
describe('autopilot-devices import, app-only against the sandbox tenant', function () {
  this.timeout(60_000);
  let tenant: SandboxTenant;
  let dir: string;

  before(async () => {
    tenant = await startSandboxTenant({ tls: testTls(), appSecret: SECRET, graph: { timing: FAST } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-app-only-'));
  });

  after(async () => {
    await tenant.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function importWith(env: Record<string, string>, ...extra: string[]) {
    const file = path.join(dir, 'devices.autopilot.json');
    fs.writeFileSync(file, JSON.stringify(sandboxDevices(tenant, 2, 'PIPE')));
    const args = ['import', file, '--wait', '--no-sync', '--json', '--journal', path.join(dir, 'journal'), '--poll-interval', '0.1'];
    const common = { '--graph-root': tenant.graph.url, '--authority': tenant.identity.origin, '--tenant': tenant.tenantDomain };
    return runCli([...args, ...Object.entries(common).flat(), ...extra], {
      env: { NODE_EXTRA_CA_CERTS: testTls().caFile, AUTOPILOT_CLIENT_ID: tenant.app!.clientId, ...env },
    });
  }

  it('imports with a client secret and reports each device, the Intune failures explained by code', async () => {
    const run = await importWith({ AUTOPILOT_CLIENT_SECRET: SECRET, AUTOPILOT_LOG: 'trace' });
    assert.equal(run.code, 3, run.stderr); // two devices completed, 806 and 808 failed
    const [result] = parseJsonOutput<RunsDocument>(run).runs;
    const bySerial = new Map(result!.devices.map((d) => [d.serialNumber, d]));
    assert.equal(bySerial.get('PIPE000001')?.status, 'complete');
    assert.equal(bySerial.get('PIPE000002')?.status, 'complete');
    assert.equal(bySerial.get('PIPE-AGAIN-806')?.errorCode, 806);
    assert.equal(bySerial.get('PIPE-RESOLD-808')?.errorCode, 808);
    // Graph saw only tokens Entra issued for it, and the secret never reached a log line.
    assert.ok(tenant.graph.requests.length > 0);
    assert.doesNotMatch(run.stderr, new RegExp(SECRET));
  });

  it('fails before sending anything when the secret is wrong, with the AADSTS7000215 sentence, and journals no run (issue 11, item 8)', async () => {
    const before = tenant.graph.requests.length;
    const runs = () => (fs.existsSync(path.join(dir, 'journal', 'runs')) ? fs.readdirSync(path.join(dir, 'journal', 'runs')).length : 0);
    const runsBefore = runs();
    const run = await importWith({ AUTOPILOT_CLIENT_SECRET: 'not-the-secret' });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /AADSTS7000215/);
    assert.equal(tenant.graph.requests.length, before);
    assert.equal(runs(), runsBefore, 'a sign-in that failed leaves nothing for resume to send later');
  });

  it('ties the run to the tenant of the app-only token, named by the --tenant domain', async () => {
    const run = await importWith({ AUTOPILOT_CLIENT_SECRET: SECRET });
    assert.equal(run.code, 3, run.stderr);
    const runsDir = path.join(dir, 'journal', 'runs');
    const newest = fs.readdirSync(runsDir).sort().at(-1)!;
    const manifest = JSON.parse(fs.readFileSync(path.join(runsDir, newest, 'manifest.json'), 'utf8')) as { tenant?: { id: string; label: string } };
    assert.deepEqual(manifest.tenant, { id: tenant.tenantId, label: tenant.tenantDomain });
  });
});
