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

  it('opens the Autopilot container from the activity bar and, signed out, offers Sign In', async () => {
    await openActivity(page, 'Autopilot');
    const welcome = page.locator('.welcome-view-content', { hasText: 'Sign in to Microsoft Intune to import Autopilot devices' });
    await welcome.waitFor({ timeout: 30_000 });
    await welcome.getByRole('button', { name: 'Sign In' }).waitFor();
    // The empty-imports text is for signed-in users; signed out, the only call to action is signing in.
    assert.doesNotMatch(await welcome.innerText(), /No imports yet/);
    // The Corporate Identifiers view, below it, offers signing in too.
    const identifiers = page.locator('.welcome-view-content', { hasText: 'Sign in to Microsoft Intune to list and import them' });
    await identifiers.getByRole('button', { name: 'Sign In' }).waitFor({ timeout: 30_000 });
    const file = await screenshot(page, 'autopilot-welcome');
    assert.ok(fs.statSync(file).size > 10_000, 'the screenshot is suspiciously small');
  });
});
