/**
 * The activation budget's baseline: a second, test-only extension installed into the same VS Code as ours, with the
 * same activation events, whose code is our extension's bundle with everything loaded at start
 * (bench/eagerExtension.ts, built with the extension's own build options). VS Code activates both at the same moment
 * of the window's start, so a slow machine, a busy core or a busy moment of the start stretches both sides of the
 * ratio alike instead of failing the budget. The integration test reads both figures and records them.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

const repoRoot = path.resolve(__dirname, '..', '..');

/** The baseline extension's id; its `activate` returns `{ loadMs }`, the time its code took to evaluate. */
export const BASELINE_EXTENSION_ID = 'autopilot-devices.activation-baseline';

/**
 * Writes the baseline extension into `folder` (replacing what was there) and packages it; returns the VSIX. (A VS Code
 * server loads one extension under development, so the baseline is installed beside it.)
 */
export function writeBaselineExtension(folder: string): string {
  // The build script (CommonJS, at the repository root) and esbuild (a dev dependency) are loaded where they lie.
  const load = createRequire(path.join(repoRoot, 'package.json'));
  const { productionExtensionOptions } = load('./esbuild.js') as { productionExtensionOptions: (entry: string, outfile: string) => object };
  const esbuild = load('esbuild') as typeof import('esbuild');
  const ours = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { engines: object; activationEvents: string[] };
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  esbuild.buildSync({ ...productionExtensionOptions('bench/eagerExtension.ts', path.join(folder, 'eager-extension.js')), sourcemap: false, logLevel: 'error' });
  const manifest = {
    name: 'activation-baseline',
    publisher: 'autopilot-devices',
    version: '0.0.0',
    description: 'Test only: the activation budget baseline (bench/activationBaseline.ts).',
    license: 'MIT',
    engines: ours.engines,
    activationEvents: ours.activationEvents,
    main: './main.js',
  };
  fs.writeFileSync(path.join(folder, 'package.json'), JSON.stringify(manifest, null, 2));
  fs.writeFileSync(
    path.join(folder, 'main.js'),
    [
      '// Evaluates the extension bundle with everything loaded at start, as VS Code activates this extension.',
      'const started = performance.now();',
      "require('./eager-extension.js');",
      'const loadMs = performance.now() - started;',
      'exports.activate = () => ({ loadMs });',
      '',
    ].join('\n'),
  );
  fs.writeFileSync(path.join(folder, 'README.md'), 'The activation budget baseline; see bench/activationBaseline.ts.\n');
  fs.copyFileSync(path.join(repoRoot, 'LICENSE'), path.join(folder, 'LICENSE'));
  const vsix = path.join(folder, 'activation-baseline.vsix');
  const vsce = path.join(repoRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  const packed = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '--out', vsix], { cwd: folder, encoding: 'utf8' });
  if (packed.status !== 0 || !fs.existsSync(vsix)) throw new Error(`Packaging the activation baseline failed:\n${packed.stdout}\n${packed.stderr}`);
  return vsix;
}
