import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fakeDevices } from '../../emulator/hashes';
import { startSandboxTenant, type SandboxTenant } from '../../emulator/sandboxTenant';
import { runCli, type CliRun } from '../../support/cliRunner';
import { testTls } from '../auth/fixtures';
import { UNPADDED_HASH } from '../payload/fixtures';

const SECRET = 'terminal-words-secret-7c1e';
const FAST = { processingDelayMs: 150, processingJitterMs: 0, registrationDelayMs: 150, syncDurationMs: 100, syncMinIntervalMs: 60_000 };

/** What only makes sense in VS Code: its settings, commands, views and actions. A terminal message never says these. */
const EDITOR_WORDS = /quick fix|\bautopilot\.(cloud|authority|graphRoot|auth|import|poll|apiVersion)\b|Autopilot: [A-Z]|Recent Imports|Show Log|Command Palette|status bar|Problems panel/i;

function assertTerminalWords(run: CliRun): void {
  assert.doesNotMatch(`${run.stdout}\n${run.stderr}`, EDITOR_WORDS, `editor vocabulary in a terminal message:\n${run.stderr}${run.stdout}`);
}

/**
 * The terminal command speaks the terminal's language: flags and environment variables, what to change in the
 * file. Each scenario a newcomer meets (no CA, wrong app, wrong tenant, wrong secret, broken files, Intune's 806 and
 * 808) is run through the bundled CLI and its whole output checked for editor vocabulary.
 */
describe('autopilot-devices speaks the terminal\'s language', function () {
  this.timeout(60_000);
  let tenant: SandboxTenant;
  let dir: string;

  before(async () => {
    tenant = await startSandboxTenant({ tls: testTls(), appSecret: SECRET, graph: { timing: FAST } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-terminal-words-'));
  });

  after(async () => {
    await tenant.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function importAppOnly(env: Record<string, string | undefined>, file: string, ...extra: string[]): Promise<CliRun> {
    return runCli(['import', file, '--journal', path.join(dir, 'journal'), '--poll-interval', '0.1', ...extra], {
      env: {
        NODE_EXTRA_CA_CERTS: testTls().caFile,
        AUTOPILOT_AUTHORITY: tenant.identity.origin,
        AUTOPILOT_GRAPH_ROOT: tenant.graph.url,
        AUTOPILOT_CLIENT_ID: tenant.app!.clientId,
        AUTOPILOT_CLIENT_SECRET: SECRET,
        AUTOPILOT_TENANT_ID: tenant.tenantDomain,
        ...env,
      },
    });
  }

  function payload(name: string, devices: readonly object[]): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify(devices));
    return file;
  }

  it('names an untrusted certificate and NODE_EXTRA_CA_CERTS when the sandbox CA is missing, and sends nothing', async () => {
    const before = tenant.graph.requests.length;
    const run = await importAppOnly({ NODE_EXTRA_CA_CERTS: undefined }, payload('ca.json', fakeDevices(1, 'CA')));
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^autopilot-devices: The sign-in service at https:\/\/127\.0\.0\.1:\d+ presented an untrusted certificate \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\): .*set NODE_EXTRA_CA_CERTS to the PEM file of that CA; otherwise check --authority \(AUTOPILOT_AUTHORITY\)\.$/m);
    assert.doesNotMatch(run.stderr, /Could not reach/);
    assert.equal(tenant.graph.requests.length, before);
    assertTerminalWords(run);
  });

  it('names flags and variables for an unknown app, an unknown tenant and a wrong secret', async () => {
    const file = payload('auth.json', fakeDevices(1, 'AUTH'));
    const unknownApp = await importAppOnly({ AUTOPILOT_CLIENT_ID: '00000000-0000-4000-8000-0000000000aa' }, file);
    assert.match(unknownApp.stderr, /AADSTS700016\): check AUTOPILOT_CLIENT_ID and --tenant \(AUTOPILOT_TENANT_ID\)/);
    const unknownTenant = await importAppOnly({ AUTOPILOT_TENANT_ID: 'nowhere.onmicrosoft.com' }, file);
    assert.match(unknownTenant.stderr, /Tenant nowhere\.onmicrosoft\.com does not exist .*\(AADSTS90002\): check --tenant \(AUTOPILOT_TENANT_ID\)/);
    const wrongSecret = await importAppOnly({ AUTOPILOT_CLIENT_SECRET: 'not-it' }, file);
    assert.match(wrongSecret.stderr, /AADSTS7000215\): set AUTOPILOT_CLIENT_SECRET to the secret's Value/);
    for (const run of [unknownApp, unknownTenant, wrongSecret]) {
      assert.equal(run.code, 1);
      assertTerminalWords(run);
    }
  });

  it('says what to change in the file when validating, never which editor action does it', async () => {
    const unpadded = payload('unpadded.autopilot.json', [{ serialNumber: 'PF-1', hardwareIdentifier: UNPADDED_HASH }]);
    const template = payload('template.autopilot.json', [{ serialNumber: '<serial number>', hardwareIdentifier: '<hardware hash>' }]);
    const empty = path.join(dir, 'empty.autopilot.json');
    fs.writeFileSync(empty, '');
    const quoted = path.join(dir, 'quoted.csv');
    fs.writeFileSync(quoted, `Device Serial Number,Windows Product ID,Hardware Hash\r\n"PF-2",,${fakeDevices(1, 'Q')[0]!.hardwareIdentifier}\r\n`);
    const run = await runCli(['validate', unpadded, template, empty, quoted]);
    assert.equal(run.code, 1);
    assert.match(run.stdout, /hash-padding: The hardware hash lacks its Base64 padding: add "=+" at its end/);
    assert.match(run.stdout, /template-placeholder: Fill in serialNumber: replace "<serial number>" with the device's serial number\./);
    assert.match(run.stdout, /csv-quotes: .*remove them before uploading this file in the portal/);
    assert.match(run.stdout, /: 1 device, 1 error, 0 warnings/, 'one of each, in the singular');
    assertTerminalWords(run);
  });

  it('explains 806 and 808 with what the admin must do, and nothing about retrying in an editor', async () => {
    const file = payload('intune.json', [...fakeDevices(1, 'WORDS'), tenant.registered, tenant.foreign]);
    const run = await importAppOnly({}, file, '--wait', '--no-sync');
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stdout, new RegExp(`${tenant.registered.serialNumber} {2}error 806 .*Already registered in this tenant \\(806\\)\\. .*there is nothing to import`));
    assert.match(run.stdout, new RegExp(`${tenant.foreign.serialNumber} {2}error 808 .*must deregister it .*then import it again`));
    assertTerminalWords(run);
  });
});
