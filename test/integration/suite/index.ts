/**
 * Entry point VS Code loads as `extensionTestsPath` (under code-server and under @vscode/test-electron alike).
 * Besides resolving or rejecting, it writes a results file: the launcher treats a missing file or zero passes as a
 * failure, because a crashed extension host still reports success to the workbench.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';
import Mocha from 'mocha';

export const RESULTS_ENV = 'AUTOPILOT_TEST_RESULTS';

/**
 * Starts every line the test reporter prints. The workbench forwards the reporter's lines and its own debug chatter
 * through the same console; the launcher prints the marked lines and keeps the rest in a log file.
 */
export const REPORTER_MARK = '\u2063autopilot-test\u2063';

function markReporterLines(): void {
  const print = Mocha.reporters.Base.consoleLog;
  Mocha.reporters.Base.consoleLog = (...args: unknown[]) => {
    for (const line of format(...args).split('\n')) print(`${REPORTER_MARK}${line}`);
  };
}

export interface SuiteResults {
  readonly total: number;
  readonly passes: number;
  readonly failures: number;
  readonly pending: number;
  readonly failed: readonly { title: string; error: string }[];
}

function testFiles(dir: string): string[] {
  const grep = process.env.AUTOPILOT_TEST_FILES;
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.test.js'))
    .filter((file) => !grep || grep.split(',').some((part) => file.includes(part)))
    .sort()
    .map((file) => path.join(dir, file));
}

export function run(): Promise<void> {
  markReporterLines();
  const mocha = new Mocha({ ui: 'bdd', timeout: 60_000, color: false, reporter: 'spec' });
  for (const file of testFiles(__dirname)) {
    mocha.addFile(file);
  }
  const failed: { title: string; error: string }[] = [];
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats;
      const results: SuiteResults = {
        total: runner.total,
        passes: stats?.passes ?? 0,
        failures,
        pending: stats?.pending ?? 0,
        failed,
      };
      const resultsFile = process.env[RESULTS_ENV];
      if (resultsFile) {
        fs.writeFileSync(resultsFile, JSON.stringify(results, null, 2));
      }
      if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
      else resolve();
    });
    runner.on('fail', (test, error: Error) => failed.push({ title: test.fullTitle(), error: String(error?.stack ?? error) }));
  });
}
