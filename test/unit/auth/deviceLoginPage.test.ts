import * as assert from 'node:assert/strict';
import type { IdentityEmulator } from '../../emulator/identity/identityEmulator';
import { ADELE, MEGAN } from '../../emulator/identity/directory';
import { eventually, rejectsWith, serviceFor, startEmulator } from './fixtures';

interface Page {
  readonly status: number;
  readonly text: string;
}

async function open(url: string): Promise<Page> {
  const response = await fetch(url);
  assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
  return { status: response.status, text: await response.text() };
}

/** The form's action, resolved as a browser resolves it against the page's address. */
function formTarget(page: Page, pageUrl: string): URL {
  const action = /<form method="POST" action="([^"]+)"/.exec(page.text)?.[1];
  assert.ok(action, 'the page has a form');
  return new URL(action, pageUrl);
}

async function submit(url: URL | string, fields: Record<string, string>): Promise<Page> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString() });
  return { status: response.status, text: await response.text() };
}

describe('The device-login page of the identity emulator (what a user sees in the browser)', () => {
  let emulator: IdentityEmulator;

  beforeEach(async () => {
    emulator = await startEmulator({ deviceCodePollIntervalSeconds: 1 });
  });
  afterEach(async () => {
    await emulator.stop();
  });

  it('is a styled sign-in page on plain http, whose form also works behind a port proxy path', async () => {
    const page = await open(emulator.deviceLoginUrl);
    assert.equal(page.status, 200);
    assert.match(page.text, /<title>Enter code<\/title>/);
    assert.match(page.text, /<style>/, 'styled, not a bare form');
    assert.match(page.text, /name="user_code"[^>]*autofocus/, 'the code field has the focus');
    assert.match(page.text, new RegExp(`name="username" value="${ADELE.username.replace(/\./g, '\\.')}"`), 'the account is filled in');
    // code-server serves the page at /proxy/PORT/devicelogin: the form must post there, not to its own /devicelogin.
    assert.equal(formTarget(page, 'http://127.0.0.1:8080/proxy/41234/devicelogin').pathname, '/proxy/41234/devicelogin');
  });

  it('signs the user in with the code they type, in any case and with spaces, and says so', async () => {
    const service = serviceFor(emulator);
    let code: string | undefined;
    const signIn = service.signInWithDeviceCode({ onDeviceCode: (prompt) => (code = prompt.userCode) });
    const userCode = await eventually(() => code, 'the device code');

    const wrong = await submit(emulator.deviceLoginUrl, { user_code: 'NOTACODE', username: MEGAN.username, action: 'approve' });
    assert.equal(wrong.status, 400);
    assert.match(wrong.text, /id="problem"[^>]*>That code didn&#39;t work/);
    assert.match(wrong.text, /name="user_code" value="NOTACODE"/, 'what the user typed is kept');
    assert.match(wrong.text, new RegExp(`name="username" value="${MEGAN.username.replace(/\./g, '\\.')}"`));

    const typed = ` ${userCode.slice(0, 4).toLowerCase()} ${userCode.slice(4)} `;
    const done = await submit(formTarget(await open(emulator.deviceLoginUrl), emulator.deviceLoginUrl), { user_code: typed, username: ADELE.username, action: 'approve' });
    assert.equal(done.status, 200);
    assert.match(done.text, /id="signed-in"/);
    assert.match(done.text, /Microsoft Graph Command Line Tools/, 'names the app that asked');
    assert.match(done.text, /close this window/);
    assert.equal((await signIn).label, ADELE.username);

    const reused = await submit(emulator.deviceLoginUrl, { user_code: userCode, username: ADELE.username, action: 'approve' });
    assert.equal(reused.status, 400);
    assert.match(reused.text, /already used/);
  });

  it('declines the sign-in with Cancel, which the app reports as declined', async () => {
    const service = serviceFor(emulator);
    let code: string | undefined;
    const signIn = service.signInWithDeviceCode({ onDeviceCode: (prompt) => (code = prompt.userCode) });
    const page = await submit(emulator.deviceLoginUrl, { user_code: await eventually(() => code, 'the device code'), action: 'decline' });
    assert.equal(page.status, 200);
    assert.match(page.text, /id="declined"/);
    await rejectsWith(signIn, 'deviceCodeDeclined', /declined/);
  });

  it('refuses an unknown account and an expired code with a sentence on the page', async () => {
    await emulator.stop();
    emulator = await startEmulator({ deviceCodeLifetimeSeconds: 2, deviceCodePollIntervalSeconds: 1 });
    const service = serviceFor(emulator);
    let code: string | undefined;
    const signIn = service.signInWithDeviceCode({ onDeviceCode: (prompt) => (code = prompt.userCode) });
    const userCode = await eventually(() => code, 'the device code');
    const stranger = await submit(emulator.deviceLoginUrl, { user_code: userCode, username: 'nobody@contoso.onmicrosoft.com', action: 'approve' });
    assert.equal(stranger.status, 400);
    assert.match(stranger.text, /couldn&#39;t find an account/);
    await rejectsWith(signIn, 'deviceCodeExpired', /expired/);
    const late = await submit(emulator.deviceLoginUrl, { user_code: userCode, username: ADELE.username, action: 'approve' });
    assert.match(late.text, /That code has expired/);
  });
});
