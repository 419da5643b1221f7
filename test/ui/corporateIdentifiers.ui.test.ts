/**
 * Corporate identifiers through the UI a user sees (packaged VSIX in code-server, the sandbox tenant in this process):
 * problems and a hover in an identifier file, the Corporate Identifiers view with enrollment states and last contact,
 * an import from the Explorer with its plan, and a delete with its confirmation; and the screenshots the README uses.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { CONTOSO } from '../emulator/identity/directory';
import type { SandboxTenant } from '../emulator/sandboxTenant';
import { openSandboxWorkbench, screenshotOnFailure, type SandboxWorkbench } from './sandboxWorkbench';
import { clickContextMenuItem, openActivity, openContextMenu, openFile, runCommand, screenshot, sideBarRow } from './workbench';

const HOUR = 3_600_000;

describe('Corporate identifiers UI (packaged VSIX in code-server, sandbox tenant)', () => {
  let page: Page;
  let sandbox: SandboxTenant;
  let workbench: SandboxWorkbench;
  const store = () => sandbox.graph.state.tenant(CONTOSO.id).identities;

  /** Clicks a button of the modal dialog that is open now and waits for the dialog to close. */
  async function answerDialog(button: string): Promise<string> {
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 });
    const text = await dialog.innerText();
    await dialog.locator('.monaco-button', { hasText: button }).first().click();
    await dialog.waitFor({ state: 'hidden', timeout: 30_000 });
    return text;
  }

  before(async () => {
    workbench = await openSandboxWorkbench({
      settings: { 'workbench.tree.indent': 12 },
      workspace: 'ui-identifiers',
      prepare: (folder, tenant) => {
        sandbox = tenant;
        const now = Date.now();
        store().seed('Microsoft Corporation,Surface Laptop 5,0F3K2YT21433', now, { enrollmentState: 'enrolled', lastContactedAt: now - 2 * HOUR });
        store().seed('Microsoft Corporation,Surface Pro 9,0C7N8KQ43109', now, { enrollmentState: 'enrolled', lastContactedAt: now - 26 * HOUR });
        store().seed('Dell Inc.,Latitude 7440,7XK2QY3', now, { enrollmentState: 'failed', lastContactedAt: now - 5 * HOUR });
        store().seed('LENOVO,21HD,PF4ABC01', now);
        store().seed('HP,HP EliteBook 840 G10,5CG3210XYZ', now);
        fs.writeFileSync(path.join(folder, 'wave-3.identifiers.csv'), ['LENOVO,21HD,PF4ABC01', 'LENOVO,21HD,PF4ABC02', 'LENOVO,21HD,PF4ABC03', 'Microsoft Corporation,Surface Laptop 5,0F3K2YT21501', ''].join('\r\n'));
        fs.writeFileSync(path.join(folder, 'from-oem.identifiers.csv'), ['Manufacturer,Model,Serial Number', 'Dell Inc.,Latitude 7440,7XK.2QY4', 'Dell Inc.,Latitude 7440, 7XK2QY5', 'LENOVO;21HD;PF4ABC04', ''].join('\r\n'));
      },
    });
    page = workbench.page;
  });

  afterEach(screenshotOnFailure(() => page));

  after(async () => {
    await workbench?.close();
  });

  it('shows the problems of an identifier file, unsettled rules as warnings, and explains a value on hover', async () => {
    await openFile(page, 'from-oem.identifiers.csv');
    const squiggles = page.locator('.editor-instance .squiggly-error, .editor-instance .squiggly-warning');
    await squiggles.first().waitFor({ timeout: 30_000 });
    await runCommand(page, 'View: Focus Problems');
    const problems = page.locator('.markers-panel');
    await problems.locator('.monaco-list-row', { hasText: 'header line' }).waitFor({ timeout: 30_000 });
    const listed = await problems.innerText();
    for (const words of ['Remove all periods', 'semicolon', 'not documented']) assert.ok(listed.includes(words), `the Problems panel says "${words}": ${listed}`);
    // Hover the manufacturer of line 2.
    const line = page.locator('.editor-instance .view-line', { hasText: 'Latitude 7440,7XK.2QY4' }).first();
    const box = await line.boundingBox();
    assert.ok(box);
    await page.mouse.move(box.x + 12, box.y + box.height / 2, { steps: 5 });
    const hover = page.locator('.monaco-hover', { hasText: 'Win32_ComputerSystem.Manufacturer' });
    await hover.waitFor({ timeout: 30_000 });
    assert.match(await hover.innerText(), /Dell Inc\.,Latitude 7440,7XK\.2QY4/);
    await screenshot(page, 'identifier-file-problems');
    await page.mouse.move(700, 880);
    await page.keyboard.press('Escape');
  });

  it('lists the tenant\'s corporate identifiers by enrollment state, with last contact', async () => {
    await openActivity(page, 'Autopilot');
    // Room for this view: fold Recent Imports.
    const recent = page.locator('.sidebar .pane-header', { hasText: 'Recent Imports' });
    await recent.waitFor({ timeout: 30_000 });
    // On the chevron: the header's middle holds its action buttons.
    if ((await recent.getAttribute('aria-expanded')) !== 'false') await recent.click({ position: { x: 10, y: 10 } });
    await page.locator('.sidebar .pane-header[aria-expanded="false"]', { hasText: 'Recent Imports' }).waitFor({ timeout: 10_000 });
    for (const text of ['Failed', 'Not contacted', 'Enrolled', '7XK2QY3', '0F3K2YT21433']) await sideBarRow(page, text).waitFor({ timeout: 30_000 });
    assert.match(await sideBarRow(page, '7XK2QY3').innerText(), /Dell Inc\. Latitude 7440 · last contact/);
    assert.match(await sideBarRow(page, 'PF4ABC01').innerText(), /never contacted/);
    assert.equal(await page.locator('.sidebar .monaco-list-row .codicon-error').count(), 2, 'the failed group and its identifier');
    const file = await screenshot(page, 'corporate-identifiers');
    assert.ok(fs.statSync(file).size > 10_000, 'the screenshot is suspiciously small');
    await screenshot(page, 'readme-corporate-identifiers', { x: 0, y: 38, width: 605, height: 260 });
  });

  it('imports from the Explorer with a plan: new ones imported, the one Intune has skipped', async () => {
    await openActivity(page, 'Explorer');
    const menu = await openContextMenu(page, sideBarRow(page, 'wave-3.identifiers.csv'));
    assert.ok(menu.includes('Import Corporate Identifiers…'), `the Explorer offers the import: ${menu.join(' | ')}`);
    assert.ok(!menu.some((entry) => entry.startsWith('Import Autopilot Devices')), 'and not the hash import');
    await clickContextMenuItem(page, 'Import Corporate Identifiers…');
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 });
    await screenshot(page, 'identifier-import-plan');
    const plan = await answerDialog('Import 3 New');
    assert.match(plan, /3 new: imported/);
    assert.match(plan, /1 already in Intune: skipped, unless you overwrite them/);
    // Toasts go to the notification centre in this test mode.
    await runCommand(page, 'Notifications: Show Notifications');
    const summary = page.locator('.notifications-center .notification-list-item', { hasText: 'Imported 3 corporate identifiers' });
    await summary.waitFor({ timeout: 30_000 });
    assert.match(await summary.innerText(), /1 were in Intune already and were skipped/);
    await runCommand(page, 'Notifications: Hide Notifications');
    assert.deepEqual([...store().writesPerIdentifier().keys()].sort(), ['LENOVO,21HD,PF4ABC02', 'LENOVO,21HD,PF4ABC03', 'MICROSOFT CORPORATION,SURFACE LAPTOP 5,0F3K2YT21501']);
  });

  it('deletes an identifier from the view after a confirmation', async () => {
    await openActivity(page, 'Autopilot');
    const row = sideBarRow(page, 'PF4ABC03');
    await row.waitFor({ timeout: 30_000 });
    const menu = await openContextMenu(page, row);
    assert.ok(menu.includes('Delete Corporate Identifier…') && menu.includes('Copy Corporate Identifier'), menu.join(' | '));
    await clickContextMenuItem(page, 'Delete Corporate Identifier…');
    const question = await answerDialog('Delete');
    assert.match(question, /Delete the corporate identifier LENOVO,21HD,PF4ABC03 from Intune\?/);
    assert.match(question, /Devices already enrolled keep their ownership/);
    await row.waitFor({ state: 'detached', timeout: 30_000 });
    assert.equal(store().find('LENOVO,21HD,PF4ABC03'), undefined);
    assert.ok(store().find('LENOVO,21HD,PF4ABC02'), 'only the chosen one');
  });
});
