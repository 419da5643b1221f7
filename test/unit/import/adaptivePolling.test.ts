/**
 * The engine's watch on Intune's own time scale (30–60 s processing, 15 s interval), on a clock the test moves: the
 * engine's sleeps and the emulator's processing share it, and time jumps to the engine's next look as soon as it
 * sleeps (a look itself takes no time on this clock, so the floor is the moment Intune decided the slowest record).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AutopilotGraph } from '../../../src/graph/autopilot';
import { GraphClient } from '../../../src/graph/client';
import { ImportEngine } from '../../../src/import/engine';
import { Journal } from '../../../src/import/journal';
import type { EngineSettings } from '../../../src/import/settings';
import { fakeDevices } from '../../emulator/hashes';
import { startGraphEmulator, type GraphEmulator } from '../../emulator/server';
import { DEFAULT_TIMING } from '../../emulator/state';
import { FakeClock } from '../../support/fakeClock';

const IMPORTED = '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities';

/** A repeatable stand-in for Math.random (processing jitter). */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

/** Runs `work`, moving the clock to the next wake-up whenever something sleeps on it. */
async function onFakeTime<T>(clock: FakeClock, work: Promise<T>): Promise<T> {
  let settled = false;
  const done = work.finally(() => (settled = true));
  while (!settled) {
    await new Promise((resolve) => setImmediate(resolve));
    const wake = clock.nextWake;
    if (wake !== undefined) await clock.advance(wake - clock.now());
  }
  return done;
}

describe('watching on Intune’s time scale (a clock the test moves)', function () {
  this.timeout(30_000);
  let clock: FakeClock;
  let emulator: GraphEmulator;
  let journalDir: string;
  let client: GraphClient;

  beforeEach(async () => {
    clock = new FakeClock();
    emulator = await startGraphEmulator({ clock, random: seeded(7), timing: { ...DEFAULT_TIMING, processingDelayMs: 30_000, processingJitterMs: 30_000 } });
    journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-pace-'));
    // The client's own timeouts run on real time: only the engine's looks and Intune's processing jump.
    client = new GraphClient({ graphRoot: emulator.url, getAccessToken: async () => emulator.staticToken });
  });

  afterEach(async () => {
    client.dispose();
    await emulator.close();
    fs.rmSync(journalDir, { recursive: true, force: true });
  });

  async function importAndWatch(settings: Partial<EngineSettings>) {
    const engine = new ImportEngine({ graph: new AutopilotGraph(client), journal: new Journal(journalDir), clock, settings: { batchSize: 100, ...settings } });
    const started = clock.now();
    const result = await onFakeTime(clock, engine.startRun(fakeDevices(300), { source: 'pace.json', wait: true }));
    const created = emulator.state.tenant(emulator.state.tenantIds()[0]!).created;
    const lastSend = Math.max(...emulator.requests.filter((r) => r.method === 'POST').map((r) => r.seq));
    const looks = emulator.requests.filter((r) => r.method === 'GET' && r.path === IMPORTED && r.seq > lastSend).map((r) => r.at - started);
    return {
      result,
      took: clock.now() - started,
      floor: Math.max(...created.map((record) => record.readyAt)) - started,
      firstDecided: Math.min(...created.map((record) => record.readyAt)) - started,
      looks,
      gaps: looks.slice(1).map((at, i) => at - looks[i]!),
    };
  }

  it('by default ends within 1.1× of when Intune decided the slowest record, in a few dozen looks', async () => {
    const { result, took, floor, firstDecided, looks, gaps } = await importAndWatch({});
    assert.equal(result.stopped, 'finished');
    assert.equal(result.run.counts.complete, 300);
    assert.ok(took <= 1.1 * floor, `took ${took} ms, Intune decided the last record at ${floor} ms`);
    // Few looks before anything can be decided, more while records turn over, and 300 records read with the list.
    assert.ok(looks.filter((at) => at < firstDecided).length <= 10, `looks ${looks.join(', ')}, first record decided at ${firstDecided} ms`);
    assert.ok(looks.length <= 30, `${looks.length} looks: ${looks.join(', ')}`);
    assert.ok(gaps.every((gap) => gap >= 1000 && gap <= 15_000), `gaps ${gaps.join(', ')}`);
  });

  it('keeps to an interval the user set: a look every 15 s, ending up to an interval after Intune', async () => {
    const { result, took, floor, looks, gaps } = await importAndWatch({ pollIntervalMs: 15_000, adaptivePolling: false });
    assert.equal(result.run.counts.complete, 300);
    assert.deepEqual(looks, looks.map((_, i) => 15_000 * (i + 1)));
    assert.ok(gaps.every((gap) => gap === 15_000));
    assert.ok(took >= floor && took < floor + 15_000);
  });
});
