/**
 * Fault soak: 5,000 devices through the import engine against the Graph emulator while the emulator misbehaves the
 * way Graph and the network do — 503s, connection resets before and after a write commits, 429 bursts with and
 * without Retry-After, a token that expires every 90 s, and answers that come just before or just after the client's
 * timeout. Afterwards the emulator's own records decide: every device imported exactly once, none missing, every
 * final state reported as Graph has it, and the journal on disk agreeing with both.
 *
 * Time is scaled: every duration Graph, Intune and the engine use (processing, registration, throttling windows,
 * Retry-After, poll interval, back-off, request timeout, token lifetime, latency) is its real value × SCALE, on both
 * sides, so the whole soak runs in well under two minutes while keeping every ratio between durations real.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AutopilotGraph } from '../../src/graph/autopilot';
import { GraphClient } from '../../src/graph/client';
import { ImportEngine, RunFailedError, type RunResult } from '../../src/import/engine';
import { Journal } from '../../src/import/journal';
import { RunState } from '../../src/import/runState';
import type { DeviceToImport } from '../../src/payload/api';
import { DEFAULT_TENANT_ID } from '../emulator/auth';
import { seededRandom } from '../emulator/faults';
import { fakeDevices, fakeHardwareHash, unpadded } from '../emulator/hashes';
import { startGraphEmulator, type GraphEmulator } from '../emulator/server';
import { captureLogger } from '../support/engineHarness';
import { auditRun, summarize, type ExpectedDevice } from './audit';

const SCALE = 0.02;
const SEED = 20_240_501;
const BATCH_SIZE = 50;
const s = (seconds: number) => seconds * 1000 * SCALE;

const TIMEOUT_MS = s(100); // the Graph client's default per-attempt timeout
const TOKEN_LIFETIME_MS = s(90);
const IMPORT = /\/importedWindowsAutopilotDeviceIdentities\/import$/;
const CREATE = /\/importedWindowsAutopilotDeviceIdentities$/;

/** How the devices go in: chunks through `/import`, or one POST each where `/import` is missing (a proxy, a cloud). */
type SendPath = 'import' | 'create';

interface Composition {
  readonly devices: DeviceToImport[];
  readonly expected: ExpectedDevice[];
  readonly hashes: string[];
  readonly productKeys: string[];
}

/** Mostly fresh devices, plus every documented way an import ends in error, spread through the file. */
function composition(emulator: GraphEmulator, count: number): Composition {
  const devices: DeviceToImport[] = fakeDevices(count, 'SOAK');
  const refused = new Set<number>();
  const spread = (n: number, offset: number) => Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) * count) / n + offset) % count);
  for (const i of spread(20, 3)) emulator.state.seedRegistered(DEFAULT_TENANT_ID, { serialNumber: `OLD-${i}`, hardwareIdentifier: devices[i]!.hardwareIdentifier }); // 806
  for (const i of spread(10, 7)) emulator.state.seedForeign(devices[i]!.hardwareIdentifier); // 808
  for (const i of spread(10, 11)) devices[i] = { ...devices[i]!, hardwareIdentifier: devices[(i + 1) % count]!.hardwareIdentifier }; // duplicate hash
  for (const i of spread(5, 13)) emulator.state.forceOutcome(devices[i]!.serialNumber, { status: 'error', errorCode: 0, errorName: 'StorageError' });
  for (const i of spread(5, 17)) emulator.state.forceOutcome(devices[i]!.serialNumber, { status: 'partial', errorCode: 0, errorName: 'PartialImport' });
  for (const i of spread(3, 19)) {
    devices[i] = { ...devices[i]!, hardwareIdentifier: unpadded(fakeHardwareHash(`unpadded-${i}`, 1021)) }; // Edm.Binary 400
    refused.add(i);
  }
  const productKeys: string[] = [];
  for (const i of spread(25, 23)) {
    const key = `${String.fromCharCode(65 + (i % 26))}${String(i).padStart(4, '0')}-QWERT-ASDFG-ZXCVB-${String(i % 99999).padStart(5, '7')}`;
    devices[i] = { ...devices[i]!, productKey: key };
    productKeys.push(key);
  }
  return {
    devices,
    expected: devices.map((device, i) => ({ serialNumber: device.serialNumber, refused: refused.has(i) })),
    hashes: devices.map((device) => device.hardwareIdentifier),
    productKeys,
  };
}

