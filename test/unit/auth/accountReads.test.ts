import * as assert from 'node:assert/strict';
import { APP_CREDENTIALS_KEY } from '../../../src/auth/authService';
import { MemorySecretStore } from '../../../src/auth/secretStore';
import type { IdentityEmulator } from '../../emulator/identity/identityEmulator';
import { ADELE } from '../../emulator/identity/directory';
import { eventually, serviceFor, signInWithDeviceCode, startEmulator } from './fixtures';

/**
 * A secret store whose next read of one key waits until released, answering what the key held when it was asked:
 * the OS keychain answering slowly while another window's change is being read.
 */
class SlowKeychain extends MemorySecretStore {
  private held: { key: string; reads: number; release?: () => void; released: Promise<void> } | undefined;

  holdNextRead(key: string): () => void {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.held = { key, reads: 0, release, released };
    return release;
  }

  get waiting(): boolean {
    return (this.held?.reads ?? 0) > 0;
  }

  override async get(key: string): Promise<string | undefined> {
    const answer = await super.get(key);
    const held = this.held;
    if (held?.key === key && held.reads === 0) {
      held.reads++;
      await held.released;
    }
    return answer;
  }
}

describe('Reading the signed-in accounts', () => {
  let emulator: IdentityEmulator;

  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(async () => {
    await emulator.stop();
  });

  it('keeps the account a sign-in stored when a read of the accounts begun before the sign-in answers after it', async () => {
    const keychain = new SlowKeychain();
    const service = serviceFor(emulator, { secrets: keychain });
    await service.reload();
    assert.equal(service.accounts.length, 0);

    // Another window changed a secret: this window starts reading the accounts, and the keychain is slow to answer.
    const release = keychain.holdNextRead(APP_CREDENTIALS_KEY);
    const staleRead = service.reload();
    await eventually(() => keychain.waiting, 'the read of the accounts to wait on the keychain');

    // Meanwhile the user signs in here. Where reads run side by side, the sign-in ends without waiting for the slow
    // read, whose answer then comes last, after the sign-in's own read (as when the race was seen): the answer comes
    // when the sign-in ends. Where reads run in order, the sign-in waits for the slow read and nothing shows until it
    // is answered: then the answer comes a while after the tokens are stored. That while only frees the sign-in; the
    // outcome checked below does not depend on its length.
    let fallback: NodeJS.Timeout | undefined;
    const stored = keychain.onDidChange((key) => {
      if (key !== APP_CREDENTIALS_KEY) fallback ??= setTimeout(release, 1000);
    });
    const signIn = signInWithDeviceCode(service, emulator, ADELE.username);
    void signIn.then(release, release);
    const account = await signIn;
    await staleRead;
    clearTimeout(fallback);
    stored.dispose();

    assert.equal(account.label, ADELE.username);
    assert.deepEqual(service.accounts.map((known) => known.label), [ADELE.username], 'the earlier, slower read did not hide the new account');
    assert.equal(service.activeAccount?.label, ADELE.username);
  });
});
