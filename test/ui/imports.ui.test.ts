/**
 * Importing through the UI a user sees (packaged VSIX in code-server, the sandbox tenant in this process): right-click
 * a CSV in the Explorer, the editor title button, the Recent Imports tree with its states, tooltips and per-state
 * context menus, and the screenshots the README uses.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { fakeDevices } from '../emulator/hashes';
import { CONTOSO } from '../emulator/identity/directory';
import type { SandboxTenant } from '../emulator/sandboxTenant';
import { openSandboxWorkbench, screenshotOnFailure, type SandboxWorkbench } from './sandboxWorkbench';
import { clickContextMenuItem, cutTextInSideBar, openActivity, openContextMenu, openFile, runCommand, screenshot, sideBarRow } from './workbench';

function csvOf(devices: readonly { serialNumber: string; hardwareIdentifier: string }[], groupTag: string): string {
  return ['Device Serial Number,Windows Product ID,Hardware Hash,Group Tag', ...devices.map((d) => `${d.serialNumber},,${d.hardwareIdentifier},${groupTag}`)].join('\r\n') + '\r\n';
}

describe('Importing UI (packaged VSIX in code-server, sandbox tenant)', () => {
  // Everything here runs at the default window (1400 × 900) and side bar width, where users first meet the view.
  let page: Page;
  let sandbox: SandboxTenant;
  let workbench: SandboxWorkbench;

  /** Answers the group tag question by pressing Enter (keep the file's tags). */
  async function keepGroupTags(): Promise<void> {
    const input = page.locator('.quick-input-widget', { hasText: 'Group tag for the' });
    await input.waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
  }

  before(async () => {
    workbench = await openSandboxWorkbench({
      tenant: { graph: { timing: { processingDelayMs: 1500, processingJitterMs: 0, registrationDelayMs: 2500, syncDurationMs: 500, syncMinIntervalMs: 10 * 60_000 } } },
      settings: { 'autopilot.poll.intervalSeconds': 1 },
      workspace: 'ui-imports',
      prepare: (folder, tenant) => {
        sandbox = tenant;
        fs.writeFileSync(path.join(folder, 'lab-devices.csv'), csvOf(fakeDevices(3, 'LAB'), 'Lab'));
        fs.writeFileSync(path.join(folder, 'later-devices.csv'), csvOf(fakeDevices(2, 'LATER'), 'Kiosk'));
        // Serial numbers as long as real ones (a long test serial would be cut where a real one is not).
        const mixed = [
          ...fakeDevices(2, 'SHOP'),
          { serialNumber: '5CG0806ABC', hardwareIdentifier: tenant.registered.hardwareIdentifier },
          { serialNumber: 'PF0808XYZ', hardwareIdentifier: tenant.foreign.hardwareIdentifier },
        ].map((device) => ({ ...device, groupTag: 'Shop' }));
        fs.writeFileSync(path.join(folder, 'shop.autopilot.json'), JSON.stringify({ importedWindowsAutopilotDeviceIdentities: mixed }, null, 2));
      },
    });
    page = workbench.page;
  });

  afterEach(screenshotOnFailure(() => page));

  after(async () => {
    await workbench?.close();
  });

  it('imports a CSV from the Explorer context menu and shows the run in Recent Imports', async () => {
    await openActivity(page, 'Explorer');
    const menu = await openContextMenu(page, sideBarRow(page, 'lab-devices.csv'));
    assert.ok(menu.some((entry) => entry.startsWith('Import Autopilot Devices')), `the Explorer menu offers the import: ${menu.join(' | ')}`);
    assert.ok(menu.includes('Validate Payload'));
    await clickContextMenuItem(page, 'Import Autopilot Devices');
    await keepGroupTags();

    // The run is revealed in Recent Imports, selected, and its devices complete there.
    const run = sideBarRow(page, 'lab-devices.csv');
    await run.waitFor({ timeout: 30_000 });
    await page.locator('.sidebar .composite.title', { hasText: 'Autopilot' }).waitFor({ timeout: 30_000 });
    await page.locator('.sidebar .monaco-list-row.selected', { hasText: 'lab-devices.csv' }).waitFor({ timeout: 30_000 });
    await sideBarRow(page, '3 imported').or(sideBarRow(page, '3 registered')).waitFor({ timeout: 30_000 });
    for (const serial of ['LAB000001', 'LAB000002', 'LAB000003']) await sideBarRow(page, serial).waitFor();
    assert.equal(sandbox.graph.state.tenant(CONTOSO.id).created.filter((record) => record.serialNumber.startsWith('LAB')).length, 3);
  });

  it('imports from the editor title button, explains failures in the tooltip, and offers per-state actions', async () => {
    await openFile(page, 'shop.autopilot.json');
    const importButton = page.locator('.editor-actions .action-label[aria-label^="Import Autopilot Devices"]');
    await importButton.waitFor({ timeout: 30_000 });
    await importButton.click();
    await keepGroupTags();
    await sideBarRow(page, '2 failed').waitFor({ timeout: 30_000 });

    // The next import is still being processed when the screenshots are taken (and done before the last test).
    sandbox.graph.state.timing = { ...sandbox.graph.state.timing, processingDelayMs: 25_000 };
    await openActivity(page, 'Explorer');
    await openContextMenu(page, sideBarRow(page, 'later-devices.csv'));
    await clickContextMenuItem(page, 'Import Autopilot Devices');
    await keepGroupTags();
    await sideBarRow(page, '2 processing').waitFor({ timeout: 30_000 });
    // The run's row can show its counts before its device rows are drawn: wait for them, then count.
    const spinning = page.locator('.sidebar .monaco-list-row .codicon-loading.codicon-modifier-spin');
    await spinning.nth(1).waitFor({ timeout: 30_000 });
    assert.equal(await spinning.count(), 2, 'processing devices spin');
    await page.keyboard.press('Escape');

    const failed = sideBarRow(page, '5CG0806ABC');
    const failedMenu = await openContextMenu(page, failed);
    // 806: show the registered device or delete the record; sending it again would fail the same way.
    for (const action of ['Copy Serial Number', 'Open Import Record as JSON', 'Find Registered Device…', 'Delete Import Record']) {
      assert.ok(failedMenu.includes(action), `an 806 device offers ${action}: ${failedMenu.join(' | ')}`);
    }
    assert.ok(!failedMenu.includes('Retry Failed Devices'), `an 806 device offers no retry: ${failedMenu.join(' | ')}`);
    await page.keyboard.press('Escape');
    const completeMenu = await openContextMenu(page, sideBarRow(page, 'SHOP000001'));
    assert.ok(completeMenu.includes('Delete Import Record') && !completeMenu.includes('Retry Failed Devices'), `a complete device: ${completeMenu.join(' | ')}`);
    await page.keyboard.press('Escape');
    const processingMenu = await openContextMenu(page, sideBarRow(page, 'LATER000001'));
    assert.ok(processingMenu.includes('Copy Serial Number'));
    assert.ok(!processingMenu.includes('Delete Import Record') && !processingMenu.includes('Retry Failed Devices'), `a processing device: ${processingMenu.join(' | ')}`);
    await page.keyboard.press('Escape');
    const failedRunMenu = await openContextMenu(page, sideBarRow(page, 'shop.autopilot.json'));
    for (const action of ['Delete Import Record', 'Remove from Recent Imports']) {
      assert.ok(failedRunMenu.includes(action), `a finished run with failures offers ${action}: ${failedRunMenu.join(' | ')}`);
    }
    assert.ok(!failedRunMenu.includes('Retry Failed Devices'), `806 and 808 are not worth a retry: ${failedRunMenu.join(' | ')}`);
    await page.keyboard.press('Escape');

    // At the default side bar width (about 300 px), nothing in the view is cut: its title, files, serials and states.
    const sideBarWidth = (await page.locator('.part.sidebar').boundingBox())!.width;
    assert.ok(sideBarWidth <= 320, `the side bar has its default width (${sideBarWidth} px)`);
    const cut = await cutTextInSideBar(page);
    assert.deepEqual(cut, [], 'text cut at the default side bar width');

    const box = await failed.boundingBox();
    assert.ok(box);
    await page.bringToFront();
    await failed.click();
    const hover = page.locator('.monaco-hover', { hasText: 'Fix:' });
    // A tree that re-renders while runs are watched can dismiss a hover before it opens: point at the row again until
    // it shows, as a user would.
    const deadline = Date.now() + 60_000;
    for (;;) {
      await page.mouse.move(box.x + 40, box.y - 40);
      await page.mouse.move(box.x + 60, box.y + box.height / 2, { steps: 10 });
      await page.mouse.move(box.x + 64, box.y + box.height / 2, { steps: 4 });
      const shown = await hover.waitFor({ timeout: 5_000 }).then(() => true, () => false);
      if (shown) break;
      if (Date.now() > deadline) {
        await screenshot(page, 'debug-hover');
        throw new Error('the tooltip of the 806 device never showed');
      }
    }
    assert.match(await hover.innerText(), /Already registered in this tenant \(806\)/);
    await screenshot(page, 'recent-imports-tooltip');
    await screenshot(page, 'readme-recent-imports', { x: 0, y: 38, width: 760, height: 500 });
    await page.mouse.move(700, 850);
    await hover.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
    const file = await screenshot(page, 'recent-imports');
    assert.ok(fs.statSync(file).size > 10_000, 'the screenshot is suspiciously small');
    sandbox.graph.state.timing = { ...sandbox.graph.state.timing, processingDelayMs: 1500 };
  });

  it('completes properties from the schema in a payload (IntelliSense)', async () => {
    await openFile(page, 'completion.autopilot.json');
    // Room to the right of the suggestions for their documentation: hide the side bar.
    if (await page.locator('.part.sidebar').isVisible()) await page.keyboard.press('Control+B');
    const editor = page.locator('.editor-instance .monaco-editor').first();
    await editor.waitFor({ timeout: 30_000 });
    // Inside the device object (line 3), where the schema's properties are offered, with the focused one's docs.
    await page.locator('.editor-instance .view-line').nth(2).click();
    await page.keyboard.press('End');
    await page.keyboard.press('Control+Space');
    const suggest = page.locator('.suggest-widget', { hasText: 'serialNumber' });
    await suggest.waitFor({ timeout: 30_000 });
    for (const property of ['groupTag', 'hardwareIdentifier', 'serialNumber', 'productKey']) assert.ok(await suggest.locator('.monaco-list-row', { hasText: property }).count(), property);
    // Focus hardwareIdentifier and show its documentation from the schema.
    const focused = page.locator('.suggest-widget .monaco-list-row.focused');
    for (let step = 0; step < 9 && !(await focused.innerText()).includes('hardwareIdentifier'); step++) await page.keyboard.press('ArrowDown');
    const details = page.locator('.suggest-details', { hasText: 'Base64' });
    if (!(await details.isVisible())) await page.keyboard.press('Control+Space');
    await details.waitFor({ timeout: 10_000 });
    // The documentation pane opens small; drag its lower edge down as a user would, to read all of it.
    const pane = await page.locator('.suggest-details-container').boundingBox();
    if (pane) {
      await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height - 1);
      await page.mouse.down();
      await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height + 160, { steps: 8 });
      await page.mouse.up();
      await page.mouse.move(pane.x + pane.width / 2, pane.y + 20);
    }
    // The screenshot waits until the workbench has painted the resized pane (two animation frames).
    await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
    const file = await screenshot(page, 'payload-intellisense');
    await screenshot(page, 'readme-payload-intellisense', { x: 48, y: 38, width: 960, height: 330 });
    assert.ok(fs.statSync(file).size > 10_000, 'the screenshot is suspiciously small');
    await page.keyboard.press('Escape');
    await runCommand(page, 'File: Revert File');
  });

  it('clears finished imports from the view title, which leaves the welcome view', async () => {
    await openActivity(page, 'Autopilot');
    await page.locator('.sidebar .monaco-list-row', { hasText: 'later-devices.csv' }).filter({ hasText: /2 (imported|registered)/ }).first().waitFor({ timeout: 60_000 });
    const welcome = page.locator('.welcome-view-content', { hasText: 'No imports yet' });
    for (let attempt = 0; attempt < 10 && !(await welcome.isVisible()); attempt++) {
      // A run that has just finished may still be syncing for a moment; Clear leaves it until it is idle.
      // Clear is in the Recent Imports title's "…" menu (two buttons leave room for the title at the default width);
      // beside the Corporate Identifiers view that title is the view's own pane header, whose actions show on hover.
      const header = page.locator('.sidebar .pane-header', { hasText: 'Recent Imports' });
      await header.hover();
      await header.locator('.action-label[aria-label^="More Actions"]').first().click();
      await clickContextMenuItem(page, 'Clear Finished Imports');
      await welcome.waitFor({ timeout: 2_000 }).catch(() => undefined);
    }
    await welcome.getByRole('button', { name: 'Import Autopilot Devices…' }).waitFor({ timeout: 10_000 });
    assert.equal(await page.locator('.sidebar .monaco-list-row', { hasText: 'lab-devices.csv' }).count(), 0);
  });
});
