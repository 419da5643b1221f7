/** Small Playwright helpers for driving the VS Code workbench served by code-server. */
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { workbenchUrl } from '../integration/launch/codeServer';
import { uiSession } from './uiSession';

export async function openWorkbench(folder: string): Promise<Page> {
  const session = uiSession();
  const page = await session.browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(workbenchUrl(session.server, { folder }));
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  // The activity bar appears once the workbench has restored its layout.
  await page.locator('.activitybar').waitFor({ timeout: 60_000 });
  return page;
}

/** Opens a view container by clicking its activity-bar entry (the way a user does). */
export async function openActivity(page: Page, title: string): Promise<void> {
  const entry = page.locator(`.activitybar .action-item a[aria-label^="${title}"], .activitybar [role="tab"][aria-label^="${title}"]`).first();
  await entry.waitFor({ timeout: 60_000 });
  const container = page.locator('.sidebar .composite.title', { hasText: title });
  if (!(await container.isVisible())) {
    await entry.click();
  }
  await container.waitFor({ timeout: 30_000 });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(uiSession().outputDir, 'screenshots', `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Runs a command from the Command Palette by its title, the way a user does (F1, type, Enter). */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 30_000 });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
}

/** Picks the quick-pick entry whose text contains `text` by typing it and pressing Enter. */
export async function pickQuickPickItem(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 30_000 });
  await input.fill(text);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: text }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
}
