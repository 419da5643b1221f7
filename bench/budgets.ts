/**
 * `npm run budgets`: checks the size and speed budgets against what `npm test` just built and ran, and fails when one
 * is missed. `npm test` ends with it; on its own it needs a production build and a finished integration run first
 * (`npm run build && npm run compile-tests && npm run test:integration`).
 *
 * - `dist/extension.js` ≤ 800 KB, minified (the production build);
 * - the VSIX (packaged here by `vsce`, as users get it) ≤ 1 MB;
 * - activation ≤ 0.3× the baseline in the real VS Code, as the integration test recorded both for this very bundle
 *   (same SHA-256): our activation (evaluating the bundle plus `activate`) against evaluating the same bundle with
 *   everything loaded at start, activated at the same moment of the same window (bench/activationBaseline.ts). A
 *   ratio, so a slow or busy machine stretches both sides instead of failing the budget. A ratio over the budget is
 *   measured again in four more windows and the median of five decides;
 * - validation within 3× of `JSON.parse` of the same bytes and under 4× the file size in memory (`bench/validate`);
 * - import of 2,000 devices (`bench/import`, one run each, both at once): ≥ 20× fewer requests than the baseline and
 *   no 429 for the engine at both processing delays; ≥ 10× less wall time where Intune processes a record in 15–30 s,
 *   and at least 7× with our 30–60 s default (Intune's processing bounds that ratio near 10×; see bench/RESULTS.md);
 *   the engine's wall time within 1.1× its floor (until Intune decided the slowest record, plus one round trip).
 *
 * Figures go to the console and to `test-output/budgets.json`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ACTIVATION_RATIO_BUDGET, activationInVsCode, activationRatio, type ActivationRecord } from './activationWindow';

const root = path.resolve(__dirname, '..', '..');
const KB = 1024;

interface Check {
  readonly budget: string;
  readonly measured: string;
  readonly ok: boolean;
}

const checks: Check[] = [];
const check = (budget: string, measured: string, ok: boolean) => checks.push({ budget, measured, ok });

function bundleSize(): void {
  const bundle = path.join(root, 'dist', 'extension.js');
  const text = fs.readFileSync(bundle, 'utf8');
  // A development build keeps one statement per line; the minified one has a few hundred lines for the whole bundle.
  const minified = text.split('\n').length < 1000;
  const size = Buffer.byteLength(text);
  check('dist/extension.js ≤ 800 KB, minified', `${(size / KB).toFixed(0)} KB${minified ? '' : ' (not minified: run `npm run build`)'}`, minified && size <= 800 * KB);
}

function vsixSize(): void {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-budget-'));
  try {
    const vsix = path.join(folder, 'autopilot-devices.vsix');
    // --no-dependencies: the bundle carries everything; `vsce` would otherwise walk node_modules.
    const result = spawnSync('npx', ['vsce', 'package', '--no-dependencies', '--out', vsix], { cwd: root, encoding: 'utf8' });
    if (result.status !== 0 || !fs.existsSync(vsix)) throw new Error(`vsce package failed:\n${result.stdout}\n${result.stderr}`);
    const size = fs.statSync(vsix).size;
    check('VSIX ≤ 1 MB', `${(size / KB).toFixed(0)} KB`, size <= 1024 * KB);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

function describeWindow(record: ActivationRecord): string {
  return `${(activationRatio(record) ?? NaN).toFixed(2)}× (${record.activationMs.toFixed(1)} ms against ${(record.baselineMs ?? NaN).toFixed(1)} ms)`;
}

/**
 * The integration run measured one window. One window on a busy machine can be unlucky for reasons of its own, so a
 * ratio over the budget is measured again in more fresh windows, and their median decides.
 */
function activation(): void {
  const budget = `activation ≤ ${ACTIVATION_RATIO_BUDGET}× the same bundle loading everything at start (same VS Code window)`;
  const record = path.join(root, 'test-output', 'activation.json');
  if (!fs.existsSync(record)) {
    check(budget, 'not measured: run `npm run test:integration` first', false);
    return;
  }
  const measured = JSON.parse(fs.readFileSync(record, 'utf8')) as ActivationRecord;
  const current = createHash('sha256').update(fs.readFileSync(path.join(root, 'dist', 'extension.js'))).digest('hex');
  if (measured.bundleSha256 !== current || activationRatio(measured) === undefined) {
    check(budget, `measured on another build or without its baseline: rerun the integration tests`, false);
    return;
  }
  if (activationRatio(measured)! <= ACTIVATION_RATIO_BUDGET) {
    check(budget, describeWindow(measured), true);
    return;
  }
  const windows = [measured, ...Array.from({ length: 4 }, () => activationInVsCode())].sort((a, b) => activationRatio(a)! - activationRatio(b)!);
  const median = windows[2]!;
  check(budget, `${describeWindow(median)}, median of 5 windows (${windows.map((w) => activationRatio(w)!.toFixed(2)).join(', ')})`, activationRatio(median)! <= ACTIVATION_RATIO_BUDGET);
}

