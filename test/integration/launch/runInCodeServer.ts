/**
 * `npm run test:integration`: runs the compiled integration suite inside a real VS Code (code-server + Chromium),
 * then the Playwright UI tests against the packaged VSIX installed into a second, clean code-server.
 *
 * Environment: AUTOPILOT_TEST_FILES=<substring>[,<substring>…] runs only matching test files (both tiers);
 * AUTOPILOT_SKIP_UI=1 skips the UI tier; AUTOPILOT_INTEGRATION_TIMEOUT_S caps each tier (default 900).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';
import type { Page } from 'playwright-core';
import { writeBaselineExtension } from '../../../bench/activationBaseline';
import { launchBrowser, startCodeServer, workbenchUrl } from './codeServer';
import { ensureTools, type ToolPaths } from './toolCache';
import { REPORTER_MARK, type SuiteResults } from '../suite/index';
import { setUiSession } from '../../ui/uiSession';
import { TEST_TLS_DIR_ENV, createTestTls } from '../../emulator/identity/testTls';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');
const outputDir = path.join(repoRoot, 'test-output');
const timeoutMs = Number(process.env.AUTOPILOT_INTEGRATION_TIMEOUT_S ?? 900) * 1000;

/** Temporary workspaces of this run, removed when it ends. */
const workspaces: string[] = [];

/** A fresh copy of the fixture workspace, so tests may write to it. */
export function freshWorkspace(name: string): string {
  const target = fs.mkdtempSync(path.join(os.tmpdir(), `autopilot-${name}-`));
  workspaces.push(target);
  const fixtures = path.join(repoRoot, 'test', 'fixtures', 'workspace');
  if (fs.existsSync(fixtures)) fs.cpSync(fixtures, target, { recursive: true });
  return target;
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function runExtensionHostSuite(tools: ToolPaths, tlsEnv: Record<string, string>): Promise<boolean> {
  const resultsFile = path.join(outputDir, 'integration-results.json');
  fs.rmSync(resultsFile, { force: true });
  const testsPath = path.join(repoRoot, 'out', 'test', 'integration', 'suite');
  if (!fs.existsSync(path.join(testsPath, 'index.js'))) {
    throw new Error(`No compiled suite at ${testsPath}: run 'npm run compile-tests' first.`);
  }
  const env: Record<string, string> = { AUTOPILOT_TEST_RESULTS: resultsFile, AUTOPILOT_TEST_OUTPUT: outputDir, ...tlsEnv };
  if (process.env.AUTOPILOT_TEST_FILES) env.AUTOPILOT_TEST_FILES = process.env.AUTOPILOT_TEST_FILES;
  // Installed beside ours: the activation budget's baseline, activated by the same events at the same moment.
  const baseline = writeBaselineExtension(path.join(outputDir, 'activation-baseline'));
  const server = await startCodeServer(tools, { env, installVsix: [baseline], logFile: path.join(outputDir, 'code-server-integration.log') });
  const browser = await launchBrowser(tools);
  const workbenchLog = fs.createWriteStream(path.join(outputDir, 'integration-workbench.log'));
  let page: Page | undefined;
  try {
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    // The reporter's lines on the console; everything the workbench says, in a file for when a test fails.
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
      const text = format(...(Array.isArray(args) ? args : [args]));
      for (const line of text.split('\n')) {
        if (line.startsWith(REPORTER_MARK)) process.stdout.write(`${line.slice(REPORTER_MARK.length)}\n`);
        else workbenchLog.write(`${line}\n`);
      }
    });
    const exitCode = new Promise<number>((resolve) => void page?.exposeFunction('codeAutomationExit', (code: number) => resolve(code)));
    const url = workbenchUrl(server, {
      folder: freshWorkspace('integration'),
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: testsPath,
    });
    await page.goto(url);
    const code = await withTimeout(exitCode, timeoutMs, 'The integration suite');
    return judge(code, resultsFile);
  } catch (error) {
    process.stderr.write(`Integration tier failed: ${error instanceof Error ? error.message : String(error)}\n`);
    await page?.screenshot({ path: path.join(outputDir, 'integration-failure.png') }).catch(() => undefined);
    return false;
  } finally {
    await browser.close();
    await server.stop({ keepLogsIn: path.join(outputDir, 'integration-logs') });
    workbenchLog.end();
  }
}

