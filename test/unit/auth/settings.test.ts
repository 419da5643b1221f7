import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_CLIENT_ID, DEFAULT_TENANT } from '../../../src/auth/authConfig';
import { SettingsProblem } from '../../../src/auth/authService';
import type { IdentityEmulator } from '../../emulator/identity/identityEmulator';
import { ADELE } from '../../emulator/identity/directory';
import { emulatorCloud, rejectsWith, serviceFor, signInWithDeviceCode, startEmulator } from './fixtures';

const root = path.resolve(__dirname, '..', '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const properties: Record<string, { scope?: string; default?: unknown; enum?: unknown[] }> = manifest.contributes.configuration.properties;

describe('Sign-in settings and contributions', () => {
  it('gives every setting that decides where a token goes "scope": "application"', () => {
    const routing = ['autopilot.cloud', 'autopilot.graphRoot', 'autopilot.authority', 'autopilot.auth.clientId', 'autopilot.auth.tenantId', 'autopilot.auth.flow', 'autopilot.auth.certificatePath'];
    for (const key of routing) {
      assert.ok(properties[key], `${key} is not contributed`);
      assert.equal(properties[key].scope, 'application', `${key} can be set by a workspace`);
    }
    for (const key of Object.keys(properties).filter((k) => k.startsWith('autopilot.auth.'))) {
      assert.equal(properties[key]!.scope, 'application', `${key} can be set by a workspace`);
    }
  });

  it('defaults to Microsoft Graph Command Line Tools in the organizations tenant of the global cloud', () => {
    assert.equal(properties['autopilot.auth.clientId']!.default, DEFAULT_CLIENT_ID);
    assert.equal(DEFAULT_CLIENT_ID, '14d82eec-204b-4c2f-b7e8-296a70dab67e');
    assert.equal(properties['autopilot.auth.tenantId']!.default, DEFAULT_TENANT);
    assert.equal(properties['autopilot.cloud']!.default, 'global');
    assert.deepEqual(properties['autopilot.cloud']!.enum, ['global', 'usgov', 'usgovdod', 'china', 'custom']);
    assert.deepEqual(properties['autopilot.auth.flow']!.enum, ['ask', 'interactive', 'deviceCode', 'clientSecret', 'clientCertificate']);
  });

  it('contributes Sign In, Sign Out and Switch Account, and a signed-out welcome with a Sign In link', () => {
    const ids = manifest.contributes.commands.map((c: { command: string }) => c.command);
    for (const id of ['autopilot.signIn', 'autopilot.signOut', 'autopilot.selectAccount']) assert.ok(ids.includes(id), `${id} missing`);
    const nls = JSON.parse(fs.readFileSync(path.join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const signedOut = manifest.contributes.viewsWelcome.find((w: { view: string; when?: string }) => w.view === 'autopilot.imports' && w.when === '!autopilot.signedIn');
    assert.ok(signedOut, 'no signed-out welcome for autopilot.imports');
    assert.match(nls[signedOut.contents.replace(/%/g, '')]!, /\[Sign In\]\(command:autopilot\.signIn\)/);
  });

  describe('unusable settings', () => {
    let emulator: IdentityEmulator;
    beforeEach(async () => {
      emulator = await startEmulator();
    });
    afterEach(async () => {
      await emulator.stop();
    });

    it('stop sign-in and token requests with the problem, and offer the accounts again once fixed', async () => {
      const service = serviceFor(emulator);
      const good = service.settings;
      await signInWithDeviceCode(service, emulator, ADELE.username);
      const problem = new SettingsProblem('The custom cloud needs both autopilot.authority and autopilot.graphRoot: set them in your user settings.');
      await service.updateSettings(problem);
      assert.equal(service.settingsProblem, problem);
      assert.equal(service.activeAccount, undefined);
      await assert.rejects(service.getAccessToken(), /needs both autopilot\.authority and autopilot\.graphRoot/);
      await assert.rejects(service.signInWithDeviceCode({ onDeviceCode: () => undefined }), /needs both/);
      await service.updateSettings({ ...good, endpoints: emulatorCloud(emulator) });
      assert.deepEqual(service.accounts.map((a) => a.label), [ADELE.username]);
      assert.ok(await service.getAccessToken());
      await rejectsWith(
        service.signInApp({ clientId: 'c', tenantId: 'common', credential: { kind: 'secret', secret: 's' } }),
        'tenantNotFound',
        /needs a tenant id or domain/,
      );
    });
  });
});
