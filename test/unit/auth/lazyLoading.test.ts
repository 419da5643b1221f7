import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { redactSecrets } from '../../../src/auth/msalRuntime';

const out = path.resolve(__dirname, '..', '..', '..', 'src');

describe('MSAL loads on first use', () => {
  it('is not loaded to list accounts, choose one, or report that nobody is signed in', () => {
    const script = `
      const { AuthService } = require(${JSON.stringify(path.join(out, 'auth/authService.js'))});
      const { MemorySecretStore } = require(${JSON.stringify(path.join(out, 'auth/secretStore.js'))});
      const { resolveCloud } = require(${JSON.stringify(path.join(out, 'graph/clouds.js'))});
      const { silentLogger } = require(${JSON.stringify(path.join(out, 'common/logger.js'))});
      const service = new AuthService({
        settings: { endpoints: resolveCloud({ cloud: 'global' }), clientId: 'c', tenantId: 'organizations' },
        secrets: new MemorySecretStore(), log: silentLogger, memory: { get: () => undefined, set: () => undefined },
      });
      (async () => {
        await service.reload();
        const loadedBefore = Object.keys(require.cache).some((file) => file.includes('msal-node'));
        const error = await service.getAccessToken().catch((e) => e.message);
        const loadedAfter = Object.keys(require.cache).some((file) => file.includes('msal-node'));
        process.stdout.write(JSON.stringify({ accounts: service.accounts.length, loadedBefore, loadedAfter, error }));
      })();`;
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const report = JSON.parse(result.stdout) as { accounts: number; loadedBefore: boolean; loadedAfter: boolean; error: string };
    assert.deepEqual(report, { accounts: 0, loadedBefore: false, loadedAfter: false, error: 'You are not signed in: run Autopilot: Sign In first.' });
  });
});

describe('MSAL log lines', () => {
  it('mask anything shaped like a token', () => {
    const jwt = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
    const opaque = 'rt.' + 'A'.repeat(80);
    assert.equal(redactSecrets(`token ${jwt} and ${opaque} end`), 'token [redacted] and rt.[redacted] end');
    assert.equal(redactSecrets('https://login.microsoftonline.com/organizations/oauth2/v2.0/token'), 'https://login.microsoftonline.com/organizations/oauth2/v2.0/token');
  });
});