/** The faults, at the rates the issue names; a few deterministic ones make sure each kind hits a write at least once. */
function injectFaults(emulator: GraphEmulator, write: RegExp): void {
  const add = emulator.faults.add.bind(emulator.faults);
  // 5% 503s on any request, half of them saying when to come back.
  add({ times: Infinity, chance: 0.025, action: { kind: 'status', status: 503, retryAfter: (2 * SCALE).toFixed(3) } });
  add({ times: Infinity, chance: 0.025, action: { kind: 'status', status: 503 } });
  // 2% of writes cut before Graph commits them, 2% after (Graph has the devices; the client never hears).
  add({ method: 'POST', times: Infinity, chance: 0.02, action: { kind: 'reset-before-commit' } });
  add({ method: 'POST', times: Infinity, chance: 0.02, action: { kind: 'reset-after-commit' } });
  add({ method: 'GET', times: Infinity, chance: 0.02, action: { kind: 'reset-before-commit' } });
  // 429 bursts: three requests in a row throttled, with and without Retry-After.
  add({ times: Infinity, chance: 0.008, burst: 3, action: { kind: 'status', status: 429, retryAfter: (3 * SCALE).toFixed(3) } });
  add({ times: Infinity, chance: 0.008, burst: 3, action: { kind: 'status', status: 429 } });
  // Slow answers near the timeout: just inside it, and just past it after the write committed.
  add({ times: Infinity, chance: 0.01, action: { kind: 'latency', ms: TIMEOUT_MS * 0.85 } });
  add({ method: 'POST', path: write, times: Infinity, chance: 0.01, action: { kind: 'delay-after-commit', ms: TIMEOUT_MS * 1.15 } });
  // Each kind at least once on a device write, whatever the dice say (`skip` counts attempts, retries included; the
  // throttling streaks are far apart so that they do not add up to more retries than the client makes).
  add({ method: 'POST', path: write, skip: 2, action: { kind: 'reset-before-commit' } });
  add({ method: 'POST', path: write, skip: 24, action: { kind: 'status', status: 503 } });
  add({ method: 'GET', skip: 3, action: { kind: 'status', status: 503 } });
  add({ method: 'POST', path: write, skip: 5, action: { kind: 'reset-after-commit' } });
  add({ method: 'POST', path: write, skip: 8, action: { kind: 'delay-after-commit', ms: TIMEOUT_MS * 1.15 } });
  add({ method: 'POST', path: write, skip: 11, times: 3, action: { kind: 'status', status: 429 } });
  add({ method: 'POST', path: write, skip: 40, times: 3, action: { kind: 'status', status: 429, retryAfter: (5 * SCALE).toFixed(3) } });
}

