/**
 * The Autopilot Devices view through the UI a user sees (packaged VSIX in code-server, a sandbox tenant with a fleet of
 * registered devices in this process): devices by group tag with profile status, the filter, and a delete through its
 * plan and confirmation; and the screenshot the README uses.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { ADELE, CONTOSO } from '../emulator/identity/directory';
import { testTlsFromEnvironment } from '../emulator/identity/testTls';
import { startSandboxTenant, type SandboxTenant } from '../emulator/sandboxTenant';
import { uiSession } from './uiSession';
import { clickContextMenuItem, openActivity, openContextMenu, openWorkbench, runCommand, screenshot, sideBarRow, signInWithDeviceCode } from './workbench';

describe('Autopilot Devices UI (packaged VSIX in code-server, sandbox tenant with 300 devices)', () => {
  let page: Page;
  let sandbox: SandboxTenant;
  let settingsFile: string;
  let originalSettings: string;

  async function fold(title: string): Promise<void> {
    const header = page.locator('.sidebar .pane-header', { hasText: title }).first();
    await header.waitFor({ timeout: 30_000 });
    if ((await header.getAttribute('aria-expanded')) !== 'false') await header.click({ position: { x: 10, y: 10 } });
  }

  before(async () => {
    sandbox = await startSandboxTenant({ tls: testTlsFromEnvironment(), identity: { deviceCodePollIntervalSeconds: 1 }, fleet: 300 });
    settingsFile = path.join(uiSession().server.userDataDir, 'User', 'settings.json');
    originalSettings = fs.readFileSync(settingsFile, 'utf8');
    fs.writeFileSync(
      settingsFile,
      JSON.stringify(
        {
          ...JSON.parse(originalSettings),
          'autopilot.cloud': 'custom',
          'autopilot.authority': sandbox.identity.authorityHost,
          'autopilot.graphRoot': sandbox.graph.url,
          'workbench.tree.indent': 12,
          'workbench.secondarySideBar.defaultVisibility': 'hidden',
        },
        null,
        2,
      ),
    );
    page = await openWorkbench(uiSession().freshWorkspace('ui-devices'));
    await signInWithDeviceCode(page, sandbox.identity, ADELE.username);
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await screenshot(page, `failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  after(async () => {
    if (page) {
      await page.keyboard.press('Escape');
      await runCommand(page, 'Autopilot: Sign Out').catch(() => undefined);
      await page.close();
    }
    if (settingsFile) fs.writeFileSync(settingsFile, originalSettings);
    await sandbox?.close();
  });

  it('lists the registered devices by group tag, with model, user, enrollment and profile status', async () => {
    await openActivity(page, 'Autopilot');
    await fold('Recent Imports');
    await fold('Corporate Identifiers');
    const header = page.locator('.sidebar .pane-header', { hasText: 'Autopilot Devices' }).first();
    await header.waitFor({ timeout: 30_000 });
    if ((await header.getAttribute('aria-expanded')) === 'false') await header.click({ position: { x: 10, y: 10 } });
    for (const tag of ['Engineering', 'Finance', 'Kiosk', 'Sales']) await sideBarRow(page, tag).waitFor({ timeout: 30_000 });
    await sideBarRow(page, 'Sales').click();
    const salesDevice = page.locator('.sidebar .monaco-list-row', { hasText: 'profile assigned' }).first();
    await salesDevice.waitFor({ timeout: 30_000 });
    assert.match(await salesDevice.innerText(), /HP EliteBook 840 G10.*profile assigned/s);
    const file = await screenshot(page, 'autopilot-devices');
    assert.ok(fs.statSync(file).size > 10_000, 'the screenshot is suspiciously small');
    await screenshot(page, 'readme-autopilot-devices', { x: 0, y: 38, width: 605, height: 320 });
  });

  it('filters the list by group tag from the view title, and deletes a device after a confirmation that says what it does not do', async () => {
    await runCommand(page, 'Autopilot: Filter Autopilot Devices…');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 30_000 });
    await input.fill('tag:kiosk');
    await page.keyboard.press('Enter');
    await page.locator('.sidebar .pane-header', { hasText: 'match "tag:kiosk"' }).waitFor({ timeout: 30_000 });
    await sideBarRow(page, 'Sales').waitFor({ state: 'detached', timeout: 30_000 });
    await sideBarRow(page, 'Kiosk').click();
    const kiosk = [...sandbox.graph.state.tenant(CONTOSO.id).registered.values()].filter((device) => device.groupTag === 'Kiosk' && !device.managedDeviceId).sort((a, b) => a.serialNumber.localeCompare(b.serialNumber));
    const row = sideBarRow(page, kiosk[0]!.serialNumber);
    await row.waitFor({ timeout: 30_000 });
    const menu = await openContextMenu(page, row);
    for (const entry of ['Edit…', 'Add to Entra Group…', 'Write Corporate Identifiers…', 'Delete Autopilot Registration…', 'Retire…']) assert.ok(menu.includes(entry), `${entry} in ${menu.join(' | ')}`);
    await clickContextMenuItem(page, 'Delete Autopilot Registration…');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 });
    const question = await dialog.innerText();
    assert.match(question, /Delete 1 Autopilot device registrations\?/);
    assert.match(question, /does not wipe or retire them/);
    await screenshot(page, 'delete-devices-plan');
    await dialog.locator('.monaco-button', { hasText: 'Delete' }).first().click();
    await row.waitFor({ state: 'detached', timeout: 30_000 });
    assert.ok(sandbox.graph.state.tenant(CONTOSO.id).registered.get(kiosk[0]!.id)?.deletedAt !== undefined);
  });
});
