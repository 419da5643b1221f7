/** Which credential the terminal command uses when several are set (SPEC section 6.4; README and --help say the same). */
import * as assert from 'node:assert/strict';
import { MissingCredentialsError, chooseCredential } from '../../../src/auth/environmentCredentials';
import { USAGE } from '../../../src/cli/args';

const FEDERATED = { AZURE_CLIENT_ID: 'fed-app', AZURE_TENANT_ID: 'contoso.onmicrosoft.com', AZURE_FEDERATED_TOKEN_FILE: '/var/run/token' };
const SECRET = { AUTOPILOT_CLIENT_ID: 'secret-app', AUTOPILOT_CLIENT_SECRET: 's3cret', AUTOPILOT_TENANT_ID: 'fabrikam.onmicrosoft.com' };

describe('Credential precedence of the terminal command', () => {
  it('takes AUTOPILOT_ACCESS_TOKEN before anything else', () => {
    assert.equal(chooseCredential({ AUTOPILOT_ACCESS_TOKEN: 'x', ...FEDERATED, ...SECRET, AUTOPILOT_MANAGED_IDENTITY: '1' }, { managedIdentity: true }).kind, 'access-token');
  });

  it('then workload identity federation, before a managed identity and a secret', () => {
    const choice = chooseCredential({ ...FEDERATED, ...SECRET }, { managedIdentity: true });
    assert.deepEqual(choice, { kind: 'federated', clientId: 'fed-app', tenantId: 'contoso.onmicrosoft.com', tokenFile: '/var/run/token', sources: ['AZURE_FEDERATED_TOKEN_FILE', 'AZURE_CLIENT_ID', 'AZURE_TENANT_ID'] });
  });

  it('federation: AUTOPILOT_FEDERATED_TOKEN_FILE first, AUTOPILOT_CLIENT_ID as a fall-back, --tenant over the variables', () => {
    const choice = chooseCredential({ AUTOPILOT_FEDERATED_TOKEN_FILE: '/ours', AZURE_FEDERATED_TOKEN_FILE: '/theirs', AUTOPILOT_CLIENT_ID: 'ours', AZURE_TENANT_ID: 't1' }, { tenant: 'flag-tenant' });
    assert.deepEqual([choice.tokenFile, choice.clientId, choice.tenantId, choice.sources], ['/ours', 'ours', 'flag-tenant', ['AUTOPILOT_FEDERATED_TOKEN_FILE', 'AUTOPILOT_CLIENT_ID', '--tenant']]);
  });

  it('then a managed identity, from the flag or AUTOPILOT_MANAGED_IDENTITY, system- or user-assigned', () => {
    assert.deepEqual(chooseCredential(SECRET, { managedIdentity: true }), { kind: 'managed-identity', sources: ['--managed-identity'] });
    assert.deepEqual(chooseCredential(SECRET, { managedIdentity: 'uami-client-id' }), { kind: 'managed-identity', clientId: 'uami-client-id', sources: ['--managed-identity'] });
    assert.deepEqual(chooseCredential({ ...SECRET, AUTOPILOT_MANAGED_IDENTITY: 'true' }), { kind: 'managed-identity', sources: ['AUTOPILOT_MANAGED_IDENTITY'] });
    assert.equal(chooseCredential({ ...SECRET, AUTOPILOT_MANAGED_IDENTITY: 'uami' }).clientId, 'uami');
    assert.equal(chooseCredential({ ...SECRET, AUTOPILOT_MANAGED_IDENTITY: '0' }).kind, 'client-secret', '0 turns it off');
  });

  it('then a client secret or certificate', () => {
    assert.deepEqual(chooseCredential(SECRET), { kind: 'client-secret', clientId: 'secret-app', tenantId: 'fabrikam.onmicrosoft.com', sources: ['AUTOPILOT_CLIENT_ID', 'AUTOPILOT_CLIENT_SECRET', 'AUTOPILOT_TENANT_ID'] });
    assert.equal(chooseCredential({ AUTOPILOT_CLIENT_ID: 'a', AUTOPILOT_CLIENT_CERTIFICATE: '/app.pem' }, { tenant: 't' }).kind, 'client-certificate');
  });

  it('names what is missing', () => {
    assert.throws(() => chooseCredential({}), MissingCredentialsError);
    assert.throws(() => chooseCredential({ AZURE_FEDERATED_TOKEN_FILE: '/t', AZURE_CLIENT_ID: 'a' }), /AZURE_FEDERATED_TOKEN_FILE is set but no tenant: set AZURE_TENANT_ID/);
  });

  it('is the order --help gives', () => {
    const order = ['1. AUTOPILOT_ACCESS_TOKEN', '2. workload identity federation', '3. managed identity', '4. AUTOPILOT_CLIENT_ID'].map((text) => USAGE.indexOf(text));
    assert.ok(order.every((at) => at > 0) && order.every((at, i) => i === 0 || at > order[i - 1]!), USAGE);
  });
});
