/**
 * Hardware hashes, product keys and tokens never reach a log line at any level, even when the import goes through
 * everything that makes the engine and the Graph client talk: Graph's Edm.Binary 400 that quotes a hash, 806/808 and
 * duplicate errors, 503s, 429s with Retry-After, resets before and after the commit, 500s on reads, an expiring token,
 * the per-device fallback, a retry of the failed devices and the clean-up of records.
 */
import * as assert from 'node:assert/strict';
import { DEFAULT_TENANT_ID } from '../../emulator/auth';
import { seededRandom } from '../../emulator/faults';
import { fakeDevices, unpadded } from '../../emulator/hashes';
import { startHarness, type Harness } from '../../support/engineHarness';
import { findSecrets, productKeyFor } from '../../support/secretScan';

const IMPORT_PATH = '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities/import';
const SECOND_TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJub25lIn0.second-token-after-refresh.c2lnbmF0dXJl';

describe('no hash, product key or token in the engine and Graph client logs, at any level', function () {
  this.timeout(60_000);
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness({ faultRandom: seededRandom(7) });
  });
  afterEach(() => harness.close());

  it('through an import that fails, retries and recovers in every way the engine logs', async () => {
    const { emulator } = harness;
    const devices = fakeDevices(40, 'LOG').map((device, index) => ({
      ...device,
      productKey: productKeyFor(index + 1),
      groupTag: `tag-${index % 3}`,
      assignedUserPrincipalName: index % 4 === 0 ? `user${index}@contoso.com` : undefined,
    }));
    // An unpadded hash (Graph's Edm.Binary 400 quotes it back), 806, 808 and a duplicate hash.
    devices[3] = { ...devices[3]!, hardwareIdentifier: unpadded(devices[3]!.hardwareIdentifier) };
    emulator.state.seedRegistered(DEFAULT_TENANT_ID, { serialNumber: 'OLD-806', hardwareIdentifier: devices[10]!.hardwareIdentifier });
    emulator.state.seedForeign(devices[11]!.hardwareIdentifier);
    devices[13] = { ...devices[13]!, hardwareIdentifier: devices[12]!.hardwareIdentifier };
    emulator.state.forceOutcome(devices[20]!.serialNumber, { status: 'error', errorCode: 0, errorName: 'StorageError' });

    // The first token expires once the first chunk is in (whatever the machine's speed); the client must refresh it.
    const firstToken = emulator.auth.issueToken(60_000);
    emulator.auth.addToken(SECOND_TOKEN);
    emulator.faults.add({ path: IMPORT_PATH, times: Infinity, action: { kind: 'after-commit', run: () => emulator.auth.expire(firstToken) } });
    emulator.faults.add({ path: IMPORT_PATH, skip: 1, times: 2, action: { kind: 'status', status: 429, retryAfter: '0' } });
    emulator.faults.add({ path: IMPORT_PATH, skip: 3, times: 1, action: { kind: 'reset-before-commit' } });
    emulator.faults.add({ path: IMPORT_PATH, skip: 4, times: 1, action: { kind: 'reset-after-commit' } });
    emulator.faults.add({ path: IMPORT_PATH, chance: 0.2, times: 4, action: { kind: 'status', status: 503 } });
    emulator.faults.add({ method: 'GET', chance: 0.2, times: 6, action: { kind: 'status', status: 500 } });

    let refreshed = false;
    const engine = harness.engine({
      settings: { batchSize: 8 },
      client: {
        getAccessToken: async (request) => {
          if (request?.forceRefresh) refreshed = true;
          return refreshed ? SECOND_TOKEN : firstToken;
        },
      },
    });
    const first = await engine.startRun(devices, { source: 'secrets.json', wait: true });
    assert.equal(first.stopped, 'finished');
    assert.ok(refreshed, 'the token expired and was refreshed');
    assert.equal(first.run.devices[3]!.errorCode, 400);
    assert.ok(first.run.counts.error >= 5, JSON.stringify(first.run.counts));

    emulator.state.forcedOutcomes.clear();
    const retried = await engine.retryFailed(first.run.id, { wait: true });
    await engine.deleteImportRecords(retried.run.id, 'terminal');

    // The faults really struck (so the engine had something to log about).
    const statuses = new Set(emulator.requests.map((r) => r.status));
    for (const status of [400, 401, 429, 503, 500, -1]) assert.ok(statuses.has(status), `no ${status} in ${[...statuses].join(', ')}`);
    const levels = new Set(harness.logs.map((line) => line.split(' ', 1)[0]));
    for (const level of ['debug', 'info', 'warn']) assert.ok(levels.has(level), `the run logged nothing at ${level}: ${[...levels].join(', ')}`);
    const leaks = findSecrets(harness.logs.join('\n'), {
      hashes: [...devices.map((d) => d.hardwareIdentifier), ...fakeDevices(40, 'LOG').map((d) => d.hardwareIdentifier)],
      productKeys: devices.map((d) => d.productKey),
      tokens: [firstToken, SECOND_TOKEN, emulator.staticToken],
    });
    assert.deepEqual(leaks, [], `${harness.logs.length} log lines`);
    // The scan is not blind: the same check finds a hash and a key planted in a log line.
    const planted = `${harness.logs[0]} ${devices[5]!.hardwareIdentifier.slice(100, 130)} ${devices[5]!.productKey}`;
    assert.equal(findSecrets(planted, { hashes: [devices[5]!.hardwareIdentifier], productKeys: [devices[5]!.productKey] }).length, 2);
  });
});
