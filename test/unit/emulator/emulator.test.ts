import * as assert from 'node:assert/strict';
import fetch from 'node-fetch';
import { DEFAULT_TENANT_ID } from '../../emulator/auth';
import { fakeDevices, fakeHardwareHash, unpadded } from '../../emulator/hashes';
import { isPaddedBase64 } from '../../emulator/routes';
import { startGraphEmulator, type GraphEmulator, type GraphEmulatorOptions } from '../../emulator/server';
import { FakeClock } from '../../support/fakeClock';

const IMPORTED = '/v1.0/deviceManagement/importedWindowsAutopilotDeviceIdentities';
const REGISTERED = '/v1.0/deviceManagement/windowsAutopilotDeviceIdentities';

describe('Graph emulator (raw HTTP)', function () {
  this.timeout(10_000);
  let emulator: GraphEmulator;
  let clock: FakeClock;

  async function start(options: GraphEmulatorOptions = {}): Promise<void> {
    clock = new FakeClock();
    emulator = await startGraphEmulator({ clock, timing: { processingDelayMs: 60_000, processingJitterMs: 0, registrationDelayMs: 120_000, syncDurationMs: 30_000, syncMinIntervalMs: 600_000 }, ...options });
  }

  async function call(method: string, path: string, body?: unknown, token = emulator.staticToken): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, string> }> {
    const response = await fetch(`${emulator.url}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : {}, headers: Object.fromEntries(response.headers.entries()) };
  }

  beforeEach(() => start());
  afterEach(() => emulator.close());

  it('turns an import record from unknown into complete, then fills its deviceRegistrationId, then lists the device', async () => {
    const [device] = fakeDevices(1);
    const created = await call('POST', IMPORTED, device);
    assert.equal(created.status, 201);
    const id = created.body.id as string;
    assert.equal((created.body.state as Record<string, unknown>).deviceImportStatus, 'unknown');
    await clock.advance(60_000);
    const done = (await call('GET', `${IMPORTED}/${id}`)).body.state as Record<string, unknown>;
    assert.deepEqual(
      { status: done.deviceImportStatus, registrationId: done.deviceRegistrationId, errorCode: done.deviceErrorCode, errorName: done.deviceErrorName },
      { status: 'complete', registrationId: '', errorCode: 0, errorName: 'None' },
      'complete comes before the registration id, and a success is named None',
    );
    await clock.advance(60_000); // half the registration delay: the id is there, the device not listed yet
    const registrationId = ((await call('GET', `${IMPORTED}/${id}`)).body.state as Record<string, unknown>).deviceRegistrationId as string;
    assert.ok(registrationId);
    assert.equal((await call('GET', `${REGISTERED}/${registrationId}`)).status, 404, 'not registered yet');
    assert.deepEqual((await call('GET', REGISTERED)).body.value, []);
    await clock.advance(60_000);
    const registered = await call('GET', `${REGISTERED}/${registrationId}`);
    assert.equal(registered.status, 200);
    assert.equal(registered.body.serialNumber, device!.serialNumber);
  });

  it('never echoes the hash in answers to create, /import, get and list, unless a test asks for it', async () => {
    const devices = fakeDevices(2);
    const created = await call('POST', IMPORTED, devices[0]);
    const imported = await call('POST', `${IMPORTED}/import`, { importedWindowsAutopilotDeviceIdentities: [devices[1]] });
    const got = await call('GET', `${IMPORTED}/${created.body.id as string}`);
    const listed = await call('GET', IMPORTED);
    const answers = [created.body, ...(imported.body.value as Record<string, unknown>[]), got.body, ...(listed.body.value as Record<string, unknown>[])];
    assert.equal(answers.length, 5);
    for (const answer of answers) assert.equal(answer.hardwareIdentifier, null);

    await emulator.close();
    await start({ tidy: { echoHash: true } });
    assert.equal((await call('POST', IMPORTED, devices[0])).body.hardwareIdentifier, devices[0]!.hardwareIdentifier);
  });

  it('lists in the order of its own key with a stable skip token, not in creation order (unless asked)', async () => {
    const devices = fakeDevices(40);
    for (const device of devices.slice(0, 20)) await call('POST', IMPORTED, device);
    const listAll = async (): Promise<{ ids: string[]; serials: string[] }> => {
      const ids: string[] = [];
      const serials: string[] = [];
      let next: string | undefined = `${IMPORTED}?$top=7`;
      while (next) {
        const page = await call('GET', next);
        for (const record of page.body.value as { id: string; serialNumber: string }[]) {
          ids.push(record.id);
          serials.push(record.serialNumber);
        }
        const link = page.body['@odata.nextLink'] as string | undefined;
        next = link ? new URL(link).pathname + new URL(link).search : undefined;
      }
      return { ids, serials };
    };
    const { ids, serials } = await listAll();
    assert.deepEqual(ids, [...ids].sort(), 'ordered by id');
    assert.deepEqual([...serials].sort(), devices.slice(0, 20).map((d) => d.serialNumber), 'every record once');
    assert.notDeepEqual(serials, devices.slice(0, 20).map((d) => d.serialNumber), 'not in creation order');

    await emulator.close();
    await start({ tidy: { creationOrder: true } });
    for (const device of devices.slice(20)) await call('POST', IMPORTED, device);
    assert.deepEqual((await listAll()).serials, devices.slice(20).map((d) => d.serialNumber));
  });

  it('keeps records of earlier imports: an old failure, and an old success whose device is registered (806 again)', async () => {
    const [failed, succeeded] = fakeDevices(2, 'OLD');
    const oldFailure = emulator.state.seedImported(DEFAULT_TENANT_ID, failed!, { status: 'error', errorCode: 0, errorName: 'StorageError' });
    const oldSuccess = emulator.state.seedImported(DEFAULT_TENANT_ID, succeeded!, { status: 'complete', errorCode: 0, errorName: null });
    const listed = (await call('GET', IMPORTED)).body.value as { id: string; state: { deviceImportStatus: string; deviceRegistrationId: string } }[];
    assert.deepEqual(listed.map((r) => r.id).sort(), [oldFailure.id, oldSuccess.id].sort());
    assert.equal(listed.find((r) => r.id === oldSuccess.id)!.state.deviceRegistrationId, oldSuccess.registrationId);
    assert.equal((await call('GET', `${REGISTERED}/${oldSuccess.registrationId!}`)).status, 200);
    assert.deepEqual(emulator.state.tenant(DEFAULT_TENANT_ID).created, [], 'not counted as created by anyone under test');

    const again = await call('POST', `${IMPORTED}/import`, { importedWindowsAutopilotDeviceIdentities: [failed, succeeded] });
    await clock.advance(60_000);
    const [retried, repeated] = await Promise.all((again.body.value as { id: string }[]).map((r) => call('GET', `${IMPORTED}/${r.id}`)));
    assert.equal((retried!.body.state as { deviceImportStatus: string }).deviceImportStatus, 'complete');
    assert.equal((repeated!.body.state as { deviceErrorCode: number }).deviceErrorCode, 806);
    assert.equal(((await call('GET', IMPORTED)).body.value as unknown[]).length, 4, 'the old records stay');
  });

  it('answers the Edm.Binary 400 for an unpadded hash and creates nothing from that request', async () => {
    const devices = fakeDevices(2);
    const response = await call('POST', `${IMPORTED}/import`, { importedWindowsAutopilotDeviceIdentities: [devices[0], { ...devices[1], hardwareIdentifier: unpadded(devices[1]!.hardwareIdentifier) }] });
    assert.equal(response.status, 400);
    const error = response.body.error as Record<string, unknown>;
    assert.equal(error.message, `Cannot convert the literal '${unpadded(devices[1]!.hardwareIdentifier)}' to the expected type 'Edm.Binary'.`);
    assert.equal(emulator.state.tenant(DEFAULT_TENANT_ID).created.length, 0);
  });

  it('takes as Edm.Binary exactly padded standard Base64 (the pattern it stands for, checked on every kind of text)', () => {
    const pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
    const samples = ['', 'QUJD', 'QUI=', 'QQ==', 'QQ', 'QUI', 'Q===', 'QQ==QUJD', 'QU=D', 'QU-D', 'QU_D', 'QU D', 'QU\nD', 'QUJé', 'QUJD\u0000AAA'];
    for (const bytes of [1020, 1021, 1022, 4000]) samples.push(fakeHardwareHash(`S${bytes}`, bytes), unpadded(fakeHardwareHash(`S${bytes}`, bytes)));
    let seed = 7;
    const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ !.';
    for (let i = 0; i < 20_000; i++) samples.push(Array.from({ length: Math.floor(next() * 13) }, () => letters[Math.floor(next() * letters.length)]).join(''));
    for (const sample of samples) assert.equal(isPaddedBase64(sample), pattern.test(sample), JSON.stringify(sample));
  });

  it('pages with $top and @odata.nextLink and filters with contains(), with the eq and hyphen 400s', async () => {
    await call('POST', `${IMPORTED}/import`, { importedWindowsAutopilotDeviceIdentities: fakeDevices(5) });
    const first = await call('GET', `${IMPORTED}?$top=2`);
    assert.equal((first.body.value as unknown[]).length, 2);
    const next = new URL(first.body['@odata.nextLink'] as string);
    assert.equal(next.origin, emulator.url);
    const second = await call('GET', next.pathname + next.search);
    const third = await call('GET', new URL(second.body['@odata.nextLink'] as string).pathname + new URL(second.body['@odata.nextLink'] as string).search);
    assert.equal((third.body.value as unknown[]).length, 1);
    assert.equal(third.body['@odata.nextLink'], undefined);

    const found = await call('GET', `${IMPORTED}?$filter=${encodeURIComponent("contains(serialNumber,'000003')")}`);
    assert.deepEqual((found.body.value as { serialNumber: string }[]).map((d) => d.serialNumber), ['EMU000003']);
    assert.equal((await call('GET', `${IMPORTED}?$filter=${encodeURIComponent("serialNumber eq 'EMU000003'")}`)).status, 400);
    assert.equal((await call('GET', `${REGISTERED}?$filter=${encodeURIComponent("contains(serialNumber,'EMU-3')")}`)).status, 400);
  });

  it("throttles at Intune's per-app write budget (with Retry-After where asked), and at the tenant budget across apps", async () => {
    await emulator.close();
    await start({ budgets: { windowMs: 20_000, appWrites: 3, tenantWrites: 5 }, tidy: { retryAfterOnThrottle: true } });
    emulator.auth.addToken('other-app', { appId: 'other' });
    const devices = fakeDevices(8);
    const statuses: number[] = [];
    for (const device of devices.slice(0, 4)) statuses.push((await call('POST', IMPORTED, device)).status);
    assert.deepEqual(statuses, [201, 201, 201, 429]);
    const throttled = emulator.requests.at(-1)!;
    assert.equal(throttled.retryAfter, '20');
    for (const device of devices.slice(4, 7)) statuses.push((await call('POST', IMPORTED, device, 'other-app')).status);
    assert.deepEqual(statuses.slice(4), [201, 201, 429], 'the tenant budget (5) is shared by both apps');
    assert.equal((await call('GET', IMPORTED)).status, 200, 'reads have their own, larger budget');
    await clock.advance(20_000);
    assert.equal((await call('POST', IMPORTED, devices[7])).status, 201);
  });

  it('throttles without Retry-After by default, as Intune often does', async () => {
    await emulator.close();
    await start({ budgets: { appWrites: 1 } });
    const devices = fakeDevices(2);
    await call('POST', IMPORTED, devices[0]);
    const second = await call('POST', IMPORTED, devices[1]);
    assert.equal(second.status, 429);
    assert.equal(second.headers['retry-after'], undefined);
  });

  it('follows the sync rules: 204, 409 while running, 429 within 10 minutes, beta only', async () => {
    const sync = '/beta/deviceManagement/windowsAutopilotSettings/sync';
    assert.equal((await call('POST', sync)).status, 204);
    assert.equal((await call('POST', sync)).status, 409);
    await clock.advance(30_000);
    assert.equal((await call('POST', sync)).status, 429);
    await clock.advance(570_000);
    assert.equal((await call('POST', sync)).status, 204);
    assert.equal((await call('POST', '/v1.0/deviceManagement/windowsAutopilotSettings/sync')).status, 400);
    const settings = await call('GET', '/beta/deviceManagement/windowsAutopilotSettings');
    assert.equal(settings.body.syncStatus, 'inProgress');
  });

  it('answers 401 for a missing, unknown or expired token and 403 without the write permission', async () => {
    assert.equal((await call('GET', IMPORTED, undefined, '')).status, 401);
    assert.equal((await call('GET', IMPORTED, undefined, 'forged')).status, 401);
    emulator.auth.expire(emulator.staticToken);
    const expired = await call('GET', IMPORTED);
    assert.equal(expired.status, 401);
    assert.match((expired.body.error as { message: string }).message, /expired/);
    emulator.auth.addToken('reader', { permissions: ['DeviceManagementServiceConfig.Read.All'] });
    assert.equal((await call('GET', IMPORTED, undefined, 'reader')).status, 200);
    const denied = await call('POST', IMPORTED, fakeDevices(1)[0], 'reader');
    assert.equal(denied.status, 403);
    assert.match((denied.body.error as { message: string }).message, /DeviceManagementServiceConfig\.ReadWrite\.All/);
  });

  it('runs a hook before the write commits (a client killed there finds nothing created)', async () => {
    let created = -1;
    emulator.faults.add({ method: 'POST', action: { kind: 'before-commit', run: () => void (created = emulator.state.tenant(DEFAULT_TENANT_ID).created.length) } });
    assert.equal((await call('POST', IMPORTED, fakeDevices(1)[0])).status, 201);
    assert.equal(created, 0);
    assert.equal(emulator.state.tenant(DEFAULT_TENANT_ID).created.length, 1);
  });

  it('updates registered device properties', async () => {
    const device = emulator.state.seedRegistered(DEFAULT_TENANT_ID, { serialNumber: 'REG1', hardwareIdentifier: fakeDevices(1)[0]!.hardwareIdentifier });
    assert.equal((await call('POST', `${REGISTERED}/${device.id}/updateDeviceProperties`, { groupTag: 'Kiosk', displayName: 'KIOSK-01' })).status, 204);
    const after = await call('GET', `${REGISTERED}/${device.id}`);
    assert.equal(after.body.groupTag, 'Kiosk');
    assert.equal(after.body.displayName, 'KIOSK-01');
  });
});
