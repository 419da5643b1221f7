/**
 * `npm run bench:import`: 2,000 devices into the Graph emulator, our engine against a baseline that does what the
 * WindowsAutopilotIntune PowerShell module does (Import-AutopilotCSV, facts page §3.2): one POST per device, one at
 * a time, honouring Retry-After on 429 (as the Graph SDK does), then re-list every import record every 15 s until
 * none is `unknown`. Same emulator, same run, separate tenants (Intune budgets are per tenant and per app).
 *
 * Each engine run is measured against its floor twice:
 * - from the engine's start: until Intune has decided the run's slowest record, plus one round trip (no client that
 *   sends the same way can know sooner);
 * - from its first send (when the engine took its first chunk, before that chunk's request left): Intune's longest
 *   processing of one record plus one round trip. Intune's processing of a record runs from when its request arrived:
 *   taking in a 500-device `/import` (its modelled latency, 1.25 s) comes before Intune holds the record at all. This
 *   floor counts the engine's own sending (chunks that leave later start processing later), the time its requests
 *   take to reach Graph, and every gap between its looks. The same ratio against processing from the commit only
 *   (the floor before the `/import`'s own latency was counted) is printed beside it.
 *
 * All times are Intune's real ones multiplied by --scale (default 0.1), the same for both sides: the 20 s
 * throttling window, the 15 s poll interval (the engine's longest gap between looks, and its 1 s shortest), request
 * latency and processing delay. Wall times are reported in real-world seconds (measured / scale).
 *
 *   npm run bench:import -- [--devices 2000] [--runs 3] [--scale 0.1] [--processing 30 --processing-jitter 30]
 *                           [--latency 250] [--latency-per-device 2] [--poll-interval SECONDS] [--json]
 *
 * Without --processing it runs every processing setting: 15–30 s, 30–60 s (Intune's usual, the default) and 60–90 s.
 * Targets, checked for each setting (exit code 1 when one is missed): engine wall time ≤ 1.1× its floor, from its start
 * and from its first send; ≥ 20× fewer requests than the baseline; no 429 for the engine.
 *
 * `--poll-interval` gives the engine a fixed interval, as a user's `--poll-interval` does (15: the engine before it
 * looked when records can be done).
 *
 * The Graph emulator runs on a worker thread (`bench/emulatorThread.ts`): its work (parsing 2 MB bodies, checking and
 * creating records) must not run on the engine's event loop, or it is counted as the engine's.
 *
 * With `--json`, progress goes to stderr and stdout carries one JSON document of the figures (for `npm run budgets`).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as http from 'node:http';
import fetch from 'node-fetch';
import { AutopilotGraph } from '../src/graph/autopilot';
import { GraphClient } from '../src/graph/client';
import { ImportEngine } from '../src/import/engine';
import { Journal } from '../src/import/journal';
import { fakeDevices, type FakeDevice } from '../test/emulator/hashes';
import { startEmulatorThread, type EmulatorThread, type TenantFigures } from './emulatorThread';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

const DEVICES = option('devices', 2000);
const RUNS = option('runs', 3);
const SCALE = option('scale', 0.1);
/** Processing settings: Intune's delay before it decides a record, plus up to the jitter at random. */
const PROCESSING_SETTINGS: readonly { readonly delayS: number; readonly jitterS: number }[] = process.argv.includes('--processing')
  ? [{ delayS: option('processing', 30), jitterS: option('processing-jitter', 30) }]
  : [
      { delayS: 15, jitterS: 15 },
      { delayS: 30, jitterS: 30 },
      { delayS: 60, jitterS: 30 },
    ];
const LATENCY_MS = option('latency', 250);
const LATENCY_PER_DEVICE_MS = option('latency-per-device', 2);
const POLL_S = 15;
const MIN_GAP_S = 1;
/** A fixed interval for the engine, as the user may set one; undefined: the engine's own pace. */
const FIXED_POLL_S = process.argv.includes('--poll-interval') ? option('poll-interval', POLL_S) : undefined;
const WINDOW_S = 20;
/** Targets (issue 15). */
const FLOOR_RATIO_TARGET = 1.1;
const REQUEST_RATIO_TARGET = 20;
const JSON_OUTPUT = process.argv.includes('--json');
/** Human-readable lines: stdout normally, stderr when stdout carries the JSON figures. */
const say = (line: string) => (JSON_OUTPUT ? process.stderr : process.stdout).write(`${line}\n`);

