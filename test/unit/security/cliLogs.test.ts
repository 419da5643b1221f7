/**
 * The bundled terminal command at its most talkative (`--verbose`, `AUTOPILOT_LOG=trace`), signing in app-only with
 * real MSAL and importing a CSV with product keys into an emulated Graph that fails in the ways that get logged
 * (a 400 quoting a hash, 806/808, 503, 429, a reset after the commit): neither stdout nor stderr holds a hash, a
 * product key, the client secret or a token.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { sandboxDevices, startSandboxTenant, type SandboxTenant } from '../../emulator/sandboxTenant';
import { logLevelFrom } from '../../../src/cli/stderrLogger';
import { runCli, type CliRun } from '../../support/cliRunner';
import { findSecrets, productKeyFor } from '../../support/secretScan';
import { testTls } from '../auth/fixtures';

const SECRET = 'pipeline-secret-for-the-log-test-8c1e';
const FAST = { processingDelayMs: 150, processingJitterMs: 0, registrationDelayMs: 150, syncDurationMs: 100, syncMinIntervalMs: 60_000, lateCommitMaxMs: 200 };
const IMPORT_PATH = '/import';
const CSV_HEADER = 'Device Serial Number,Windows Product ID,Hardware Hash,Group Tag,Assigned User';

describe('autopilot-devices import at trace level: no hash, product key, secret or token on stdout or stderr', function () {
  this.timeout(90_000);
  let tenant: SandboxTenant;
  let dir: string;

  before(async () => {
    tenant = await startSandboxTenant({ tls: testTls(), appSecret: SECRET, graph: { timing: FAST } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-cli-logs-'));
  });

  after(async () => {
    await tenant.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const [name, flags, json] of [
    ['--verbose with AUTOPILOT_LOG=trace, --json', ['--verbose'], true],
    ['AUTOPILOT_LOG=trace, human output', [], false],
  ] as const) {
    it(name, async () => {
      const prefix = json ? 'JLOG' : 'HLOG';
      const devices = sandboxDevices(tenant, 6, prefix).map((device, index) => ({ ...device, productKey: productKeyFor(index + (json ? 100 : 200)) }));
      const file = path.join(dir, `${prefix}.csv`);
      const rows = devices.map((d, i) => [d.serialNumber, d.productKey, d.hardwareIdentifier, `tag-${i}`, i === 0 ? 'ana@contoso.com' : ''].join(','));
      fs.writeFileSync(file, [CSV_HEADER, ...rows].join('\r\n') + '\r\n');

      const quoted = devices[2]!;
      const { graph } = tenant;
      graph.faults.clear();
      // Graph quoting a device's hash back in its error (as the Edm.Binary 400 does), once, on the chunk that holds it.
      graph.faults.add({
        method: 'POST',
        path: IMPORT_PATH,
        body: (body) => JSON.stringify(body).includes(quoted.serialNumber),
        action: { kind: 'status', status: 400, code: 'BadRequest', message: `Cannot convert the literal '${quoted.hardwareIdentifier}' to the expected type 'Edm.Binary'.` },
      });
      // Every request claims all rules that match it, so `skip` spaces them out over the /import calls (a 503 on a write
      // is not repeated: Graph commits it a little later, and the engine finds it after its settle time).
      graph.faults.add({ method: 'POST', path: IMPORT_PATH, skip: 1, action: { kind: 'status', status: 503 } });
      graph.faults.add({ method: 'POST', path: IMPORT_PATH, skip: 3, action: { kind: 'status', status: 429, retryAfter: '0' } });
      graph.faults.add({ method: 'POST', path: IMPORT_PATH, skip: 4, action: { kind: 'reset-after-commit' } });
      graph.faults.add({ method: 'GET', times: 2, action: { kind: 'status', status: 503 } });
      const requestsBefore = graph.requests.length;

      const args = ['import', file, '--wait', '--no-sync', '--batch-size', '3', '--journal', path.join(dir, `journal-${prefix}`), '--poll-interval', '0.1', ...flags];
      if (json) args.push('--json');
      const common = ['--graph-root', graph.url, '--authority', tenant.identity.origin, '--tenant', tenant.tenantDomain];
      const run: CliRun = await runCli([...args, ...common], {
        cwd: dir,
        env: { NODE_EXTRA_CA_CERTS: testTls().caFile, AUTOPILOT_CLIENT_ID: tenant.app!.clientId, AUTOPILOT_CLIENT_SECRET: SECRET, AUTOPILOT_LOG: 'trace', AUTOPILOT_SETTLE_SECONDS: '0.3' },
      });

      assert.equal(run.code, 3, run.stderr); // finished, with 806, 808 and the refused device in error
      for (const level of ['debug', 'info', 'warn']) assert.ok(run.stderr.includes(`[${level}]`), `nothing logged at ${level}`);
      const requests = graph.requests.slice(requestsBefore);
      for (const status of [400, 429, 503, -1]) assert.ok(requests.some((r) => r.status === status), `no ${status} answered`);
      const tokens = [...new Set(requests.map((r) => (r.authorization ?? '').replace(/^Bearer /, '')).filter((t) => t.length > 0))];
      assert.ok(tokens.length > 0);
      const leaks = findSecrets(`${run.stdout}\n${run.stderr}`, {
        hashes: devices.map((d) => d.hardwareIdentifier),
        productKeys: devices.map((d) => d.productKey),
        tokens: [...tokens, SECRET],
      });
      assert.deepEqual(leaks, [], `stderr has ${run.stderr.split('\n').length} lines`);
    });
  }

  it('--verbose means at least debug and does not hide AUTOPILOT_LOG=trace', () => {
    assert.equal(logLevelFrom(true, { AUTOPILOT_LOG: 'trace' }), 'trace');
    assert.equal(logLevelFrom(true, { AUTOPILOT_LOG: 'error' }), 'debug');
    assert.equal(logLevelFrom(true, {}), 'debug');
    assert.equal(logLevelFrom(false, { AUTOPILOT_LOG: 'TRACE ' }), 'trace');
    assert.equal(logLevelFrom(false, { AUTOPILOT_LOG: 'loud' }), 'warn');
  });
});
