import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { startIdentityEmulator, type IdentityEmulator } from '../emulator/identity/identityEmulator';
import { ADELE, CONTOSO, confidentialApp } from '../emulator/identity/directory';
import { testTlsFromEnvironment } from '../emulator/identity/testTls';
import { uiSession } from './uiSession';
import { openActivity, openWorkbench, pickQuickPickItem, runCommand, screenshot } from './workbench';

/** The user's browser on another device: enters the code on the emulator's device-login page. */
async function enterCodeAtDeviceLogin(emulator: IdentityEmulator, userCode: string): Promise<string> {
  const response = await fetch(emulator.deviceLoginUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ user_code: userCode, username: ADELE.username, action: 'approve' }).toString(),
  });
  return response.text();
}

describe('Sign-in UI (packaged VSIX in code-server, emulated Entra ID)', () => {
  let page: Page;
  let emulator: IdentityEmulator;
  let settingsFile: string;
  let originalSettings: string;

  before(async () => {
    emulator = await startIdentityEmulator({ tls: testTlsFromEnvironment(), deviceCodePollIntervalSeconds: 1 });
    // What a user does for a private cloud: point the application-scoped settings at it in the user settings.
    settingsFile = path.join(uiSession().server.userDataDir, 'User', 'settings.json');
    originalSettings = fs.readFileSync(settingsFile, 'utf8');
    fs.writeFileSync(
      settingsFile,
      JSON.stringify(
        { ...JSON.parse(originalSettings), 'autopilot.cloud': 'custom', 'autopilot.authority': emulator.authorityHost, 'autopilot.graphRoot': 'https://graph.emulator.test' },
        null,
        2,
      ),
    );
    page = await openWorkbench(uiSession().freshWorkspace('ui-sign-in'));
  });

  after(async () => {
    await page?.close();
    if (settingsFile) fs.writeFileSync(settingsFile, originalSettings);
    await emulator?.stop();
  });

  it('offers Sign In in the welcome view, signs in with a device code, and shows the account in the status bar', async () => {
    await openActivity(page, 'Autopilot');
    const welcome = page.locator('.welcome-view-content', { hasText: 'Sign in to Microsoft Intune to import Autopilot devices' });
    await welcome.waitFor({ timeout: 30_000 });
    await page.locator('.statusbar-item', { hasText: 'Sign in to Intune' }).waitFor({ timeout: 30_000 });

    await runCommand(page, 'Autopilot: Sign In');
    await pickQuickPickItem(page, 'Sign in with a device code');

    // The code reaches the user in one notification (toasts go to the notification centre in this test mode), with
    // "Copy code and open" and Cancel, and that notification ends with the sign-in.
    await runCommand(page, 'Notifications: Show Notifications');
    const codeNotifications = page.locator('.notifications-center .notification-list-item', { hasText: 'enter the code' });
    await codeNotifications.first().waitFor({ timeout: 30_000 });
    assert.equal(await codeNotifications.count(), 1, 'the code is shown once');
    const notification = codeNotifications.first();
    const match = /enter the code (\w+) at (\S+?)\.(\s|$)/.exec(await notification.innerText());
    assert.ok(match, `the notification shows the code and where to enter it: ${await notification.innerText()}`);
    assert.equal(match[2], emulator.deviceLoginUrl);
    assert.ok(await notification.locator('a', { hasText: 'Copy code and open' }).count(), 'the notification offers "Copy code and open"');
    await screenshot(page, 'sign-in-device-code');

    assert.match(await enterCodeAtDeviceLogin(emulator, match[1]!), /You&#39;re signed in|You're signed in/);

    const account = page.locator('.statusbar-item', { hasText: ADELE.username });
    await account.waitFor({ timeout: 30_000 });
    await welcome.waitFor({ state: 'hidden', timeout: 30_000 });
    await codeNotifications.first().waitFor({ state: 'detached', timeout: 30_000 });
    // The sign-in names the tenant by its verified domain, not its id.
    await page.locator('.notifications-center .notification-list-item', { hasText: `Signed in to Microsoft Intune as ${ADELE.username} (tenant ${CONTOSO.domain})` }).waitFor({ timeout: 30_000 });
    await page.keyboard.press('Escape');
    const file = await screenshot(page, 'signed-in-status-bar');
    assert.ok(fs.statSync(file).size > 10_000, 'the screenshot is suspiciously small');

    await runCommand(page, 'Autopilot: Sign Out');
    await page.locator('.statusbar-item', { hasText: 'Sign in to Intune' }).waitFor({ timeout: 30_000 });
  });

  it('signs in as an app with a client secret typed into a password box', async () => {
    const secret = 'ui~test.secret-Value_0123456789';
    const app = emulator.addApp(confidentialApp({ secrets: [secret] }));
    await runCommand(page, 'Autopilot: Sign In');
    await pickQuickPickItem(page, 'Sign in as an app with a client secret');

    const input = page.locator('.quick-input-widget input');
    const answer = async (value: string) => {
      await input.fill(value);
      await page.keyboard.press('Enter');
    };
    await page.locator('.quick-input-widget', { hasText: 'application (client) ID' }).waitFor({ timeout: 30_000 });
    await answer(app.clientId);
    await page.locator('.quick-input-widget', { hasText: 'tenant ID or a verified domain' }).waitFor({ timeout: 30_000 });
    await answer(CONTOSO.domain);
    await page.locator('.quick-input-widget', { hasText: "secret's Value" }).waitFor({ timeout: 30_000 });
    assert.equal(await input.getAttribute('type'), 'password', 'the secret is typed into a password box');
    await answer(secret);

    await page.locator('.statusbar-item', { hasText: `App ${app.clientId}` }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'signed-in-as-app');
    await runCommand(page, 'Autopilot: Sign Out');
    await page.locator('.statusbar-item', { hasText: 'Sign in to Intune' }).waitFor({ timeout: 30_000 });
  });
});
