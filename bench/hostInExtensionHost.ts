/**
 * The extension-host half of `npm run bench:host` (bench/host.ts): loaded by VS Code as the extension tests module,
 * so it runs inside the extension host beside the extension and measures that process's event loop and heap. It signs
 * in to the sandbox tenant (the driver, in another process, approves the device code), opens Recent Imports, imports
 * the payload through `autopilot.importFile` as a user would, then stays idle for as long as the import took, and
 * finally reloads the journal the way a new window does. Nothing here ships: the extension itself has no hook.
 */
import * as fs from 'node:fs';
import * as inspector from 'node:inspector';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../src/extension';
import type { ImportFileResult } from '../src/commands/importFile';
import { awaitingResult } from '../src/import/vscode/importsModel';
import { HOST_BENCH_ENV, type HostBenchConfig, type HostBenchResult, type LoopDelay } from './hostBenchRecord';

const RESOLUTION_MS = 10;
const EXTENSION_ID = 'autopilot-devices.autopilot-devices';

function delays(histogram: IntervalHistogram): LoopDelay {
  const ms = (ns: number) => ns / 1e6;
  return {
    p50Ms: ms(histogram.percentile(50)),
    p99Ms: ms(histogram.percentile(99)),
    maxMs: ms(histogram.max),
    meanMs: ms(histogram.mean),
    samples: histogram.count,
  };
}

/** `gc()` without starting the extension host with --expose-gc: the flag is set and the function fetched once. */
function collector(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

function heapMb(gc?: () => void): number {
  gc?.();
  return process.memoryUsage().heapUsed / 2 ** 20;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, check: () => T | undefined | false, timeoutMs = 600_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function measure(config: HostBenchConfig): Promise<HostBenchResult> {
  const extension = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  if (!extension) throw new Error(`${EXTENSION_ID} is not installed in this window`);
  const api = await extension.activate();
  const configuration = vscode.workspace.getConfiguration('autopilot');
  const settings: Record<string, unknown> = {
    cloud: 'custom',
    authority: config.authority,
    graphRoot: config.graphRoot,
    'import.askForGroupTag': false,
    'import.waitForRegistration': false,
    // The sandbox commits a write it answered with a failure within 0.4 s; Intune may take a minute.
    'import.settleSeconds': 0.8,
  };
  for (const [key, value] of Object.entries(settings)) await configuration.update(key, value, vscode.ConfigurationTarget.Global);
  await until('the sandbox cloud', () => !api.auth.settingsProblem && api.auth.settings.endpoints.graphRoot === config.graphRoot);
  await vscode.commands.executeCommand('autopilot.signIn', { flow: 'deviceCode', tenantId: config.tenantDomain });
  if (!api.auth.activeAccount) throw new Error('sign-in to the sandbox tenant failed');
  // The tree is drawn while the import runs, as a user who watches it sees it.
  await vscode.commands.executeCommand('autopilot.imports.focus');
  await sleep(2000);

  const gc = collector();
  const heapBefore = heapMb(gc);
  let peak = heapBefore;
  const heapWatch = setInterval(() => (peak = Math.max(peak, heapMb())), 250);

  const profiler = config.profile ? await startProfile() : undefined;
  const during = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  during.enable();
  const started = performance.now();
  const uri = vscode.Uri.file(config.payload);
  const result = await vscode.commands.executeCommand<ImportFileResult>('autopilot.importFile', uri, { groupTag: null, acceptWarnings: true });
  if (!result || !('runId' in result)) throw new Error(`the import did not run: ${JSON.stringify(result?.outcome)}`);
  const runId = result.runId;
  // The whole piece of work: every device decided and this window done with the run.
  await until('the import to end', () => {
    const entry = api.imports.run(runId);
    return entry && entry.activity === 'idle' && awaitingResult(entry.view) === 0;
  });
  const importMs = performance.now() - started;
  during.disable();
  if (profiler && config.profile) fs.writeFileSync(config.profile, JSON.stringify(await profiler()));
  clearInterval(heapWatch);
  const heapAfter = heapMb(gc);
  const devices = api.imports.run(runId)?.view.devices.length ?? 0;

  const idle = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  idle.enable();
  await sleep(importMs);
  idle.disable();

  const reloading = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  reloading.enable();
  const reloadStarted = performance.now();
  await api.importing.service.loadRuns();
  const reloadMs = performance.now() - reloadStarted;
  await sleep(50);
  reloading.disable();

  for (const key of Object.keys(settings)) await configuration.update(key, undefined, vscode.ConfigurationTarget.Global);
  return {
    devices,
    importMs,
    import: delays(during),
    idle: delays(idle),
    heap: { beforeMb: heapBefore, afterMb: heapAfter, peakMb: peak },
    reload: { ms: reloadMs, loop: delays(reloading) },
    vscode: vscode.version,
  };
}

/** A CPU profile of the extension host while the import runs (`--profile`), for finding what blocks it. */
async function startProfile(): Promise<() => Promise<unknown>> {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 500 });
  await post('Profiler.start');
  return async () => {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    session.disconnect();
    return profile;
  };
}

/** Called by VS Code in the extension host; writes what it measured (or why it could not) for the driver. */
export async function run(): Promise<void> {
  const config = JSON.parse(fs.readFileSync(process.env[HOST_BENCH_ENV] ?? '', 'utf8')) as HostBenchConfig;
  try {
    fs.writeFileSync(config.output, JSON.stringify(await measure(config), null, 2));
  } catch (error) {
    fs.writeFileSync(config.output, JSON.stringify({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
    throw error;
  }
}
