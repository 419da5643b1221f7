/** Small Playwright helpers for driving the VS Code workbench served by code-server. */
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import type { IdentityEmulator } from '../emulator/identity/identityEmulator';
import { workbenchUrl } from '../integration/launch/codeServer';
import { eventually } from '../support/eventually';
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

/** Saves a screenshot under the test output folder; `clip` keeps only part of the window (for README pictures). */
export async function screenshot(page: Page, name: string, clip?: { x: number; y: number; width: number; height: number }): Promise<string> {
  const file = path.join(uiSession().outputDir, 'screenshots', `${name}.png`);
  await page.screenshot({ path: file, ...(clip ? { clip } : {}) });
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

/** The entries of the context menu that is open now, as the user reads them. */
export async function contextMenuItems(page: Page): Promise<string[]> {
  const items = page.locator('.monaco-menu .action-item:not(.disabled) .action-label');
  await items.first().waitFor({ timeout: 30_000 });
  return (await items.allInnerTexts()).map((text) => text.trim()).filter(Boolean);
}

/** Right-clicks `target` and returns the context menu's entries (the menu stays open). */
export async function openContextMenu(page: Page, target: ReturnType<Page['locator']>): Promise<string[]> {
  await target.click({ button: 'right' });
  return contextMenuItems(page);
}

/** Clicks the entry of the open context menu whose text starts with `text`. */
export async function clickContextMenuItem(page: Page, text: string): Promise<void> {
  const item = page.locator('.monaco-menu .action-item .action-label', { hasText: text }).first();
  // The workbench ignores a click that lands right after the menu opened (it guards against the opening click):
  // hover first and click once the menu has taken the hover (the entry is focused).
  await item.hover();
  await page.locator('.monaco-menu .action-item.focused', { hasText: text }).first().waitFor({ timeout: 5_000 }).catch(() => undefined);
  await item.click();
  const menu = page.locator('.monaco-menu').first();
  await menu.waitFor({ state: 'hidden', timeout: 2_000 }).catch(async () => {
    await page.keyboard.press('Enter'); // the hovered entry has the focus
    await menu.waitFor({ state: 'hidden', timeout: 10_000 });
  });
}

/** A row of the side bar's tree or list whose text contains `text`. */
export function sideBarRow(page: Page, text: string): ReturnType<Page['locator']> {
  return page.locator('.sidebar .monaco-list-row', { hasText: text }).first();
}

/** Opens a workspace file with Quick Open (Ctrl+P) and waits for its editor tab. */
export async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 30_000 });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 30_000 });
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab', { hasText: name }).first().waitFor({ timeout: 30_000 });
}

/** The side bar's view title and tree rows whose text does not fit (an ellipsis shows), as the user sees them. */
export async function cutTextInSideBar(page: Page): Promise<string[]> {
  // Runs in the page (this project's TypeScript has no DOM types, so it is a string).
  return (await page.evaluate(`(() => {
    const overflowing = (element) => element !== null && element.scrollWidth > element.clientWidth + 1;
    const found = [];
    const title = document.querySelector('.sidebar .composite.title .title-label h2');
    if (!title) found.push('no view title found');
    else if (overflowing(title)) found.push('title: ' + title.textContent);
    for (const row of document.querySelectorAll('.sidebar .monaco-list-row')) {
      if (overflowing(row.querySelector('.monaco-icon-label-container'))) found.push('row: ' + row.textContent);
    }
    return found;
  })()`)) as string[];
}

/**
 * Signs in through the palette with a device code, approves the code at the identity emulator as `username` (the
 * user's part in the browser), and waits for the status bar to show the account.
 */
export async function signInWithDeviceCode(page: Page, identity: IdentityEmulator, username: string): Promise<void> {
  await openActivity(page, 'Autopilot');
  await runCommand(page, 'Autopilot: Sign In');
  await pickQuickPickItem(page, 'Sign in with a device code');
  const [pending] = await eventually('a device code request', () => identity.pendingDeviceCodes().length > 0 && identity.pendingDeviceCodes());
  identity.approveDeviceCode(pending!.userCode, username);
  await page.locator('.statusbar-item', { hasText: username }).waitFor({ timeout: 30_000 });
}
