import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { Page } from 'playwright-core';
import { uiSession } from './uiSession';
import { openActivity, openWorkbench, screenshot } from './workbench';

describe('UI smoke (packaged VSIX in code-server)', () => {
  let page: Page;

  before(async () => {
    page = await openWorkbench(uiSession().freshWorkspace('ui-smoke'));
  });

  after(async () => {
    await page?.close();
  });

  it('opens the Autopilot container from the activity bar and shows the welcome content', async () => {
    await openActivity(page, 'Autopilot');
    const welcome = page.locator('.welcome-view-content', { hasText: 'No imports yet' });
    await welcome.waitFor({ timeout: 30_000 });
    assert.match(await welcome.innerText(), /Right-click a hardware-hash CSV/);
    const file = await screenshot(page, 'autopilot-welcome');
    assert.ok(fs.statSync(file).size > 10_000, 'the screenshot is suspiciously small');
  });
});