/** Success needs both a zero exit code and a results file showing tests that ran and passed. */
function judge(exitCode: number, resultsFile: string): boolean {
  if (!fs.existsSync(resultsFile)) {
    process.stderr.write(
      `The workbench reported exit code ${exitCode} but the suite wrote no results: the extension host probably crashed or the suite never loaded.\n`,
    );
    return false;
  }
  const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as SuiteResults;
  process.stdout.write(`Integration tier: ${results.passes} passing, ${results.failures} failing, ${results.pending} pending (exit ${exitCode})\n`);
  for (const failure of results.failed) process.stderr.write(`  FAILED ${failure.title}\n${failure.error}\n`);
  if (results.failures) {
    process.stderr.write(`  The workbench's own log: ${path.join(outputDir, 'integration-workbench.log')}; the window's logs (ours in its Autopilot.log): ${path.join(outputDir, 'integration-logs')}\n`);
  }
  return exitCode === 0 && results.failures === 0 && results.passes > 0 && results.passes + results.pending === results.total;
}

/** Packages the extension as users get it (`vsce package`, which builds first) into the test output folder. */
export function packageVsix(): string {
  const vsix = path.join(outputDir, 'autopilot-devices.vsix');
  fs.rmSync(vsix, { force: true });
  const result = spawnSync('npx', ['vsce', 'package', '--no-dependencies', '--out', vsix], { cwd: repoRoot, encoding: 'utf8' });
  if (result.status !== 0 || !fs.existsSync(vsix)) {
    throw new Error(`vsce package failed:\n${result.stdout}\n${result.stderr}`);
  }
  return vsix;
}

/**
 * The UI suites share one code-server, and with it the extension's global storage: the import journal every window
 * reads, and windows whose extension hosts keep watching their runs after the page closes (code-server keeps them for
 * reconnection). Suites that show a first-time user's workbench (nothing imported, nobody signed in) run before any
 * suite imports; the rest in name order.
 */
const FIRST_TIME_USER_SUITES = ['smoke.ui.test.js', 'signIn.ui.test.js'];

function uiOrder(files: readonly string[]): string[] {
  const rank = (file: string) => {
    const index = FIRST_TIME_USER_SUITES.indexOf(path.basename(file));
    return index === -1 ? FIRST_TIME_USER_SUITES.length : index;
  };
  return [...files].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

async function runUiSuite(tools: ToolPaths, tlsEnv: Record<string, string>): Promise<boolean> {
  const uiTests = path.join(repoRoot, 'out', 'test', 'ui');
  const grep = process.env.AUTOPILOT_TEST_FILES;
  const files = fs.existsSync(uiTests)
    ? fs.readdirSync(uiTests, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ui.test.js') && (!grep || grep.split(',').some((part) => f.includes(part))))
    : [];
  if (files.length === 0) {
    process.stdout.write('UI tier: no UI test files matched.\n');
    return grep !== undefined;
  }
  const vsix = packageVsix();
  const server = await startCodeServer(tools, { installVsix: [vsix], env: tlsEnv, logFile: path.join(outputDir, 'code-server-ui.log') });
  const browser = await launchBrowser(tools);
  setUiSession({ server, browser, outputDir, tools, freshWorkspace });
  try {
    const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: 'spec' });
    for (const file of uiOrder(files)) mocha.addFile(path.join(uiTests, file));
    const { failures, passes } = await withTimeout(
      new Promise<{ failures: number; passes: number }>((resolve) => {
        const runner = mocha.run((failures) => resolve({ failures, passes: runner.stats?.passes ?? 0 }));
      }),
      timeoutMs,
      'The UI suite',
    );
    process.stdout.write(`UI tier: ${passes} passing, ${failures} failing\n`);
    return failures === 0 && passes > 0;
  } finally {
    await browser.close();
    await server.stop({ keepLogsIn: path.join(outputDir, 'ui-logs') });
  }
}

/**
 * A fresh test CA for the identity emulator. The extension host trusts it through NODE_EXTRA_CA_CERTS (read at its
 * start, so it is made before code-server starts); tests in the extension host and in this process (the UI tests)
 * find the server certificate through AUTOPILOT_TEST_TLS_DIR.
 */
function testTlsEnvironment(): Record<string, string> {
  const dir = path.join(outputDir, 'tls');
  fs.rmSync(dir, { recursive: true, force: true });
  const tls = createTestTls(dir);
  process.env[TEST_TLS_DIR_ENV] = tls.dir;
  return { NODE_EXTRA_CA_CERTS: tls.caFile, [TEST_TLS_DIR_ENV]: tls.dir };
}

async function main(): Promise<number> {
  fs.mkdirSync(outputDir, { recursive: true });
  const tools = ensureTools();
  const tlsEnv = testTlsEnvironment();
  try {
    const extensionHostOk = await runExtensionHostSuite(tools, tlsEnv);
    const uiOk = process.env.AUTOPILOT_SKIP_UI === '1' ? true : await runUiSuite(tools, tlsEnv);
    return extensionHostOk && uiOk ? 0 : 1;
  } finally {
    for (const workspace of workspaces) fs.rmSync(workspace, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
