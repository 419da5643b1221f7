import * as assert from 'node:assert/strict';
import { AuthFailure, describeAuthError, graphForbidden, graphForbiddenMessage, type AuthErrorContext } from '../../../src/auth/authErrors';
import { loadMsal } from '../../../src/auth/msalRuntime';
import { UserCancelledError } from '../../../src/common/errors';
import { resolveCloud } from '../../../src/graph/clouds';
import { captureLog } from './fixtures';

const context: AuthErrorContext = {
  clientId: '14d82eec-204b-4c2f-b7e8-296a70dab67e',
  tenantId: 'contoso.onmicrosoft.com',
  endpoints: resolveCloud({ cloud: 'global' }),
  kind: 'user',
};

describe('Sign-in errors in one sentence', () => {
  it('turns a 403 from Graph into the missing-permission sentence, for users and for apps', () => {
    assert.match(graphForbiddenMessage('user'), /^Microsoft Graph refused the request \(403\): .*DeviceManagementServiceConfig\.ReadWrite\.All.*sign in again\.$/);
    assert.match(graphForbiddenMessage('app'), /application permission DeviceManagementServiceConfig\.ReadWrite\.All with admin consent/);
    const failure = graphForbidden('user', new Error('403 Forbidden'));
    assert.equal(failure.reason, 'forbidden');
    assert.equal(failure.message, graphForbiddenMessage('user'));
  });

  it('reads the AADSTS code of a real MSAL ServerError (AADSTS50011 from a redirect)', async () => {
    const msal = await loadMsal();
    const error = new msal.ServerError('invalid_request', 'correlation', 'AADSTS50011: The redirect URI specified in the request does not match.', undefined, '50011');
    const log = captureLog();
    const described = describeAuthError(error, context, log);
    assert.ok(described instanceof AuthFailure);
    assert.equal(described.reason, 'redirectUriMismatch');
    assert.match(described.message, /http:\/\/localhost.*AADSTS50011.*Mobile and desktop applications/);
    assert.equal(described.cause, error);
    assert.match(log.text(), /Sign-in failed \(redirectUriMismatch\).*AADSTS50011/);
  });

  it("says to register an app when Microsoft's public app is unknown in the China cloud (21Vianet)", () => {
    const unknownApp = { errorCode: 'invalid_client', errorMessage: "AADSTS700016: Application with identifier '14d82eec-204b-4c2f-b7e8-296a70dab67e' was not found in the directory." };
    const china = describeAuthError(unknownApp, { ...context, endpoints: resolveCloud({ cloud: 'china' }) }, captureLog());
    assert.equal(
      china.message,
      "Microsoft's public app 14d82eec-204b-4c2f-b7e8-296a70dab67e does not exist in the China cloud (21Vianet) (AADSTS700016): register an app in your 21Vianet tenant and set autopilot.auth.clientId to its Application (client) ID.",
    );
    // With an app of one's own, or in another cloud, the tenant or the client id is what to check.
    const ownApp = describeAuthError(unknownApp, { ...context, clientId: '0b8e6a3c-1111-4222-8333-944455556666', endpoints: resolveCloud({ cloud: 'china' }) }, captureLog());
    assert.match(ownApp.message, /is not registered in tenant contoso\.onmicrosoft\.com \(AADSTS700016\): check autopilot\.auth\.clientId/);
    assert.match(describeAuthError(unknownApp, context, captureLog()).message, /is not registered in tenant/);
  });

  it('passes cancellation through untouched, so it is never shown', () => {
    const cancelled = new UserCancelledError();
    assert.equal(describeAuthError(cancelled, context, captureLog()), cancelled);
  });

  it('falls back to a sentence that points at the log for anything unknown', () => {
    const described = describeAuthError(new Error('something odd'), context, captureLog());
    assert.match(described.message, /^Sign-in failed: see the Autopilot log/);
  });

  it('gives every reason a message on one line that ends with what to do', () => {
    const reasons = [65001, 50011, 700016, 7000215, 7000218, 700027, 90002, 50020, 500011, 65004, 70020, 700082];
    for (const code of reasons) {
      const message = describeAuthError({ errorCode: 'invalid_grant', errorMessage: `AADSTS${code}: …` }, context, captureLog()).message;
      assert.ok(!message.includes('\n'), message);
      assert.match(message, /: [^:]+\.$|again\.$/, `AADSTS${code}: ${message}`);
      assert.doesNotMatch(message, /^Sign-in failed: see/, `AADSTS${code} has no specific sentence`);
    }
  });
});