interface Measurement {
  readonly wallSeconds: number;
  readonly requests: number;
  readonly throttled: number;
  readonly complete: number;
  /** For the engine: from its start until Intune decided its slowest record, plus one round trip. */
  readonly floorSeconds?: number;
  /** For the engine: from its start until it took its first and its last chunk (before their requests left). */
  readonly firstSendSeconds?: number;
  readonly lastSendSeconds?: number;
  /** For the engine: from its first send until it ended, and Intune's longest processing of one record plus one round trip. */
  readonly fromFirstSendSeconds?: number;
  readonly slowestProcessingSeconds?: number;
  /** The same from the record's commit, without its request's own latency (the floor before this was counted). */
  readonly slowestAfterCommitSeconds?: number;
  /** For the engine: from its first send until Intune held every record, and from Intune's last decision until it ended. */
  readonly untilAllHeldSeconds?: number;
  readonly noticedAfterSeconds?: number;
  /** For the engine: when its `/import` requests had reached Graph whole, after its first send (first and last). */
  readonly importsArrivedSeconds?: readonly [number, number];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function measure(figures: TenantFigures, started: number, ended: number, complete: number): Measurement {
  const mine = figures.requests;
  return { wallSeconds: (ended - started) / 1000 / SCALE, requests: mine.length, throttled: mine.filter((r) => r.status === 429).length, complete };
}

/** What Import-AutopilotCSV does, over plain HTTP. */
async function baseline(emulator: EmulatorThread, token: string, tenantId: string, devices: readonly FakeDevice[]): Promise<Measurement> {
  const agent = new http.Agent({ keepAlive: true });
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const collection = `${emulator.url}/beta/deviceManagement/importedWindowsAutopilotDeviceIdentities`;
  const started = Date.now();
  for (const device of devices) {
    const body = JSON.stringify({
      '@odata.type': '#microsoft.graph.importedWindowsAutopilotDeviceIdentity',
      groupTag: '',
      serialNumber: device.serialNumber,
      productKey: '',
      hardwareIdentifier: device.hardwareIdentifier,
      assignedUserPrincipalName: '',
      state: { '@odata.type': 'microsoft.graph.importedWindowsAutopilotDeviceIdentityState', deviceImportStatus: 'pending', deviceRegistrationId: '', deviceErrorCode: 0, deviceErrorName: '' },
    });
    for (;;) {
      const response = await fetch(collection, { method: 'POST', headers, body, agent });
      await response.text();
      if (response.status !== 429) break;
      await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
    }
  }
  let complete = 0;
  for (;;) {
    const records: { state: { deviceImportStatus: string } }[] = [];
    let next: string | undefined = collection;
    while (next) {
      const response = await fetch(next, { headers, agent });
      if (response.status === 429) {
        await sleep(Number(response.headers.get('retry-after') ?? 1) * 1000);
        continue;
      }
      const page = (await response.json()) as { value: typeof records; '@odata.nextLink'?: string };
      records.push(...page.value);
      next = page['@odata.nextLink'];
    }
    const unknown = records.filter((r) => r.state.deviceImportStatus === 'unknown').length;
    complete = records.filter((r) => r.state.deviceImportStatus === 'complete').length;
    if (!unknown) break;
    await sleep(POLL_S * 1000 * SCALE);
  }
  const ended = Date.now();
  agent.destroy();
  return measure(await emulator.figures(tenantId), started, ended, complete);
}

async function ourEngine(emulator: EmulatorThread, token: string, tenantId: string, devices: readonly FakeDevice[]): Promise<Measurement> {
  const journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-bench-'));
  const client = new GraphClient({ graphRoot: emulator.url, getAccessToken: async () => token, writeBudget: { limit: 100, windowMs: WINDOW_S * 1000 * SCALE } });
  // The engine's defaults (no interval set by the user), with every time scaled like Intune's.
  const settings = {
    pollIntervalMs: (FIXED_POLL_S ?? POLL_S) * 1000 * SCALE,
    adaptivePolling: FIXED_POLL_S === undefined,
    pollMinGapMs: MIN_GAP_S * 1000 * SCALE,
    readBudget: { limit: 1000, windowMs: WINDOW_S * 1000 * SCALE },
  };
  const engine = new ImportEngine({ graph: new AutopilotGraph(client), journal: new Journal(journalDir), settings });
  // When the engine takes each chunk (journaled, not yet on its way): the earliest moment a send can be said to start.
  const sends: number[] = [];
  engine.events.on((event) => {
    if (event.type === 'chunk-sending') sends.push(Date.now());
  });
  const started = Date.now();
  const result = await engine.startRun(devices, { source: 'bench', wait: true });
  const ended = Date.now();
  const figures = await emulator.figures(tenantId);
  const measurement = measure(figures, started, ended, result.run.counts.complete);
  const created = figures.records;
  const world = (ms: number) => ms / 1000 / SCALE;
  client.dispose();
  fs.rmSync(journalDir, { recursive: true, force: true });
  return {
    ...measurement,
    floorSeconds: world(Math.max(...created.map((record) => record.readyAt)) - started + LATENCY_MS * SCALE),
    firstSendSeconds: world(Math.min(...sends) - started),
    lastSendSeconds: world(Math.max(...sends) - started),
    fromFirstSendSeconds: world(ended - Math.min(...sends)),
    untilAllHeldSeconds: world(Math.max(...created.map((record) => record.createdAt)) - Math.min(...sends)),
    noticedAfterSeconds: world(ended - Math.max(...created.map((record) => record.readyAt))),
    importsArrivedSeconds: arrivalsAfter(figures, Math.min(...sends), world),
    // Intune's processing of a record runs from its request's arrival (taking in a 500-device /import is part of it).
    slowestProcessingSeconds: world(Math.max(...created.map((record) => record.readyAt - record.receivedAt)) + LATENCY_MS * SCALE),
    slowestAfterCommitSeconds: world(Math.max(...created.map((record) => record.readyAt - record.createdAt)) + LATENCY_MS * SCALE),
  };
}

function arrivalsAfter(figures: TenantFigures, firstSend: number, world: (ms: number) => number): [number, number] {
  const arrivals = figures.requests.filter((request) => request.path.endsWith('/import')).map((request) => world(request.at - firstSend));
  return [Math.min(...arrivals), Math.max(...arrivals)];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

interface SettingFigures {
  readonly config: Record<string, number>;
  readonly baseline: { wallSeconds: number; requests: number; throttled: number };
  readonly engine: { wallSeconds: number; requests: number; throttled: number };
  readonly floorSeconds: number;
  /** Median over runs of the engine's wall time ÷ its floor, from its start. */
  readonly floorRatio: number;
  /** Median over runs of the engine's time from its first send ÷ Intune's slowest processing plus one round trip. */
  readonly fromFirstSendRatio: number;
  readonly wallRatio: number;
  readonly requestRatio: number;
  readonly engine429: number;
  readonly met: boolean;
}

async function benchSetting(setting: { readonly delayS: number; readonly jitterS: number }): Promise<SettingFigures> {
  const emulator = await startEmulatorThread({
    budgets: { windowMs: WINDOW_S * 1000 * SCALE },
    latencyMs: LATENCY_MS * SCALE,
    latencyPerImportedDeviceMs: LATENCY_PER_DEVICE_MS * SCALE,
    timing: { processingDelayMs: setting.delayS * 1000 * SCALE, processingJitterMs: setting.jitterS * 1000 * SCALE },
  });
  const name = `processing ${setting.delayS}–${setting.delayS + setting.jitterS} s`;
  say(
    `${name}: ${DEVICES} devices, ${RUNS} run(s), scale ${SCALE}, Intune budgets 100 writes/${WINDOW_S} s per app and 200 per tenant, ` +
      `latency ${LATENCY_MS} ms + ${LATENCY_PER_DEVICE_MS} ms per device in an /import body, baseline polls every ${POLL_S} s, ` +
      `engine ${FIXED_POLL_S === undefined ? 'at its own pace' : `every ${FIXED_POLL_S} s`}, ${os.cpus().length} cores`,
  );
  const rows: { baseline: Measurement; engine: Measurement }[] = [];
  try {
    for (let run = 1; run <= RUNS; run++) {
      const base = `baseline-${run}`;
      const ours = `engine-${run}`;
      await emulator.addToken(base, { tenantId: base, appId: 'powershell-module' });
      await emulator.addToken(ours, { tenantId: ours, appId: 'autopilot-devices' });
      const devices = fakeDevices(DEVICES, `R${run}D`, 4000);
      // Alternate who goes first so neither side always runs on a warmer process.
      const pair =
        run % 2
          ? { baseline: await baseline(emulator, base, base, devices), engine: await ourEngine(emulator, ours, ours, devices) }
          : { engine: await ourEngine(emulator, ours, ours, devices), baseline: await baseline(emulator, base, base, devices) };
      rows.push(pair);
      say(
        `  run ${run}: baseline ${pair.baseline.wallSeconds.toFixed(0)} s, ${pair.baseline.requests} requests, ${pair.baseline.throttled} × 429 | ` +
          `engine ${pair.engine.wallSeconds.toFixed(1)} s (floor ${pair.engine.floorSeconds!.toFixed(1)} s: ${(pair.engine.wallSeconds / pair.engine.floorSeconds!).toFixed(3)}×), ` +
          `${pair.engine.requests} requests, ${pair.engine.throttled} × 429 | complete ${pair.baseline.complete}/${pair.engine.complete}`,
      );
      say(
        `         engine: chunks taken ${pair.engine.firstSendSeconds!.toFixed(1)}–${pair.engine.lastSendSeconds!.toFixed(1)} s after its start; from its first send ${pair.engine.fromFirstSendSeconds!.toFixed(1)} s = ` +
          `${(pair.engine.fromFirstSendSeconds! / pair.engine.slowestProcessingSeconds!).toFixed(3)}× Intune's slowest processing of one record plus one round trip (${pair.engine.slowestProcessingSeconds!.toFixed(1)} s; ` +
          `${(pair.engine.fromFirstSendSeconds! / pair.engine.slowestAfterCommitSeconds!).toFixed(3)}× counting it from the commit, ${pair.engine.slowestAfterCommitSeconds!.toFixed(1)} s); ` +
          `its /import requests reached Graph ${pair.engine.importsArrivedSeconds!.map((s) => s.toFixed(2)).join('–')} s after it, Intune held every record ${pair.engine.untilAllHeldSeconds!.toFixed(1)} s after it, and the engine ended ${pair.engine.noticedAfterSeconds!.toFixed(1)} s after Intune decided the last`,
      );
    }
  } finally {
    await emulator.close();
  }
  const medians = (side: 'baseline' | 'engine') => ({
    wallSeconds: median(rows.map((r) => r[side].wallSeconds)),
    requests: median(rows.map((r) => r[side].requests)),
    throttled: rows.reduce((sum, r) => sum + r[side].throttled, 0),
  });
  const figures = {
    config: {
      devices: DEVICES,
      runs: RUNS,
      scale: SCALE,
      processingS: setting.delayS,
      processingJitterS: setting.jitterS,
      latencyMs: LATENCY_MS,
      ...(FIXED_POLL_S === undefined ? {} : { pollIntervalS: FIXED_POLL_S }),
      cores: os.cpus().length,
    },
    baseline: medians('baseline'),
    engine: medians('engine'),
    floorSeconds: median(rows.map((r) => r.engine.floorSeconds!)),
    floorRatio: median(rows.map((r) => r.engine.wallSeconds / r.engine.floorSeconds!)),
    fromFirstSendRatio: median(rows.map((r) => r.engine.fromFirstSendSeconds! / r.engine.slowestProcessingSeconds!)),
    wallRatio: median(rows.map((r) => r.baseline.wallSeconds / r.engine.wallSeconds)),
    requestRatio: median(rows.map((r) => r.baseline.requests / r.engine.requests)),
    engine429: rows.reduce((sum, r) => sum + r.engine.throttled, 0),
  };
  const checks = [
    { ok: figures.floorRatio <= FLOOR_RATIO_TARGET, text: `engine wall time ${figures.floorRatio.toFixed(3)}× its floor from its start (target ≤ ${FLOOR_RATIO_TARGET}×)` },
    {
      ok: figures.fromFirstSendRatio <= FLOOR_RATIO_TARGET,
      text: `engine wall time ${figures.fromFirstSendRatio.toFixed(3)}× its floor from its first send (target ≤ ${FLOOR_RATIO_TARGET}×)`,
    },
    { ok: figures.requestRatio >= REQUEST_RATIO_TARGET, text: `${figures.requestRatio.toFixed(0)}× fewer requests (target ≥ ${REQUEST_RATIO_TARGET}×)` },
    { ok: figures.engine429 === 0, text: `${figures.engine429} × 429 for the engine (target 0)` },
  ];
  say(
    `  median: baseline ${figures.baseline.wallSeconds.toFixed(0)} s / ${figures.baseline.requests} requests; ` +
      `engine ${figures.engine.wallSeconds.toFixed(1)} s / ${figures.engine.requests} requests; floor ${figures.floorSeconds.toFixed(1)} s`,
  );
  say(
    `  import ${DEVICES.toLocaleString('en-US')} devices, ${name}: ${figures.wallRatio.toFixed(1)}× less wall time, ${figures.requestRatio.toFixed(0)}× fewer requests than the baseline; ` +
      `${figures.floorRatio.toFixed(3)}× the floor from its start, ${figures.fromFirstSendRatio.toFixed(3)}× from its first send; 429s received by the engine: ${figures.engine429}`,
  );
  for (const check of checks) say(`  ${check.ok ? 'ok  ' : 'MISS'}  ${check.text}`);
  return { ...figures, met: checks.every((check) => check.ok) };
}

async function main(): Promise<void> {
  const settings: SettingFigures[] = [];
  for (const setting of PROCESSING_SETTINGS) settings.push(await benchSetting(setting));
  const missed = settings.some((figures) => !figures.met);
  if (missed) say('import benchmark: a target was missed');
  // With --json the caller (npm run budgets) checks the figures and reports each miss itself.
  if (JSON_OUTPUT) process.stdout.write(`${JSON.stringify({ settings })}\n`);
  else if (missed) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
