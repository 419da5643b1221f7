/**
 * Fault soak: 5,000 devices through the import engine against the Graph emulator while the emulator misbehaves the
 * way Graph and the network do — 503s, connection resets before and after a write commits, 429 bursts with and
 * without Retry-After, a token that expires every 90 s, and answers that come just before or just after the client's
 * timeout — and is as untidy as Intune: writes answered 503 or 504, cut, or left unanswered until the client gave up
 * that Graph commits 0–60 s later anyway; records of earlier imports for a quarter of the serials (old failures, and
 * old successes whose devices are registered); answers without the hash; lists in no useful order; `complete` long
 * before the registration id and the listing. Afterwards the emulator's own records decide: every device imported
 * exactly once, none missing, each reported by its own record of this run with its final state as Graph has it, and
 * the journal on disk agreeing with both.
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
import { ImportEngine, type RunResult } from '../../src/import/engine';
import { Journal } from '../../src/import/journal';
import { RunState } from '../../src/import/runState';
import type { DeviceToImport } from '../../src/payload/api';
import { DEFAULT_TENANT_ID } from '../emulator/auth';
import { seededRandom } from '../emulator/faults';
import { fakeDevices, fakeHardwareHash, unpadded } from '../emulator/hashes';
import { startGraphEmulator, type GraphEmulator } from '../emulator/server';
import { captureLogger } from '../support/engineHarness';
import { auditRun, summarize, type ExpectedDevice } from './audit';
import { RunFailedError } from '../../src/import/errors';

const SCALE = 0.02;
const SEED = 20_240_501;
const BATCH_SIZE = 50;
const s = (seconds: number) => seconds * 1000 * SCALE;

const TIMEOUT_MS = s(100); // the Graph client's default per-attempt timeout
const TOKEN_LIFETIME_MS = s(90);
/** Graph commits an unconfirmed write up to a minute after its answer (or after the client gave up waiting). */
const LATE_COMMIT_MAX_MS = s(60);
/**
 * The engine's settle time: a little over the latest late commit, since the emulator starts that minute when it sees
 * the client hang up, a moment after the client has noted the write as unconfirmed.
 */
const SETTLE_MS = s(65);
const IMPORT = /\/importedWindowsAutopilotDeviceIdentities\/import$/;
const CREATE = /\/importedWindowsAutopilotDeviceIdentities$/;

/** How the devices go in: chunks through `/import`, or one POST each where `/import` is missing (a proxy, a cloud). */
type SendPath = 'import' | 'create';

interface Composition {
  readonly devices: DeviceToImport[];
  readonly expected: ExpectedDevice[];
  readonly hashes: string[];
  readonly productKeys: string[];
  /** The counts the run must end with. */
  readonly counts: { complete: number; error: number; partial: number; pending: number };
  /** Ids of the records earlier imports left for the run's serials: none of them may be reported. */
  readonly earlierRecords: Set<string>;
  /** How many serials have records of earlier imports. */
  readonly withEarlierRecords: number;
}

/**
 * Mostly fresh devices, plus every documented way an import ends in error, spread through the file; and for a quarter
 * of the other serials, records of earlier imports: failures (some twice), and successes whose devices are registered
 * here (so this import of them ends in 806, in a record of its own).
 */
