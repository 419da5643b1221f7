import * as assert from 'node:assert/strict';
import { appOnlyScopes, authorityUrl, delegatedScopes, knownAuthorities } from '../../../src/auth/authConfig';
import { msalConfiguration } from '../../../src/auth/msalRuntime';
import { AuthNetworkClient } from '../../../src/auth/networkClient';
import { MemorySecretStore } from '../../../src/auth/secretStore';
import { silentLogger } from '../../../src/common/logger';
import { CLOUD_NAMES, resolveCloud } from '../../../src/graph/clouds';
import type { IdentityEmulator } from '../../emulator/identity/identityEmulator';
import { ADELE, MEGAN } from '../../emulator/identity/directory';
import { emulatorCloud, memoryOfActiveAccount, serviceFor, signInWithDeviceCode, startEmulator } from './fixtures';

describe('Clouds: authority, Graph root and scopes switch together', () => {
  const expected = {
    global: ['https://login.microsoftonline.com/organizations', 'https://graph.microsoft.com'],
    usgov: ['https://login.microsoftonline.us/organizations', 'https://graph.microsoft.us'],
    usgovdod: ['https://login.microsoftonline.us/organizations', 'https://dod-graph.microsoft.us'],
    china: ['https://login.chinacloudapi.cn/organizations', 'https://microsoftgraph.chinacloudapi.cn'],
  } as const;

  for (const [cloud, [authority, graphRoot]] of Object.entries(expected)) {
    it(`${cloud}: ${authority} issues tokens for ${graphRoot}, with no discovery of its own`, () => {
      const endpoints = resolveCloud({ cloud: cloud as keyof typeof expected });
      const configuration = msalConfiguration({
        clientId: 'c', tenantId: 'organizations', endpoints, log: silentLogger, network: new AuthNetworkClient({ log: silentLogger }),
      });
      assert.equal(configuration.auth.authority, authority);
      assert.deepEqual(configuration.auth.knownAuthorities, [], 'MSAL ships metadata for Microsoft clouds');
      assert.deepEqual(delegatedScopes(endpoints), [`${graphRoot}/DeviceManagementServiceConfig.ReadWrite.All`]);
      assert.deepEqual(appOnlyScopes(endpoints), [`${graphRoot}/.default`]);
    });
  }

  it('covers every cloud the settings offer', () => {
    assert.deepEqual([...Object.keys(expected), 'custom'].sort(), [...CLOUD_NAMES].sort());
  });

  it('custom: the authority host becomes a known authority, so MSAL asks no Microsoft host about it', () => {
    const endpoints = resolveCloud({ cloud: 'custom', authorityHost: 'https://login.sandbox.example:8443/', graphRoot: 'https://graph.sandbox.example' });
    assert.deepEqual(knownAuthorities(endpoints), ['login.sandbox.example:8443']);
    assert.equal(authorityUrl(endpoints, 'contoso.onmicrosoft.com'), 'https://login.sandbox.example:8443/contoso.onmicrosoft.com');
    assert.deepEqual(appOnlyScopes(endpoints), ['https://graph.sandbox.example/.default']);
  });

  it('refuses a plain-HTTP authority with a sentence naming the setting', () => {
    const endpoints = resolveCloud({ cloud: 'custom', authorityHost: 'http://login.sandbox.example', graphRoot: 'https://graph.sandbox.example' });
    assert.throws(
      () => msalConfiguration({ clientId: 'c', tenantId: 'organizations', endpoints, log: silentLogger, network: new AuthNetworkClient({ log: silentLogger }) }),
      /must use https:\/\//,
    );
  });

  describe('switching between two clouds (two emulators)', () => {
    let cloudA: IdentityEmulator;
    let cloudB: IdentityEmulator;

    beforeEach(async () => {
      [cloudA, cloudB] = await Promise.all([startEmulator(), startEmulator()]);
    });
    afterEach(async () => {
      await Promise.all([cloudA.stop(), cloudB.stop()]);
    });

    it('signs in to each cloud separately; each token comes from its own authority for its own Graph root', async () => {
      const secrets = new MemorySecretStore();
      const service = serviceFor(cloudA, { secrets, memory: memoryOfActiveAccount(), graphRoot: 'https://graph.cloud-a.test' });
      await signInWithDeviceCode(service, cloudA, ADELE.username);
      const tokenA = await service.getAccessToken();
      assert.ok(cloudA.isValidAccessToken(tokenA, { audience: 'https://graph.cloud-a.test' }));

      const settingsA = service.settings;
      await service.updateSettings({ ...settingsA, endpoints: emulatorCloud(cloudB, 'https://graph.cloud-b.test') });
      assert.equal(service.activeAccount, undefined, "cloud A's account is not offered in cloud B");
      const requestsToA = cloudA.requests.length;
      await signInWithDeviceCode(service, cloudB, MEGAN.username);
      const tokenB = await service.getAccessToken();
      assert.ok(cloudB.isValidAccessToken(tokenB, { audience: 'https://graph.cloud-b.test' }));
      assert.equal(cloudA.isValidAccessToken(tokenB, { audience: 'https://graph.cloud-b.test' }), undefined);
      assert.equal(cloudA.requests.length, requestsToA, 'nothing went to cloud A while cloud B was selected');

      await service.updateSettings(settingsA);
      assert.deepEqual(service.accounts.map((a) => a.label), [ADELE.username]);
      assert.equal(await service.getAccessToken(), tokenA);
      assert.ok(
        service.log.lines.every((line) => !/\b(GET|POST) https?:\/\//.test(line) || line.includes(cloudA.origin) || line.includes(cloudB.origin)),
        'MSAL called a host other than the two authorities',
      );
    });
  });
});
