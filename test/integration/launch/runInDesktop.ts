/**
 * `npm run test:desktop`: the same compiled suite under @vscode/test-electron, on machines that can download VS Code
 * desktop. Like the code-server launcher, it insists on the suite's results file as evidence that tests ran.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { writeBaselineExtension } from '../../../bench/activationBaseline';
import type { SuiteResults } from '../suite/index';
import { TEST_TLS_DIR_ENV, createTestTls } from '../../emulator/identity/testTls';

const repoRoot = path.resolve(__dirname, '..', '..', '..', '..');

async function main(): Promise<number> {
  const outputDir = path.join(repoRoot, 'test-output');
  fs.mkdirSync(outputDir, { recursive: true });
  const resultsFile = path.join(outputDir, 'desktop-results.json');
  fs.rmSync(resultsFile, { force: true });
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-desktop-'));
  const fixtures = path.join(repoRoot, 'test', 'fixtures', 'workspace');
  // The identity emulator's CA, trusted by the extension host from its start (see runInCodeServer).
  const tlsDir = path.join(outputDir, 'tls');
  fs.rmSync(tlsDir, { recursive: true, force: true });
  const tls = createTestTls(tlsDir);
  if (fs.existsSync(fixtures)) fs.cpSync(fixtures, workspace, { recursive: true });
  const baseline = path.join(outputDir, 'activation-baseline');
  writeBaselineExtension(baseline);
  // The baseline loads as a second extension under development (Electron VS Code takes several).

  const exitCode = await runTests({
    version: process.env.AUTOPILOT_VSCODE_VERSION ?? '1.139.1',
    // Ours, and the activation budget's baseline (bench/activationBaseline.ts), activated at the same moment.
    extensionDevelopmentPath: [repoRoot, baseline],
    extensionTestsPath: path.join(repoRoot, 'out', 'test', 'integration', 'suite'),
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    extensionTestsEnv: { AUTOPILOT_TEST_RESULTS: resultsFile, AUTOPILOT_TEST_OUTPUT: outputDir, NODE_EXTRA_CA_CERTS: tls.caFile, [TEST_TLS_DIR_ENV]: tls.dir },
  });
  if (!fs.existsSync(resultsFile)) {
    process.stderr.write('VS Code exited without a results file: the extension host crashed or the suite never loaded.\n');
    return 1;
  }
  const results = JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as SuiteResults;
  process.stdout.write(`Desktop tier: ${results.passes} passing, ${results.failures} failing\n`);
  return exitCode === 0 && results.failures === 0 && results.passes > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${String(error)}\n`);
    process.exit(1);
  },
);