function composition(emulator: GraphEmulator, count: number): Composition {
  const devices: DeviceToImport[] = fakeDevices(count, 'SOAK');
  const refused = new Set<number>();
  const special = new Set<number>();
  const spread = (n: number, offset: number) => {
    const picked = Array.from({ length: n }, (_, i) => Math.floor(((i + 0.5) * count) / n + offset) % count);
    picked.forEach((i) => special.add(i));
    return picked;
  };
  const { state } = emulator;
  let errors = 0;
  let partial = 0;
  for (const i of spread(20, 3)) state.seedRegistered(DEFAULT_TENANT_ID, { serialNumber: `OLD-${i}`, hardwareIdentifier: devices[i]!.hardwareIdentifier }); // 806
  for (const i of spread(10, 7)) state.seedForeign(devices[i]!.hardwareIdentifier); // 808
  for (const i of spread(10, 11)) {
    devices[i] = { ...devices[i]!, hardwareIdentifier: devices[(i + 1) % count]!.hardwareIdentifier }; // duplicate hash
    special.add((i + 1) % count);
  }
  for (const i of spread(5, 13)) state.forceOutcome(devices[i]!.serialNumber, { status: 'error', errorCode: 0, errorName: 'StorageError' });
  for (const i of spread(5, 17)) state.forceOutcome(devices[i]!.serialNumber, { status: 'partial', errorCode: 0, errorName: 'PartialImport' });
  for (const i of spread(3, 19)) {
    devices[i] = { ...devices[i]!, hardwareIdentifier: unpadded(fakeHardwareHash(`unpadded-${i}`, 1021)) }; // Edm.Binary 400
    refused.add(i);
  }
  errors += 20 + 10 + 10 + 5 + 3;
  partial += 5;
  const productKeys: string[] = [];
  for (const i of spread(25, 23)) {
    const key = `${String.fromCharCode(65 + (i % 26))}${String(i).padStart(4, '0')}-QWERT-ASDFG-ZXCVB-${String(i % 99999).padStart(5, '7')}`;
    devices[i] = { ...devices[i]!, productKey: key };
    productKeys.push(key);
  }
  const earlierRecords = new Set<string>();
  let withEarlierRecords = 0;
  const day = 24 * 3_600_000;
  for (let i = 1; i < count; i += 4) {
    if (special.has(i)) continue;
    withEarlierRecords++;
    const device = devices[i]!;
    if ((i >> 2) % 2) {
      earlierRecords.add(state.seedImported(DEFAULT_TENANT_ID, device, { status: 'complete', errorCode: 0, errorName: null }, 3 * day).id);
      errors++; // registered here already: 806
    } else {
      earlierRecords.add(state.seedImported(DEFAULT_TENANT_ID, device, { status: 'error', errorCode: 0, errorName: i % 3 ? 'StorageError' : 'ZtdDeviceDuplicated' }, 2 * day).id);
      if (i % 8 === 1) earlierRecords.add(state.seedImported(DEFAULT_TENANT_ID, device, { status: 'error', errorCode: 0, errorName: 'StorageError' }, day).id);
    }
  }
  return {
    devices,
    expected: devices.map((device, i) => ({ serialNumber: device.serialNumber, refused: refused.has(i) })),
    hashes: devices.map((device) => device.hardwareIdentifier),
    productKeys,
    counts: { complete: count - errors - partial, error: errors, partial, pending: 0 },
    earlierRecords,
    withEarlierRecords,
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
  // Untidy Graph: writes it answers with a failure and commits anyway, 0–60 s later — after a 504, after a cut, and
  // after no answer at all (the client times out). The 503s above commit late on writes too (the emulator's
  // default); some 503s on writes are never committed. 1% each at random, and each at least once.
  add({ method: 'POST', path: write, times: Infinity, chance: 0.01, action: { kind: 'commit-late', answer: 504 } });
  add({ method: 'POST', path: write, times: Infinity, chance: 0.005, action: { kind: 'commit-late', answer: 'reset' } });
  add({ method: 'POST', path: write, times: Infinity, chance: 0.01, action: { kind: 'commit-late', answer: 'timeout' } });
  add({ method: 'POST', path: write, times: Infinity, chance: 0.01, action: { kind: 'status', status: 503, commit: 'never' } });
  add({ method: 'POST', path: write, skip: 14, action: { kind: 'commit-late', answer: 504 } });
  add({ method: 'POST', path: write, skip: 17, action: { kind: 'commit-late', answer: 'timeout' } });
  add({ method: 'POST', path: write, skip: 20, action: { kind: 'commit-late', answer: 'reset' } });
  add({ method: 'POST', path: write, skip: 30, action: { kind: 'status', status: 503, commit: 'never' } });
}

/** One soak: start an emulator, misbehave, import, audit. Returns a line of figures for the test output. */
async function soak(sendPath: SendPath, count: number): Promise<string> {
    const started = Date.now();
    const emulator = await startGraphEmulator({
      budgets: { windowMs: s(20) },
      latencyMs: s(0.25),
      latencyPerImportedDeviceMs: s(0.002),
      // Processing 30–60 s; the registration id 60 s after `complete`, the listing 120 s after it (or at a sync's end).
      timing: {
        processingDelayMs: s(30),
        processingJitterMs: s(30),
        registrationIdDelayMs: s(60),
        registrationDelayMs: s(120),
        syncDurationMs: s(30),
        syncMinIntervalMs: s(600),
        lateCommitMaxMs: LATE_COMMIT_MAX_MS,
      },
      random: seededRandom(SEED + 1),
      faultRandom: seededRandom(SEED),
    });
    const journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-soak-'));
    const logs: string[] = [];
    const tokens: string[] = [];
    const clients: GraphClient[] = [];
    try {
      const { devices, expected, hashes, productKeys, counts, earlierRecords, withEarlierRecords } = composition(emulator, count);
      assert.ok(withEarlierRecords >= 0.2 * count, `${withEarlierRecords} serials with earlier records`);
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
          settings: { batchSize: BATCH_SIZE, pollIntervalMs: s(15), timeLimitMs: s(3600), settleMs: SETTLE_MS },
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
      assert.deepEqual(run.counts, counts);
      assert.equal(run.phase, 'finished');
      assert.deepEqual(run.devices.filter((d) => d.id && earlierRecords.has(d.id)).map((d) => d.serialNumber), [], 'no device reported by a record of an earlier import');

      // What a restart would believe, read back from disk, is what was reported, and what Graph holds.
      const { manifest, entries } = new Journal(journalDir).read(run.id);
      const reloaded = RunState.load(manifest, entries).view();
      assert.deepEqual(reloaded, run);
      const journaledIds = new Set(entries.flatMap((e) => (e.t === 'accepted' ? e.records : e.t === 'reconciled' ? e.found : [])).map((r) => r.id));
      const createdIds = new Set(emulator.state.tenant(DEFAULT_TENANT_ID).created.map((r) => r.id));
      const noted = new Set(entries.flatMap((e) => (e.t === 'existing' ? e.ids : [])));
      assert.deepEqual([...earlierRecords].filter((id) => !noted.has(id)), [], 'every record of an earlier import was noted before the first send');
      assert.deepEqual([...noted].filter((id) => !earlierRecords.has(id)), [], 'no record of this run was taken for an earlier one');
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
      // Late commits happened after each kind of unconfirmed answer, and none of them made a second record (audited).
      const lateAfter = (fault: string) => writes.filter((r) => r.faults.includes(fault) && r.committedLateAt !== undefined).length;
      const late = { '503': lateAfter('status 503'), commitLate: lateAfter('commit-late') };
      assert.ok(late['503'] >= 1 && late.commitLate >= 3, `late commits: ${JSON.stringify(late)}`);
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
          `${timedOut} writes answered after the timeout, ${hits(requests, 'latency')} slow answers, ` +
          `${late['503'] + late.commitLate} writes committed late (${late['503']} answered 503, ${hits(writes, 'commit-late')} answered 504, cut or not at all), ` +
          `${withEarlierRecords} serials with records of earlier imports; ` +
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