/** Runs a compiled benchmark with `--json` and returns its figures; its table goes to our stderr. */
function benchmark<T>(script: string, args: readonly string[], nodeOptions: readonly string[] = []): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeOptions, path.join(__dirname, script), ...args, '--json'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${script} ${args.join(' ')} exited ${code}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop()!) as T);
      } catch {
        reject(new Error(`${script} printed no figures:\n${stdout}`));
      }
    });
  });
}

interface ValidateFigures {
  json: { timeRatio: number; memoryRatio: number };
  csv: { timeRatio: number; memoryRatio: number };
}

async function validation(): Promise<void> {
  const figures = await benchmark<ValidateFigures>('validate.js', [], ['--expose-gc']);
  for (const kind of ['json', 'csv'] as const) {
    const { timeRatio, memoryRatio } = figures[kind];
    check(`validate 5,000 devices (${kind.toUpperCase()}) within 3× JSON.parse`, `${timeRatio.toFixed(2)}×`, timeRatio <= 3);
    check(`validate 5,000 devices (${kind.toUpperCase()}) memory < 4× file size`, `${memoryRatio.toFixed(2)}×`, memoryRatio < 4);
  }
}

interface ImportFigures {
  baseline: { wallSeconds: number; requests: number };
  engine: { wallSeconds: number; requests: number };
  floorSeconds: number;
  floorRatio: number;
  wallRatio: number;
  requestRatio: number;
  engine429: number;
}

async function importing(): Promise<void> {
  const configurations = [
    { name: 'processing 15–30 s', args: ['--processing', '15', '--processing-jitter', '15'], minWallRatio: 10 },
    { name: 'processing 30–60 s (default)', args: ['--processing', '30', '--processing-jitter', '30'], minWallRatio: 7 },
  ];
  // Both at once: the benchmark mostly waits on scaled latency and processing, so the two barely compete.
  const results = await Promise.all(configurations.map((c) => benchmark<{ settings: ImportFigures[] }>('import.js', ['--runs', '1', ...c.args])));
  configurations.forEach((configuration, index) => {
    const figures = results[index]!.settings[0]!;
    const sides = `${figures.baseline.wallSeconds.toFixed(0)} s / ${figures.engine.wallSeconds.toFixed(0)} s`;
    check(`import 2,000, ${configuration.name}: ≥ ${configuration.minWallRatio}× less wall time`, `${figures.wallRatio.toFixed(1)}× (${sides})`, figures.wallRatio >= configuration.minWallRatio);
    check(`import 2,000, ${configuration.name}: ≥ 20× fewer requests`, `${figures.requestRatio.toFixed(0)}× (${figures.baseline.requests} / ${figures.engine.requests})`, figures.requestRatio >= 20);
    check(`import 2,000, ${configuration.name}: no 429 for the engine`, String(figures.engine429), figures.engine429 === 0);
    check(
      `import 2,000, ${configuration.name}: engine ≤ 1.1× its floor`,
      `${figures.floorRatio.toFixed(3)}× (${figures.engine.wallSeconds.toFixed(1)} s / ${figures.floorSeconds.toFixed(1)} s)`,
      figures.floorRatio <= 1.1,
    );
  });
}

async function main(): Promise<void> {
  bundleSize();
  vsixSize();
  activation();
  await validation(); // alone: it measures CPU time
  await importing();

  const width = Math.max(...checks.map((c) => c.budget.length));
  console.log(`\nBudgets (${os.cpus().length} cores, Node ${process.version}):`);
  for (const c of checks) console.log(`  ${c.ok ? 'ok  ' : 'MISS'}  ${c.budget.padEnd(width)}  ${c.measured}`);
  const output = path.join(root, 'test-output');
  fs.mkdirSync(output, { recursive: true });
  fs.writeFileSync(path.join(output, 'budgets.json'), JSON.stringify({ recordedAt: new Date().toISOString(), cores: os.cpus().length, checks }, null, 2));
  const missed = checks.filter((c) => !c.ok).length;
  if (missed) {
    console.error(`${missed} budget(s) missed.`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
