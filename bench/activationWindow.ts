/**
 * One activation measurement in a real VS Code (code-server): runs the integration suite's activation test in a fresh
 * window and returns what the extension recorded about itself. Shared by `bench:activation` and `budgets`.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..');

export interface ActivationRecord {
  readonly activationMs: number;
  readonly loadMs: number;
  readonly activateMs: number;
  readonly vscode: string;
  /** SHA-256 of the `dist/extension.js` that was measured. */
  readonly bundleSha256?: string;
}

export function activationInVsCode(): ActivationRecord {
  const record = path.join(repoRoot, 'test-output', 'activation.json');
  fs.rmSync(record, { force: true });
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'out', 'test', 'integration', 'launch', 'runInCodeServer.js')], {
    cwd: repoRoot,
    env: { ...process.env, AUTOPILOT_TEST_FILES: 'extension.test', AUTOPILOT_SKIP_UI: '1' },
    encoding: 'utf8',
  });
  if (result.status !== 0 || !fs.existsSync(record)) throw new Error(`the activation test failed:\n${result.stdout}\n${result.stderr}`);
  return JSON.parse(fs.readFileSync(record, 'utf8')) as ActivationRecord;
}
