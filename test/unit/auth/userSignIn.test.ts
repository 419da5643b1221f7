import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import { UserCancelledError } from '../../../src/common/errors';
import type { IdentityEmulator } from '../../emulator/identity/identityEmulator';
import { ADELE, GRAPH_CLI_CLIENT_ID, MEGAN } from '../../emulator/identity/directory';
import { visitAuthorizeUrl, type BrowserVisit } from '../../emulator/identity/testBrowser';
import { eventually as eventuallyAsync } from '../../support/eventually';
import {
  TEST_GRAPH_ROOT, assertNoSecretsIn, eventually, rejectsWith, serviceFor, signInWithDeviceCode, startEmulator, testTls, tokenRequests,
} from './fixtures';

/** The system browser, mocked at the edge: follows the URL and posts the form back like a real one. */
function testBrowser(visits: BrowserVisit[] = []) {
  return async (url: string) => {
    // MSAL awaits openBrowser before it waits for the redirect, like env.openExternal resolving once the tab opens.
    void visitAuthorizeUrl(url, testTls().caCert).then((visit) => visits.push(visit));
  };
}

function portIsClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(true));
  });
}

describe('User sign-in with real MSAL against the identity emulator', () => {
  let emulator: IdentityEmulator;

  beforeEach(async () => {
    emulator = await startEmulator();
  });
  afterEach(async () => {
    await emulator.stop();
  });

  describe('device code', () => {
    it('shows the code, waits for the user to approve it, and yields a Graph token for the active account', async () => {
      const service = serviceFor(emulator);
      let prompt: { userCode: string; verificationUri: string } | undefined;
      const signIn = service.signInWithDeviceCode({ onDeviceCode: (p) => (prompt = p) });
      const shown = await eventually(() => prompt, 'the device code prompt');
      assert.equal(shown.verificationUri, emulator.deviceLoginUrl);
      assert.match(shown.verificationUri, /^http:\/\/127\.0\.0\.1:\d+\/devicelogin$/, 'a plain-http loopback page, which code-server\'s port proxy can reach');
      await eventually(() => tokenRequests(emulator, 'device_code') >= 1, 'MSAL to poll while the code is pending');

      emulator.approveDeviceCode(shown.userCode, ADELE.username);
      const account = await signIn;
      assert.equal(account.label, ADELE.username);
      assert.equal(service.activeAccount?.id, account.id);

      const token = await service.getAccessToken();
      const info = emulator.isValidAccessToken(token, { audience: TEST_GRAPH_ROOT });
      assert.ok(info, 'the Graph side accepts the token');
      assert.equal(info.username, ADELE.username);
      assert.deepEqual(info.scopes, ['DeviceManagementServiceConfig.ReadWrite.All']);
      assertNoSecretsIn(service.log, emulator);
    });

    it('keeps polling after slow_down, waiting longer, and still signs in', async () => {
      const service = serviceFor(emulator);
      emulator.slowDownNextPolls(2);
      let code: string | undefined;
      const signIn = service.signInWithDeviceCode({ onDeviceCode: (p) => (code = p.userCode) });
      await eventually(() => tokenRequests(emulator, 'device_code') >= 3, 'two slow_down answers and another poll', 15_000);
      emulator.approveDeviceCode(code!, ADELE.username);
      const account = await signIn;
      assert.equal(account.label, ADELE.username);
      assert.match(service.log.text(), /poll more slowly/);
    });

    it('says the device code expired, and how long the next one lasts, when nobody entered it in time', async () => {
      await emulator.stop();
      emulator = await startEmulator({ deviceCodeLifetimeSeconds: 2 });
      const service = serviceFor(emulator);
      await rejectsWith(service.signInWithDeviceCode({ onDeviceCode: () => undefined }), 'deviceCodeExpired', /device code expired.*run Autopilot: Sign In again/);
      assert.equal(service.activeAccount, undefined);
      assertNoSecretsIn(service.log, emulator);
    });

    it('says the sign-in was declined when the user cancels on the device login page', async () => {
      const service = serviceFor(emulator);
      let code: string | undefined;
      const signIn = service.signInWithDeviceCode({ onDeviceCode: (p) => (code = p.userCode) });
      emulator.declineDeviceCode(await eventually(() => code, 'the code'));
      await rejectsWith(signIn, 'deviceCodeDeclined', /declined/);
    });

    it('stops polling at once when the user cancels in VS Code, without an error message', async () => {
      const service = serviceFor(emulator);
      const controller = new AbortController();
      let code: string | undefined;
      const signIn = service.signInWithDeviceCode({ onDeviceCode: (p) => (code = p.userCode), signal: controller.signal });
      await eventually(() => code, 'the code');
      controller.abort();
      await assert.rejects(signIn, UserCancelledError);
      const polls = tokenRequests(emulator, 'device_code');
      // MSAL's own promise settles when its polling loop ends: waited for, not a time.
      await eventually(() => service.log.lines.some((line) => line.includes('Device code sign-in: polling stopped.')), 'MSAL to stop polling');
      assert.ok(tokenRequests(emulator, 'device_code') <= polls + 1, 'polling continued after cancellation');
      assert.equal(service.accounts.length, 0);
    });

    it('explains AADSTS700016 when the client id is not an app in the tenant', async () => {
      const service = serviceFor(emulator, { clientId: '00000000-0000-4000-8000-0000000000aa' });
      let shown = false;
      await rejectsWith(
        service.signInWithDeviceCode({ onDeviceCode: () => (shown = true) }),
        'unknownApp',
        /00000000-0000-4000-8000-0000000000aa is not registered.*AADSTS700016.*autopilot\.auth\.clientId/,
      );
      assert.equal(shown, false, 'no code is shown when Entra issued none');
    });

    it('explains AADSTS7000218 when the app does not allow public client flows', async () => {
      emulator.updateApp(GRAPH_CLI_CLIENT_ID, { allowPublicClientFlows: false });
      const service = serviceFor(emulator);
      await rejectsWith(signInWithDeviceCode(service, emulator, ADELE.username), 'publicClientFlowsOff', /Allow public client flows.*AADSTS7000218|AADSTS7000218.*Allow public client flows/);
    });

    it('explains AADSTS65001 when the tenant never consented to the Intune permission', async () => {
      emulator.updateApp(GRAPH_CLI_CLIENT_ID, { delegatedPermissions: [] });
      const service = serviceFor(emulator);
      await rejectsWith(signInWithDeviceCode(service, emulator, ADELE.username), 'consentMissing', /AADSTS65001.*admin consent/);
      assertNoSecretsIn(service.log, emulator);
    });

    it('explains AADSTS50020 when the account is not in the chosen tenant', async () => {
      const service = serviceFor(emulator, { tenantId: 'contoso.onmicrosoft.com' });
      await rejectsWith(signInWithDeviceCode(service, emulator, MEGAN.username), 'userNotInTenant', /AADSTS50020/);
    });
  });

  describe('interactive (system browser, loopback redirect)', () => {
    it('opens the authorize URL, receives the code on the loopback, redeems it with PKCE and signs in', async () => {
      const service = serviceFor(emulator);
      const visits: BrowserVisit[] = [];
      let opened: URL | undefined;
      const browser = testBrowser(visits);
      const account = await service.signInInteractive({
        timeoutMs: 30_000,
        openBrowser: async (url) => {
          opened = new URL(url);
          await browser(url);
        },
      });
      assert.equal(account.label, ADELE.username);
      assert.ok(opened);
      assert.equal(opened.origin, emulator.origin);
      assert.equal(opened.searchParams.get('code_challenge_method'), 'S256');
      assert.equal(opened.searchParams.get('response_mode'), 'form_post');
      assert.match(opened.searchParams.get('redirect_uri') ?? '', /^http:\/\/localhost:\d+$/);
      await eventually(() => visits.length === 1, 'the browser to finish');
      assert.match(visits[0]!.redirectPage ?? '', /You are signed in to Autopilot Devices/);
      assert.ok(emulator.isValidAccessToken(await service.getAccessToken(), { audience: TEST_GRAPH_ROOT }));
      assertNoSecretsIn(service.log, emulator);
      const port = Number(new URL(opened.searchParams.get('redirect_uri')!).port);
      assert.ok(await portIsClosed(port), 'the loopback listener is closed after sign-in');
    });

    it('says so when the user cancels in the browser', async () => {
      emulator.browser.decision = 'cancel';
      const service = serviceFor(emulator);
      await rejectsWith(service.signInInteractive({ timeoutMs: 30_000, openBrowser: testBrowser() }), 'browserCancelled', /cancelled in the browser/);
      assert.equal(service.activeAccount, undefined);
    });

    it('stops silently and frees the loopback port when the user cancels the progress in VS Code', async () => {
      const service = serviceFor(emulator);
      const controller = new AbortController();
      let redirect: URL | undefined;
      const signIn = service.signInInteractive({
        timeoutMs: 30_000,
        signal: controller.signal,
        openBrowser: async (url) => void (redirect = new URL(new URL(url).searchParams.get('redirect_uri')!)),
      });
      await eventually(() => redirect, 'the browser to be opened');
      controller.abort();
      await assert.rejects(signIn, UserCancelledError);
      await eventuallyAsync('the loopback port to be closed', () => portIsClosed(Number(redirect!.port)));
    });

    it('shows the AADSTS50011 page in the browser and, after the time limit, says how to fix the redirect URI', async () => {
      emulator.updateApp(GRAPH_CLI_CLIENT_ID, { redirectUris: ['https://vscode.dev/redirect'] });
      const service = serviceFor(emulator);
      const visits: BrowserVisit[] = [];
      await rejectsWith(service.signInInteractive({ timeoutMs: 1_500, openBrowser: testBrowser(visits) }), 'browserTimedOut', /did not finish in the browser.*device code/);
      assert.equal(visits[0]?.authorizeStatus, 400);
      assert.match(visits[0]!.authorizePage, /AADSTS50011: The redirect URI (&#39;|')http:\/\/localhost:\d+(&#39;|') specified in the request does not match/);
    });

    it('explains AADSTS65001 when consent is missing', async () => {
      emulator.updateApp(GRAPH_CLI_CLIENT_ID, { delegatedPermissions: [] });
      const service = serviceFor(emulator);
      await rejectsWith(service.signInInteractive({ timeoutMs: 30_000, openBrowser: testBrowser() }), 'consentMissing', /AADSTS65001/);
    });
  });

  describe('reaching Entra ID', () => {
    it('says the sign-in service is unreachable when nothing answers at the authority', async () => {
      const service = serviceFor(emulator);
      await emulator.stop();
      await rejectsWith(service.signInWithDeviceCode({ onDeviceCode: () => undefined }), 'unreachable', /Could not reach the sign-in service at https:\/\/127\.0\.0\.1:\d+/);
      emulator = await startEmulator();
    });

    it('says the service is unavailable on a 503 from the token endpoint', async () => {
      const service = serviceFor(emulator);
      const account = await signInWithDeviceCode(service, emulator, ADELE.username);
      assert.ok(account);
      emulator.failNextTokenRequests(5, 503);
      await rejectsWith(service.getToken(undefined, { forceRefresh: true }), 'unavailable', /temporarily unavailable/);
    });
  });
});
