/**
 * What activation costs, two ways:
 *
 * 1. In a real VS Code (code-server): the extension measures itself (evaluating its bundle plus `activate`), and the
 *    integration test records it with its baseline from the same window (evaluating the same bundle with everything
 *    loaded at start, bench/activationBaseline.ts); this runs that test several times and reports the median ratio
 *    against the budget.
 * 2. In cold Node processes: evaluating the bundle (a stand-in `vscode` module) against a baseline that also loads
 *    at start what the extension defers to first use — MSAL, the validator with Ajv, the schema and Papa Parse, the
 *    import engine and the Graph client with node-fetch — interleaved, median of the runs.
 *
 *   npm run bench:activation -- [--runs N]
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ACTIVATION_RATIO_BUDGET, activationInVsCode as inVsCode, activationRatio, type ActivationRecord } from './activationWindow';

const repoRoot = path.resolve(__dirname, '..', '..');
const runsArgument = process.argv.indexOf('--runs');
const RUNS = runsArgument >= 0 ? Number(process.argv[runsArgument + 1]) : 9;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** A stand-in `vscode` module with what the bundle touches while it is evaluated (icons and colours built once). */
function vscodeStub(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-vscode-stub-'));
  fs.mkdirSync(path.join(dir, 'node_modules', 'vscode'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'node_modules', 'vscode', 'index.js'), 'class Stub {}\nmodule.exports = { ThemeColor: Stub, ThemeIcon: Stub, EventEmitter: Stub, TreeItem: Stub, CodeActionKind: { QuickFix: {} }, l10n: { t: (message) => message } };\n');
  return path.join(dir, 'node_modules');
}

function coldLoad(eager: boolean, stubModules: string): number {
  const out = path.join(repoRoot, 'out', 'src');
  const script = [
    'const started = performance.now();',
    `require(${JSON.stringify(path.join(repoRoot, 'dist', 'extension.js'))});`,
    ...(eager
      ? [
          "require('@azure/msal-node');",
          `require(${JSON.stringify(path.join(out, 'payload', 'validatePayload.js'))}).validateText('[]', 'x.autopilot.json', 'utf-8');`,
          `require(${JSON.stringify(path.join(out, 'import', 'engine.js'))});`,
          `require(${JSON.stringify(path.join(out, 'graph', 'client.js'))});`,
        ]
      : []),
    'process.stdout.write(String(performance.now() - started));',
  ].join('\n');
  const result = spawnSync(process.execPath, ['-e', script], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, NODE_PATH: stubModules } });
  if (result.status !== 0) throw new Error(result.stderr);
  return Number(result.stdout);
}

function main(): void {
  const cores = os.cpus().length;
  const stub = vscodeStub();
  const lazy: number[] = [];
  const eager: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    // Interleaved, so a busy moment of the machine hits both sides alike.
    lazy.push(coldLoad(false, stub));
    eager.push(coldLoad(true, stub));
  }
  const records: ActivationRecord[] = [];
  for (let run = 0; run < RUNS; run++) records.push(inVsCode());

  const total = median(records.map((r) => r.activationMs));
  const load = median(records.map((r) => r.loadMs));
  const activate = median(records.map((r) => r.activateMs));
  const baseline = median(records.map((r) => r.baselineMs ?? NaN));
  const ratio = median(records.map((r) => activationRatio(r) ?? NaN));
  process.stdout.write(
    [
      `Activation in VS Code ${records[0]?.vscode ?? '?'} (code-server), median of ${RUNS} windows, ${cores} cores, Node ${process.version} driving:`,
      `  ${ratio.toFixed(2)}× the baseline (budget ${ACTIVATION_RATIO_BUDGET}×): ${total.toFixed(1)} ms (evaluating the bundle ${load.toFixed(1)} ms + activate ${activate.toFixed(1)} ms) against ${baseline.toFixed(1)} ms to evaluate the same bundle with everything loaded at start, in the same window`,
      `  every window (ratio, ours / baseline): ${records.map((r) => `${(activationRatio(r) ?? NaN).toFixed(2)} (${r.activationMs.toFixed(1)} / ${(r.baselineMs ?? NaN).toFixed(1)} ms)`).join(', ')}`,
      `Evaluating the bundle in a cold Node process, median of ${RUNS} (interleaved):`,
      `  ${median(lazy).toFixed(1)} ms, against ${median(eager).toFixed(1)} ms when MSAL, the validator, the engine and the Graph client also load at start: ${(median(eager) / median(lazy)).toFixed(1)}× less`,
      '',
    ].join('\n'),
  );
  fs.rmSync(path.dirname(stub), { recursive: true, force: true });
}

main();
