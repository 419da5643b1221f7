/**
 * Starts code-server (the real VS Code workbench and extension host, served to a browser) on loopback, and opens it
 * in Debian's Chromium through playwright-core.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { ToolPaths } from './toolCache';

export interface CodeServer {
  readonly origin: string;
  readonly port: number;
  /** Everything code-server writes (user data, extensions, logs) lives below this folder; `stop` removes it. */
  readonly home: string;
  readonly extensionsDir: string;
  readonly userDataDir: string;
  /** Stops the server and removes its folder; `keepLogsIn` first receives the window's logs (ours among them). */
  stop(options?: { readonly keepLogsIn?: string }): Promise<void>;
}

export interface CodeServerOptions {
  /** Settings written to the user's settings.json before start. */
  readonly userSettings?: Record<string, unknown>;
  /** Extra environment for the server and therefore for the extension host it spawns. */
  readonly env?: Record<string, string>;
  /** VSIX files to install before the server starts. */
  readonly installVsix?: readonly string[];
  /**
   * The smoke-test driver lets tests load an extension under development and hides notification toasts; on by
   * default for tests, off for people (the sandbox of `npm start`).
   */
  readonly smokeTestDriver?: boolean;
  /** A fixed port (0 or absent: a free one). */
  readonly port?: number;
  /** A file that receives everything the server prints (tests keep it under test-output/). */
  readonly logFile?: string;
}

// Without these the workbench starts agents, telemetry and walkthroughs that slow every run and add noise.
const QUIET_SETTINGS = {
  'chat.disableAIFeatures': true,
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'workbench.enableExperiments': false,
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function serverEnv(home: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, XDG_DATA_HOME: home, XDG_CONFIG_HOME: path.join(home, 'config'), ...extra };
}

function installExtension(tools: ToolPaths, home: string, extensionsDir: string, vsix: string): void {
  const result = spawnSync(
    tools.node24,
    [tools.codeServerEntry, '--extensions-dir', extensionsDir, '--user-data-dir', path.join(home, 'user'), '--install-extension', vsix],
    { env: serverEnv(home), encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(`Installing ${vsix} into code-server failed:\n${result.stdout}\n${result.stderr}`);
  }
}

async function waitForHealth(origin: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`code-server exited with ${child.exitCode} before it was ready:\n${output()}`);
    }
    try {
      const response = await fetch(`${origin}/healthz`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`code-server did not become healthy within 60 s:\n${output()}`);
}

export async function startCodeServer(tools: ToolPaths, options: CodeServerOptions = {}): Promise<CodeServer> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-code-server-'));
  const userDataDir = path.join(home, 'user');
  const extensionsDir = path.join(home, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, ...options.userSettings }, null, 2),
  );
  fs.writeFileSync(path.join(home, 'config.yaml'), 'auth: none\ncert: false\n');
  for (const vsix of options.installVsix ?? []) {
    installExtension(tools, home, extensionsDir, vsix);
  }

  const port = options.port || (await freePort());
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn(
    tools.node24,
    [
      tools.codeServerEntry,
      '--config', path.join(home, 'config.yaml'),
      '--auth', 'none',
      '--bind-addr', `127.0.0.1:${port}`,
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
      ...(options.smokeTestDriver === false ? [] : ['--vscode-option', 'enable-smoke-test-driver']),
    ],
    { env: serverEnv(home, options.env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const logFile = options.logFile ? fs.createWriteStream(options.logFile) : undefined;
  child.once('exit', () => logFile?.end());
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
    logFile?.write(chunk);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  await waitForHealth(origin, child, () => log);

  return {
    origin,
    port,
    home,
    extensionsDir,
    userDataDir,
    // Stopping also removes the server's temporary folder (user data, extensions, logs).
    stop: (options = {}) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }).then(() => {
        if (options.keepLogsIn) keepLogs(path.join(userDataDir, 'logs'), options.keepLogsIn);
        fs.rmSync(home, { recursive: true, force: true, maxRetries: 3 });
      }),
  };
}

export interface WorkbenchTarget {
  readonly folder: string;
  readonly extensionDevelopmentPath?: string;
  readonly extensionTestsPath?: string;
}

/** The workbench URL; the `payload` parameter is honoured because the server runs with the smoke-test driver. */
export function workbenchUrl(server: CodeServer, target: WorkbenchTarget): string {
  const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload: [string, string][] = [];
  if (target.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(target.extensionDevelopmentPath)]);
  if (target.extensionTestsPath) payload.push(['extensionTestsPath', remote(target.extensionTestsPath)]);
  const query = new URLSearchParams({ folder: target.folder });
  if (payload.length > 0) query.set('payload', JSON.stringify(payload));
  return `${server.origin}/?${query.toString()}`;
}

export async function launchBrowser(tools: ToolPaths): Promise<Browser> {
  return chromium.launch({
    executablePath: tools.chromium,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Copies the window's logs (the extension host's, and each extension's output channels) to `target`, replacing it. */
function keepLogs(logs: string, target: string): void {
  fs.rmSync(target, { recursive: true, force: true });
  if (fs.existsSync(logs)) fs.cpSync(logs, target, { recursive: true });
}
