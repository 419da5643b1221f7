/**
 * `npm start`: try the extension without a tenant. Starts the sandbox tenant (emulated Entra ID over HTTPS and
 * emulated Graph, with pre-registered devices so 806 and 808 show up), installs the packaged extension into
 * code-server (from the test tool cache, installed if needed), opens a sample workspace configured for the
 * sandbox's custom cloud, and prints the URL. Ctrl-C stops everything.
 *
 *   npm start -- [--port N] [--processing-delay SECONDS]
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { ADELE, CONTOSO } from '../emulator/identity/directory';
import { createTestTls } from '../emulator/identity/testTls';
import { startSandboxTenant } from '../emulator/sandboxTenant';
import { startCodeServer } from '../integration/launch/codeServer';
import { packageVsix } from '../integration/launch/runInCodeServer';
import { ensureTools } from '../integration/launch/toolCache';
import { writeSampleWorkspace } from './sampleWorkspace';
import { numericOption } from '../support/numericOption';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const home = path.join(repoRoot, 'test-output', 'sandbox');

function say(lines: readonly string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(): Promise<void> {
  const processingSeconds = numericOption('--processing-delay', 8);
  say(['Starting the Autopilot Devices sandbox…']);
  fs.mkdirSync(home, { recursive: true });
  const tls = createTestTls(path.join(home, 'tls'));
  const appSecret = `sandbox~${randomBytes(12).toString('base64url')}`;
  const sandbox = await startSandboxTenant({
    tls,
    appSecret,
    fleet: 3000,
    identity: { deviceCodePollIntervalSeconds: 2 },
    graph: {
      timing: { processingDelayMs: processingSeconds * 1000, processingJitterMs: 4000, registrationDelayMs: 45_000, syncDurationMs: 10_000, syncMinIntervalMs: 10 * 60_000 },
      latencyMs: 150,
    },
  });
  const workspace = path.join(home, 'workspace');
  writeSampleWorkspace(workspace, sandbox);

  say(['Getting VS Code (code-server) ready; the first run downloads it into the tool cache…']);
  const tools = ensureTools();
  const vsix = packageVsix();
  const server = await startCodeServer(tools, {
    installVsix: [vsix],
    smokeTestDriver: false,
    port: numericOption('--port', 0),
    // The extension host trusts the sandbox's certificate authority, as it would a private one of yours.
    env: { NODE_EXTRA_CA_CERTS: tls.caFile },
    userSettings: {
      'autopilot.cloud': 'custom',
      'autopilot.authority': sandbox.identity.authorityHost,
      'autopilot.graphRoot': sandbox.graph.url,
      'autopilot.poll.intervalSeconds': 3,
      'workbench.startupEditor': 'readme',
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      // The sample workspace lives inside this repository's clone; its Git repository is not what you came for.
      'git.openRepositoryInParentFolders': 'never',
    },
  });

  const stop = async () => {
    say(['', 'Stopping the sandbox…']);
    await server.stop();
    await sandbox.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  say([
    '',
    'Autopilot Devices sandbox is running.',
    '',
    `  Open VS Code:     ${server.origin}/?folder=${encodeURIComponent(workspace)}`,
    '',
    `  Tenant:           ${CONTOSO.domain} (${CONTOSO.id}), user ${ADELE.username}`,
    `  Sign-in:          ${sandbox.identity.authorityHost} (emulated Entra ID; its certificate comes from ${tls.caFile})`,
    `  Graph:            ${sandbox.graph.url} (emulated; records take about ${processingSeconds} s to process)`,
    `  Device login:     ${sandbox.identity.authorityHost}/devicelogin (your browser will warn about the sandbox certificate)`,
    `  App-only sign-in: client ID ${sandbox.app!.clientId}, tenant ${CONTOSO.domain}, secret ${appSecret}`,
    `  Pre-registered:   ${sandbox.registered.serialNumber} here (806 when imported again), ${sandbox.foreign.serialNumber} in another tenant (808)`,
    '',
    `Sign in with a device code, then press Enter here to approve it as ${ADELE.username}. Ctrl-C stops everything.`,
  ]);

  // Not a terminal interface: Ctrl-C stays a signal for the whole process.
  const input = readline.createInterface({ input: process.stdin, terminal: false });
  input.on('line', () => {
    const pending = sandbox.identity.pendingDeviceCodes();
    if (pending.length === 0) {
      say(['No device code is waiting. In VS Code: Sign in to Intune (status bar) > Sign in with a device code.']);
      return;
    }
    for (const { userCode } of pending) {
      sandbox.identity.approveDeviceCode(userCode, ADELE.username);
      say([`Approved device code ${userCode} for ${ADELE.username}.`]);
    }
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`The sandbox could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
