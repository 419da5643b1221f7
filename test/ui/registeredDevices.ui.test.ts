/**
 * The Autopilot Devices view through the UI a user sees (packaged VSIX in code-server, a sandbox tenant with a fleet of
 * registered devices in this process, the default window and side bar width): devices by group tag with profile status,
 * nothing cut; the filter; a delete through its plan and confirmation; an update from a file and an import, each
 * through its plan; and the screenshots the README uses.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { CONTOSO } from '../emulator/identity/directory';
import { fakeDevices } from '../emulator/hashes';
import type { RegisteredRecord } from '../emulator/state';
import { eventually } from '../support/eventually';
import type { SandboxTenant } from '../emulator/sandboxTenant';
import { openSandboxWorkbench, screenshotOnFailure, type SandboxWorkbench } from './sandboxWorkbench';
import { clickContextMenuItem, cutTextInSideBar, openActivity, openContextMenu, runCommand, screenshot, sideBarRow } from './workbench';

describe('Autopilot Devices UI (packaged VSIX in code-server, sandbox tenant with 300 devices)', () => {
  let page: Page;
  let sandbox: SandboxTenant;
  let workbench: SandboxWorkbench;
  const kioskDevices = () =>
    [...sandbox.graph.state.tenant(CONTOSO.id).registered.values()].filter((device) => device.groupTag === 'Kiosk' && !device.managedDeviceId && device.deletedAt === undefined).sort((a, b) => a.serialNumber.localeCompare(b.serialNumber));
  const fresh = fakeDevices(2, 'PF0NEW');
  let registeredHere: RegisteredRecord;
  let retagged: RegisteredRecord[];

  /** A picture of the open dialog with a margin of the workbench around it (for the README). */
  async function dialogScreenshot(name: string): Promise<void> {
    const box = (await page.locator('.monaco-dialog-box').boundingBox())!;
    await screenshot(page, name, { x: Math.max(0, box.x - 16), y: Math.max(0, box.y - 16), width: box.width + 32, height: box.height + 32 });
  }

  async function fold(title: string): Promise<void> {
    const header = page.locator('.sidebar .pane-header', { hasText: title }).first();
    await header.waitFor({ timeout: 30_000 });
    if ((await header.getAttribute('aria-expanded')) !== 'false') await header.click({ position: { x: 10, y: 10 } });
  }

  before(async () => {
    workbench = await openSandboxWorkbench({
      tenant: { fleet: 300 },
      settings: { 'autopilot.import.askForGroupTag': false, 'workbench.tree.indent': 12 },
      workspace: 'ui-devices',
      prepare: (folder, tenant) => {
        sandbox = tenant;
        // An update file (two Kiosk devices move to Sales, one serial is unknown) and a hardware-hash file whose third
        // device is registered here already.
        retagged = kioskDevices().slice(5, 7);
        const [first, second] = retagged;
        fs.writeFileSync(path.join(folder, 'retag.csv'), ['Serial Number,Group Tag,Display Name', `${first!.serialNumber},Sales,`, `${second!.serialNumber},Sales,`, 'PF0GONE1,Sales,', ''].join('\r\n'));
        registeredHere = kioskDevices()[8]!;
        fs.writeFileSync(
          path.join(folder, 'arrivals.csv'),
          ['Device Serial Number,Windows Product ID,Hardware Hash', ...fresh.map((device) => `${device.serialNumber},,${device.hardwareIdentifier}`), `${registeredHere.serialNumber},,${fakeDevices(1, 'PF0OLD')[0]!.hardwareIdentifier}`, ''].join('\r\n'),
        );
      },
    });
    page = workbench.page;
  });

  afterEach(screenshotOnFailure(() => page));

  after(async () => {
    await workbench?.close();
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
    // The model is in the tooltip and the screen reader's label, said once ("HP EliteBook", not "HP HP EliteBook").
    const label = (await salesDevice.getAttribute('aria-label')) ?? '';
    assert.match(label, /, HP EliteBook 840 G10, /);
    await sideBarRow(page, 'Kiosk').click();
    await page.locator('.sidebar .monaco-list-row', { hasText: 'no profile' }).first().waitFor({ timeout: 30_000 });
    // At the default side bar width (about 300 px), no row is cut: serial and profile status fit.
    const sideBarWidth = (await page.locator('.part.sidebar').boundingBox())!.width;
    assert.ok(sideBarWidth <= 320, `the side bar has its default width (${sideBarWidth} px)`);
    assert.deepEqual(await cutTextInSideBar(page), [], 'text cut at the default side bar width');
    const file = await screenshot(page, 'autopilot-devices');
    assert.ok(fs.statSync(file).size > 10_000, 'the screenshot is suspiciously small');
    // The README's picture shows the Sales devices (profiles assigned) under Kiosk folded; Kiosk opens again after.
    await sideBarRow(page, 'Kiosk').click();
    await sideBarRow(page, 'no profile').waitFor({ state: 'detached', timeout: 30_000 });
    await screenshot(page, 'readme-autopilot-devices', { x: 0, y: 38, width: 350, height: 420 });
    await sideBarRow(page, 'Kiosk').click();
    await sideBarRow(page, 'no profile').waitFor({ timeout: 30_000 });
  });

  it('filters the list by group tag from the view title, and deletes a device after a confirmation that says what it does not do', async () => {
    await runCommand(page, 'Autopilot: Filter Autopilot Devices…');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: 30_000 });
    await input.fill('tag:kiosk');
    await page.keyboard.press('Enter');
    await page.locator('.sidebar .pane-header', { hasText: 'match "tag:kiosk"' }).waitFor({ timeout: 30_000 });
    await sideBarRow(page, 'Sales').waitFor({ state: 'detached', timeout: 30_000 });
    const kiosk = kioskDevices();
    // The other groups leave the tree as the filter applies; the rows move up. Wait until they have, and select the
    // device, so the right-click lands on the row the test means (the list reuses its row elements).
    for (const tag of ['Engineering', 'Finance']) await sideBarRow(page, tag).waitFor({ state: 'detached', timeout: 30_000 });
    const row = sideBarRow(page, kiosk[0]!.serialNumber);
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await page.locator('.sidebar .monaco-list-row.selected', { hasText: kiosk[0]!.serialNumber }).waitFor({ timeout: 30_000 });
    const menu = await openContextMenu(page, row);
    for (const entry of ['Edit…', 'Add to Entra Group…', 'Write Corporate Identifiers…', 'Delete Autopilot Registration…', 'Retire…']) assert.ok(menu.includes(entry), `${entry} in ${menu.join(' | ')}`);
    await clickContextMenuItem(page, 'Delete Autopilot Registration…');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 });
    const question = await dialog.innerText();
    assert.match(question, /Delete 1 Autopilot device registration\?/);
    assert.ok(question.includes(kiosk[0]!.serialNumber), `the plan names the device: ${question}`);
    assert.match(question, /does not wipe or retire them/);
    await screenshot(page, 'delete-devices-plan');
    await dialog.locator('.monaco-button', { hasText: 'Delete' }).first().click();
    await row.waitFor({ state: 'detached', timeout: 30_000 });
    assert.ok(sandbox.graph.state.tenant(CONTOSO.id).registered.get(kiosk[0]!.id)?.deletedAt !== undefined);
  });
  it('updates devices from a CSV in the Explorer after a plan that names each change and the serials not found', async () => {
    const [first, second] = retagged;
    await openActivity(page, 'Explorer');
    const menu = await openContextMenu(page, sideBarRow(page, 'retag.csv'));
    assert.ok(menu.includes('Update Autopilot Devices…'), menu.join(' | '));
    await clickContextMenuItem(page, 'Update Autopilot Devices…');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 });
    const text = await dialog.innerText();
    assert.match(text, /Update 2 registered Autopilot devices from retag\.csv\?/);
    assert.match(text, /2 group tags change: Kiosk → Sales; 1 serial not found/);
    assert.match(text, /PF0GONE1: not found among registered devices/);
    await dialogScreenshot('readme-update-plan');
    await dialog.locator('.monaco-button', { hasText: 'Update' }).first().click();
    const tenant = sandbox.graph.state.tenant(CONTOSO.id);
    await eventually('both devices moved to Sales', () => tenant.registered.get(first!.id)?.groupTag === 'Sales' && tenant.registered.get(second!.id)?.groupTag === 'Sales');
  });

  it('imports a CSV after its plan: a device registered here already is named and skipped on request', async () => {
    await openActivity(page, 'Explorer');
    await openContextMenu(page, sideBarRow(page, 'arrivals.csv'));
    await clickContextMenuItem(page, 'Import Autopilot Devices');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 });
    const text = await dialog.innerText();
    assert.match(text, /arrivals\.csv: 2 new, 1 already registered here \(it would fail with 806; skip it\?\)/);
    assert.ok(text.includes(`${registeredHere.serialNumber}: already registered here (it would fail with 806)`), text);
    assert.ok(!text.includes('(it would fail with 806).'), `the detail does not say the question's counts again: ${text}`);
    await dialogScreenshot('readme-import-plan');
    await dialog.locator('.monaco-button', { hasText: 'Import 2 New Only' }).click();
    const created = () => sandbox.graph.state.tenant(CONTOSO.id).created;
    await eventually('the two new devices imported', () => fresh.every((device) => created().some((record) => record.serialNumber === device.serialNumber)));
    assert.ok(!created().some((record) => record.serialNumber === registeredHere.serialNumber), 'the registered device was not sent');
  });
});
