/**
 * What the UI suites against the sandbox tenant share: the tenant started, the user's settings pointed at it (the
 * settings file a user edits), a fresh workspace the suite fills, the workbench opened and Adele signed in with a
 * device code; and the clean-up that leaves code-server as it found it for the next suite.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { ADELE } from '../emulator/identity/directory';
import { testTlsFromEnvironment } from '../emulator/identity/testTls';
import { startSandboxTenant, type SandboxTenant, type SandboxTenantOptions } from '../emulator/sandboxTenant';
import { uiSession } from './uiSession';
import { openWorkbench, runCommand, screenshot, signInWithDeviceCode } from './workbench';

export interface SandboxWorkbench {
  readonly page: Page;
  readonly sandbox: SandboxTenant;
  /** Signs out, closes the page, restores the user's settings and stops the sandbox. */
  close(): Promise<void>;
}

export interface SandboxWorkbenchOptions {
  readonly tenant?: Omit<SandboxTenantOptions, 'tls'>;
  /** User settings beside the sandbox cloud's (full ids, e.g. `autopilot.poll.intervalSeconds`). */
  readonly settings?: Record<string, unknown>;
  /** The name of the fresh workspace folder. */
  readonly workspace: string;
  /** Fills the workspace (and seeds the tenant) before the workbench opens. */
  readonly prepare?: (folder: string, sandbox: SandboxTenant) => void;
}

export async function openSandboxWorkbench(options: SandboxWorkbenchOptions): Promise<SandboxWorkbench> {
  const sandbox = await startSandboxTenant({ tls: testTlsFromEnvironment(), identity: { deviceCodePollIntervalSeconds: 1 }, ...options.tenant });
  const settingsFile = path.join(uiSession().server.userDataDir, 'User', 'settings.json');
  const originalSettings = fs.readFileSync(settingsFile, 'utf8');
  let page: Page | undefined;
  const close = async () => {
    if (page) {
      await page.keyboard.press('Escape');
      await runCommand(page, 'Autopilot: Sign Out').catch(() => undefined);
      await page.locator('.statusbar-item', { hasText: 'Sign in to Intune' }).waitFor({ timeout: 30_000 }).catch(() => undefined);
      await page.close();
    }
    fs.writeFileSync(settingsFile, originalSettings);
    await sandbox.close();
  };
  try {
    const settings = {
      ...JSON.parse(originalSettings),
      'autopilot.cloud': 'custom',
      'autopilot.authority': sandbox.identity.authorityHost,
      'autopilot.graphRoot': sandbox.graph.url,
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      ...options.settings,
    };
    fs.writeFileSync(settingsFile, JSON.stringify(settings, null, 2));
    const folder = uiSession().freshWorkspace(options.workspace);
    options.prepare?.(folder, sandbox);
    page = await openWorkbench(folder);
    await signInWithDeviceCode(page, sandbox.identity, ADELE.username);
    return { page, sandbox, close };
  } catch (error) {
    if (page) await screenshot(page, `failed-open-${options.workspace}`).catch(() => undefined);
    await close();
    throw error;
  }
}

/** An afterEach hook: a failed UI step is much easier to understand from a picture of the workbench. */
export function screenshotOnFailure(page: () => Page | undefined): (this: Mocha.Context) => Promise<void> {
  return async function (this: Mocha.Context) {
    const current = page();
    if (this.currentTest?.state === 'failed' && current) await screenshot(current, `failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`);
  };
}