/** One soak: start an emulator, misbehave, import, audit. Returns a line of figures for the test output. */
async function soak(sendPath: SendPath, count: number): Promise<string> {
    const started = Date.now();
    const emulator = await startGraphEmulator({
      budgets: { windowMs: s(20) },
      latencyMs: s(0.25),
      latencyPerImportedDeviceMs: s(0.002),
      timing: { processingDelayMs: s(30), processingJitterMs: s(30), registrationDelayMs: s(120), syncDurationMs: s(30), syncMinIntervalMs: s(600) },
      random: seededRandom(SEED + 1),
      faultRandom: seededRandom(SEED),
    });
    const journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-soak-'));
    const logs: string[] = [];
    const tokens: string[] = [];
    const clients: GraphClient[] = [];
    try {
      const { devices, expected, hashes, productKeys } = composition(emulator, count);
      if (sendPath === 'create') emulator.faults.add({ path: IMPORT, times: Infinity, action: { kind: 'status', status: 404 } });
      const write = sendPath === 'import' ? IMPORT : CREATE;
      injectFaults(emulator, write);

      // A token source that cannot tell when its token expires (a clock that runs slow, a token revoked early): the
      // token dies under the engine every 90 s, and each time Graph's 401 is what makes it get a new one.
      let token = '';
      const getAccessToken = async (request?: { forceRefresh?: boolean }) => {
        if (request?.forceRefresh || !token) {
          token = emulator.auth.issueToken(TOKEN_LIFETIME_MS);
          tokens.push(token);
        }
        return token;
      };
      const engine = () => {
        const logger = captureLogger(logs);
        const client = new GraphClient({
          graphRoot: emulator.url,
          getAccessToken,
          logger,
          timeoutMs: TIMEOUT_MS,
          retry: { baseDelayMs: s(1), maxDelayMs: s(32), maxRetryAfterMs: s(300) },
          writeBudget: { limit: 100, windowMs: s(20) },
        });
        clients.push(client);
        return new ImportEngine({
          graph: new AutopilotGraph(client),
          journal: new Journal(journalDir),
          logger,
          settings: { batchSize: BATCH_SIZE, pollIntervalMs: s(15), timeLimitMs: s(3600) },
        });
      };

      // A run that stops on an error needing a person (faults that outlast every retry) is resumed, as a user would.
      const options = { wait: true, sync: true, waitForRegistration: true };
      let result: RunResult | undefined;
      let runId = '';
      const failures: string[] = [];
      try {
        result = await engine().startRun(devices, { ...options, source: 'soak.autopilot.json' });
      } catch (error) {
        if (!(error instanceof RunFailedError)) throw error;
        runId = error.runId;
        failures.push(error.message);
      }
      while (!result || result.stopped !== 'finished') {
        assert.ok(failures.length <= 5, `the run kept failing:\n${failures.join('\n')}`);
        try {
          result = await engine().resumeRun(result?.run.id ?? runId, options);
        } catch (error) {
          if (!(error instanceof RunFailedError)) throw error;
          failures.push(error.message);
        }
      }
      const run = result.run;

      // Exactly once, none missing, every state as Graph has it.
      const problems = auditRun(emulator, DEFAULT_TENANT_ID, expected, run.devices);
      assert.deepEqual(problems, [], summarize(problems));
      assert.deepEqual(run.counts, { complete: count - 20 - 10 - 10 - 5 - 5 - 3, error: 20 + 10 + 10 + 5 + 3, partial: 5, pending: 0 });
      assert.equal(run.phase, 'finished');

      // What a restart would believe, read back from disk, is what was reported, and what Graph holds.
      const { manifest, entries } = new Journal(journalDir).read(run.id);
      const reloaded = RunState.load(manifest, entries).view();
      assert.deepEqual(reloaded, run);
      const journaledIds = new Set(entries.flatMap((e) => (e.t === 'accepted' ? e.records : e.t === 'reconciled' ? e.found : [])).map((r) => r.id));
      const createdIds = new Set(emulator.state.tenant(DEFAULT_TENANT_ID).created.map((r) => r.id));
      assert.deepEqual([...createdIds].filter((id) => !journaledIds.has(id)), [], 'every record Graph created is in the journal');
      assert.deepEqual([...journaledIds].filter((id) => !createdIds.has(id)), [], 'the journal names no record Graph never created');

      // The faults really happened, and the engine's own pacing kept Intune's throttling away.
      const requests = emulator.requests;
      const writes = requests.filter((r) => r.method === 'POST' && write.test(r.path));
      const hits = (list: typeof requests, fault: string) => list.filter((r) => r.faults.includes(fault)).length;
      const timedOut = writes.filter((r) => r.faults.includes('delay-after-commit')).length;
      const throttledWithout = requests.filter((r) => r.status === 429 && r.retryAfter === undefined).length;
      const throttledWith = requests.filter((r) => r.status === 429 && r.retryAfter !== undefined).length;
      assert.ok(hits(writes, 'reset-before-commit') >= 1 && hits(writes, 'reset-after-commit') >= 1, 'resets hit writes before and after commit');
      assert.ok(hits(writes, 'status 503') >= 1 && hits(requests.filter((r) => r.method === 'GET'), 'status 503') >= 1, '503s hit reads and writes');
      assert.ok(timedOut >= 1 && throttledWith >= 3 && throttledWithout >= 3);
      const expiredTokens = requests.filter((r) => r.status === 401).length;
      const lifetimes = Math.floor((Date.now() - started) / TOKEN_LIFETIME_MS);
      assert.ok(expiredTokens >= Math.min(3, lifetimes - 1) && tokens.length === expiredTokens + 1, `${expiredTokens} × 401 for ${tokens.length} tokens`);
      assert.equal(requests.filter((r) => r.status === 429 && !r.faults.length).length, 0, "Intune's own budgets never throttled the engine");

      // Nothing secret in any log line at any level.
      const logText = logs.join('\n');
      const leaks = [
        ...hashes.filter((hash) => logText.includes(hash.slice(0, 24))).map(() => 'a hardware hash'),
        ...productKeys.filter((key) => logText.includes(key)).map(() => 'a product key'),
        ...tokens.filter((t) => logText.includes(t)).map(() => 'a token'),
      ];
      assert.deepEqual(leaks, []);

      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      return (
        `${requests.length} requests (${writes.length} device writes), ${hits(requests, 'status 503')} × 503, ` +
          `${hits(requests, 'reset-before-commit')} resets before and ${hits(requests, 'reset-after-commit')} after commit, ` +
          `${throttledWith + throttledWithout} × 429 (${throttledWithout} without Retry-After), ${expiredTokens} × 401 (expired token), ` +
          `${timedOut} writes answered after the timeout, ${hits(requests, 'latency')} slow answers; ` +
          `${failures.length} resume(s)${failures.length ? ` (${failures.join("; ")})` : ""}; ${logs.length} log lines; ${seconds} s`
      );
    } finally {
      clients.forEach((client) => client.dispose());
      await emulator.close();
      fs.rmSync(journalDir, { recursive: true, force: true });
    }
}

describe('fault soak: the engine against a misbehaving Graph', function () {
  this.timeout(120_000);

  it('5,000 devices through /import in chunks: each exactly once, every final state as Graph has it, the journal the same', async () => {
    console.log(`      ${await soak('import', 5000)}`);
  });

  it('1,000 devices, one POST each where /import is missing: each exactly once, every final state as Graph has it, the journal the same', async () => {
    console.log(`      ${await soak('create', 1000)}`);
  });
});
