/**
 * `npm start`: try the extension without a tenant. Starts the sandbox tenant (emulated Entra ID over HTTPS and
 * emulated Graph, with pre-registered devices so 806 and 808 show up), installs the packaged extension into
 * code-server (from the test tool cache, installed if needed), opens a sample workspace configured for the
 * sandbox's custom cloud, and prints the URL and a ready-to-paste terminal command. Ctrl-C stops everything and
 * removes the sandbox's files.
 *
 * One sandbox per folder: a second `npm start` says where the running one is, unless given a folder of its own.
 */
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import * as readline from 'node:readline';
import { ADELE, CONTOSO } from '../emulator/identity/directory';
import { createTestTls } from '../emulator/identity/testTls';
import { startSandboxTenant, type SandboxTenant } from '../emulator/sandboxTenant';
import { startCodeServer, type CodeServer } from '../integration/launch/codeServer';
import { packageVsix } from '../integration/launch/runInCodeServer';
import { ensureTools, toolsCached } from '../integration/launch/toolCache';
import { claimSandboxFolder, type SandboxClaim } from './sandboxFolder';
import { SANDBOX_USAGE, parseSandboxOptions, type SandboxOptions } from './sandboxOptions';
import { writeSampleWorkspace } from './sampleWorkspace';
import { terminalCommand } from './terminalCommand';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

function say(lines: readonly string[]): void {
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** What is running, so Ctrl-C at any moment stops exactly that and removes the sandbox's files. */
interface Running {
  claim?: SandboxClaim;
  sandbox?: SandboxTenant;
  server?: CodeServer;
}

async function stopAll(running: Running): Promise<void> {
  await running.server?.stop().catch(() => undefined);
  await running.sandbox?.close().catch(() => undefined);
  running.claim?.release();
}

async function start(options: SandboxOptions, running: Running): Promise<void> {
  const claim = claimSandboxFolder(options.folder);
  if ('runningElsewhere' in claim) {
    const other = claim.runningElsewhere;
    process.stderr.write(
      [
        `A sandbox is already running from ${options.folder} (process ${other.pid}, started ${other.startedAt}).`,
        other.url ? `  Open it:  ${other.url}` : '  It is still starting.',
        '  Stop it with Ctrl-C in its terminal, or start another one beside it in a folder of its own:',
        `  npm start -- --folder ${path.join(path.dirname(options.folder), 'sandbox-2')}`,
        '',
      ].join('\n'),
    );
    process.exitCode = 1;
    return;
  }
  running.claim = claim;
  const home = claim.folder;

  say(['Starting the Autopilot Devices sandbox…']);
  const tls = createTestTls(path.join(home, 'tls'));
  const appSecret = `sandbox~${randomBytes(12).toString('base64url')}`;
  const sandbox = await startSandboxTenant({
    tls,
    appSecret,
    fleet: 3000,
    identity: { deviceCodePollIntervalSeconds: 2 },
    graph: {
      timing: {
        processingDelayMs: options.processingDelaySeconds * 1000,
        processingJitterMs: Math.min(4000, options.processingDelaySeconds * 500),
        registrationDelayMs: options.registrationDelaySeconds * 1000,
        syncDurationMs: 10_000,
        syncMinIntervalMs: 10 * 60_000,
      },
      latencyMs: 150,
    },
  });
  running.sandbox = sandbox;
  const workspace = path.join(home, 'workspace');
  writeSampleWorkspace(workspace, sandbox);

  if (!toolsCached()) say(['Installing VS Code (code-server) into the tool cache: the first run takes a few minutes…']);
  const tools = ensureTools();
  say(['Packaging the extension and starting VS Code…']);
  const vsix = packageVsix();
  const server = await startCodeServer(tools, {
    installVsix: [vsix],
    smokeTestDriver: false,
    port: options.port,
    // The extension host trusts the sandbox's certificate authority, as it would a private one of yours.
    env: { NODE_EXTRA_CA_CERTS: tls.caFile },
    userSettings: {
      'autopilot.cloud': 'custom',
      'autopilot.authority': sandbox.identity.authorityHost,
      'autopilot.graphRoot': sandbox.graph.url,
      'autopilot.poll.intervalSeconds': 3,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      // The guide opens before Markdown support has loaded, as plain text: wrap it as Markdown will be.
      '[plaintext]': { 'editor.wordWrap': 'on' },
      // The sample workspace lives inside this repository's clone; its Git repository is not what you came for.
      'git.openRepositoryInParentFolders': 'never',
    },
  });
  running.server = server;
  // The guide opens as a plain file with the workbench: a Markdown preview stays blank until extensions have started.
  const guide = `vscode-remote://127.0.0.1:${server.port}${path.join(workspace, 'README.md')}`;
  const url = `${server.origin}/?${new URLSearchParams({ folder: workspace, payload: JSON.stringify([['openFile', guide]]) }).toString()}`;
  claim.ready({ url, codeServerHome: server.home });

  const command = terminalCommand({
    cli: path.join(repoRoot, 'dist', 'cli.js'),
    file: path.join(workspace, 'hardware-hashes.csv'),
    journal: path.join(home, 'journal'),
    caFile: tls.caFile,
    authority: sandbox.identity.authorityHost,
    graphRoot: sandbox.graph.url,
    clientId: sandbox.app!.clientId,
    secret: appSecret,
    tenant: CONTOSO.domain,
  });
  // On a terminal, start from a clean screen: npm's lines and the progress above are noise once this is ready.
  if (process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[3J\x1b[H');
  say([
    'Autopilot Devices sandbox is ready.',
    '',
    `  Open VS Code:  ${url}`,
    '',
    'Then follow README.md there: sign in with a device code, import the sample files, see 806 and 808 explained.',
    `To sign in, click "Copy code and open" in VS Code and enter the code as ${ADELE.username},`,
    'or press Enter here to approve the waiting code.',
    '',
    'The terminal command, against the same sandbox (paste it into another terminal):',
    '',
    ...command.map((line) => `  ${line}`),
    '',
    `Sandbox tenant ${CONTOSO.domain} (${CONTOSO.id}), user ${ADELE.username}:`,
    `  Sign-in:       ${sandbox.identity.authorityHost} (emulated Entra ID; its CA certificate: ${tls.caFile})`,
    `  Device login:  ${sandbox.identity.deviceLoginUrl}`,
    `  Graph:         ${sandbox.graph.url} (emulated; records take about ${options.processingDelaySeconds} s to process)`,
    `  Registered:    ${sandbox.registered.serialNumber} here (806 when imported again), ${sandbox.foreign.serialNumber} in another tenant (808)`,
    '',
    `Files: ${home} (removed when the sandbox stops). Ctrl-C stops everything.`,
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

function main(): void {
  let options: SandboxOptions;
  try {
    options = parseSandboxOptions(process.argv.slice(2), path.join(repoRoot, 'test-output', 'sandbox'));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n\n${SANDBOX_USAGE}`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(SANDBOX_USAGE);
    return;
  }

  const running: Running = {};
  let stopping = false;
  const stop = (code: number) => {
    if (stopping) return;
    stopping = true;
    if (running.claim) say(['', 'Stopping the sandbox…']);
    void stopAll(running).then(() => process.exit(code));
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  start(options, running).catch((error: unknown) => {
    process.stderr.write(`The sandbox could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    stop(1);
  });
}

main();
