import * as assert from 'node:assert/strict';
import { DEFAULT_CLIENT_ID } from '../../../src/auth/authConfig';
import { accountsInSerializedCache } from '../../../src/auth/cachedAccounts';
import { tokenCacheKey } from '../../../src/auth/delegatedAuth';
import { loadMsal } from '../../../src/auth/msalRuntime';
import { MemorySecretStore } from '../../../src/auth/secretStore';
import type { IdentityEmulator } from '../../emulator/identity/identityEmulator';
import { ADELE, CONTOSO, FABRIKAM, MEGAN } from '../../emulator/identity/directory';
import {
  TEST_GRAPH_ROOT, assertNoSecretsIn, captureLog, eventually, memoryOfActiveAccount, rejectsWith, serviceFor, signInWithDeviceCode,
  startEmulator, tokenRequests,
} from './fixtures';

/** Moves the OS clock forward for MSAL and the emulator alike: the one place these tests mock time. */
function advanceClock(ms: number): () => void {
  const RealDate = Date;
  class ShiftedDate extends RealDate {
    constructor(...args: unknown[]) {
      super(...((args.length > 0 ? args : [RealDate.now() + ms]) as [number]));
    }
    static override now(): number {
      return RealDate.now() + ms;
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
  return () => (globalThis.Date = RealDate);
}

function tenantOf(token: string): string {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')).tid as string;
}

describe('Tokens over time: persisted cache, refresh, sign-out, several accounts and windows', () => {
  let emulator: IdentityEmulator;

  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(async () => {
    await emulator.stop();
  });

  it('reuses the persisted token silently after a restart (a new service over the same secret store)', async () => {
    const secrets = new MemorySecretStore();
    const memory = memoryOfActiveAccount();
    const first = serviceFor(emulator, { secrets, memory });
    await signInWithDeviceCode(first, emulator, ADELE.username);
    const token = await first.getAccessToken();
    first.dispose();

    const requestsBefore = emulator.requests.length;
    const restarted = serviceFor(emulator, { secrets, memory });
    await restarted.reload();
    assert.equal(restarted.activeAccount?.label, ADELE.username);
    assert.equal(await restarted.getAccessToken(), token, 'the cached token is reused');
    assert.equal(emulator.requests.filter((r) => r.path.endsWith('/token')).length, tokenRequests(emulator));
    assert.equal(
      emulator.requests.slice(requestsBefore).filter((r) => r.path.endsWith('/token')).length,
      0,
      'no token request was needed after the restart',
    );
    assertNoSecretsIn(restarted.log, emulator);
  });

  it('refreshes with the refresh token once the access token has expired, and the new token is valid', async () => {
    const service = serviceFor(emulator);
    await signInWithDeviceCode(service, emulator, ADELE.username);
    const first = await service.getAccessToken();
    const restore = advanceClock(2 * 3600_000);
    try {
      assert.equal(emulator.isValidAccessToken(first, { audience: TEST_GRAPH_ROOT }), undefined, 'the old token has expired');
      const second = await service.getAccessToken();
      assert.notEqual(second, first);
      assert.ok(emulator.isValidAccessToken(second, { audience: TEST_GRAPH_ROOT }));
      assert.equal(tokenRequests(emulator, 'refresh_token'), 1);
    } finally {
      restore();
    }
    assertNoSecretsIn(service.log, emulator);
  });

  it('gets a new token when asked to after a 401 (forceRefresh), though the cached one has not expired', async () => {
    const service = serviceFor(emulator);
    await signInWithDeviceCode(service, emulator, ADELE.username);
    const first = await service.getAccessToken();
    emulator.expireAccessTokens(); // Graph would now answer 401
    const second = await service.getAccessToken({ forceRefresh: true });
    assert.notEqual(second, first);
    assert.ok(emulator.isValidAccessToken(second, { audience: TEST_GRAPH_ROOT }));
  });

  it('says the sign-in expired when the refresh token was revoked', async () => {
    const service = serviceFor(emulator);
    await signInWithDeviceCode(service, emulator, ADELE.username);
    emulator.revokeTokens(ADELE.username);
    await rejectsWith(service.getAccessToken({ forceRefresh: true }), 'sessionExpired', /expired or was revoked.*Sign In again/);
  });

  it('honours an aborted signal without asking Entra ID', async () => {
    const service = serviceFor(emulator);
    await signInWithDeviceCode(service, emulator, ADELE.username);
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(service.getAccessToken({ signal: controller.signal }), { name: 'UserCancelledError' });
  });

  it('signs out: the account and every token leave the secret store, and token requests say to sign in', async () => {
    const service = serviceFor(emulator);
    const account = await signInWithDeviceCode(service, emulator, ADELE.username);
    const token = await service.getAccessToken();
    const key = `autopilot.auth.tokenCache/14d82eec-204b-4c2f-b7e8-296a70dab67e/${new URL(emulator.origin).host}`;
    assert.equal(key, tokenCacheKey(DEFAULT_CLIENT_ID, service.settings.endpoints));
    assert.ok((await service.secrets.get(key))?.includes(token));

    await service.signOut(account.id);
    const stored = (await service.secrets.get(key)) ?? '';
    assert.ok(!stored.includes(token), 'the access token is still stored');
    for (const secret of emulator.issuedSecrets) assert.ok(!stored.includes(secret), 'a token is still stored');
    assert.deepEqual(accountsInSerializedCache(stored), []);
    assert.equal(service.activeAccount, undefined);
    await rejectsWith(service.getAccessToken(), 'notSignedIn', /not signed in.*Autopilot: Sign In/);
  });

  it('lets a second window see a sign-in and a sign-out made in the first, without resurrecting removed tokens', async () => {
    const secrets = new MemorySecretStore();
    const windowA = serviceFor(emulator, { secrets });
    const windowB = serviceFor(emulator, { secrets });
    await windowB.reload();
    let changes = 0;
    windowB.onDidChange(() => changes++);

    const account = await signInWithDeviceCode(windowA, emulator, ADELE.username);
    await eventually(() => windowB.activeAccount?.id === account.id, 'window B to see the sign-in');
    const tokenInB = await windowB.getAccessToken();
    assert.ok(emulator.isValidAccessToken(tokenInB, { audience: TEST_GRAPH_ROOT }));

    await windowA.signOut(account.id);
    await eventually(() => windowB.accounts.length === 0, 'window B to see the sign-out');
    assert.ok(changes >= 2);
    await rejectsWith(windowB.getAccessToken(), 'notSignedIn', /not signed in/);
    // Window B's MSAL must not write its in-memory copy back.
    const stored = await secrets.get(tokenCacheKey(DEFAULT_CLIENT_ID, windowA.settings.endpoints));
    assert.deepEqual(accountsInSerializedCache(stored), []);
  });

  it('keeps several accounts and tenants signed in, switches between them, and each token is for its tenant', async () => {
    const service = serviceFor(emulator);
    const adeleHome = await signInWithDeviceCode(service, emulator, ADELE.username);
    const adeleGuest = await signInWithDeviceCode(service, emulator, ADELE.username, FABRIKAM.id);
    const megan = await signInWithDeviceCode(service, emulator, MEGAN.username);
    assert.deepEqual(
      service.accounts.map((a) => `${a.label} ${a.tenantId}`).sort(),
      [`${ADELE.username} ${CONTOSO.id}`, `${ADELE.username} ${FABRIKAM.id}`, `${MEGAN.username} ${FABRIKAM.id}`].sort(),
    );
    assert.equal(service.activeAccount?.id, megan.id, 'the newest sign-in is active');

    await service.selectAccount(adeleHome.id);
    assert.equal(tenantOf(await service.getAccessToken()), CONTOSO.id);
    await service.selectAccount(adeleGuest.id);
    assert.equal(tenantOf(await service.getAccessToken()), FABRIKAM.id);

    await service.signOut(megan.id);
    assert.equal(service.accounts.length, 2);
    assert.equal(service.activeAccount?.id, adeleGuest.id);
  });

  it('lists accounts from the stored cache exactly as MSAL lists them', async () => {
    const service = serviceFor(emulator);
    await signInWithDeviceCode(service, emulator, ADELE.username);
    await signInWithDeviceCode(service, emulator, ADELE.username, FABRIKAM.id);
    await signInWithDeviceCode(service, emulator, MEGAN.username);
    const stored = await service.secrets.get(tokenCacheKey(DEFAULT_CLIENT_ID, service.settings.endpoints));

    const msal = await loadMsal();
    const app = new msal.PublicClientApplication({ auth: { clientId: '14d82eec-204b-4c2f-b7e8-296a70dab67e', authority: `${emulator.origin}/organizations`, knownAuthorities: [new URL(emulator.origin).host] } });
    app.getTokenCache().deserialize(stored!);
    const fromMsal = (await app.getAllAccounts()).map((a) => `${a.homeAccountId} ${a.tenantId} ${a.username}`).sort();
    const ours = accountsInSerializedCache(stored).map((a) => `${a.homeAccountId} ${a.tenantId} ${a.username}`).sort();
    assert.deepEqual(ours, fromMsal);
    assert.equal(ours.length, 3);
  });

  it('starts a new window with the account chosen last', async () => {
    const secrets = new MemorySecretStore();
    const memory = memoryOfActiveAccount();
    const first = serviceFor(emulator, { secrets, memory });
    const adele = await signInWithDeviceCode(first, emulator, ADELE.username);
    await signInWithDeviceCode(first, emulator, MEGAN.username);
    await first.selectAccount(adele.id);
    const second = serviceFor(emulator, { secrets, memory, log: captureLog() });
    await second.reload();
    assert.equal(second.activeAccount?.id, adele.id);
  });

  it('never logs a token, code or secret at any level across sign-in, refresh and sign-out', async () => {
    const service = serviceFor(emulator);
    const account = await signInWithDeviceCode(service, emulator, ADELE.username);
    await service.getAccessToken({ forceRefresh: true });
    const restore = advanceClock(2 * 3600_000);
    try {
      await service.getAccessToken();
    } finally {
      restore();
    }
    await service.signOut(account.id);
    assert.ok(service.log.lines.some((l) => l.startsWith('[trace]')), 'trace-level lines were captured');
    assertNoSecretsIn(service.log, emulator);
  });
});
