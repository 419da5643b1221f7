/**
 * `npm start` as a newcomer runs it: `--help` starts nothing; the sandbox prints the URL first; a second start leaves
 * the running one alone; the sample guide opens at once; "Copy code and open" reaches the device-login page through
 * code-server's port proxy and signs in; the printed terminal command works as pasted (and, without the CA, names the
 * certificate); an import of the store returns offers what helps with 806; Ctrl-C removes the sandbox's files.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { freePort } from '../integration/launch/codeServer';
import { uiSession } from './uiSession';
import { cutTextInSideBar, screenshot } from './workbench';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
const MAIN = path.join(repoRoot, 'out', 'test', 'sandbox', 'main.js');

/** Runs a shell command as a user pastes it: a login-less shell with only PATH and HOME from this process. */
function paste(command: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('sh', ['-c', command], { env: { PATH: process.env.PATH, HOME: process.env.HOME }, encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm start (the sandbox a newcomer tries)', function () {
  this.timeout(300_000);
  let sandbox: ChildProcessWithoutNullStreams | undefined;
  let output = '';
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let dir: string;
  let folder: string;

  function waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(output);
        if (match) {
          clearInterval(timer);
          clearTimeout(deadline);
          resolve(match);
        }
      };
      const timer = setInterval(check, 200);
      const deadline = setTimeout(() => {
        clearInterval(timer);
        reject(new Error(`The sandbox did not print ${pattern} within ${timeoutMs / 1000} s. It printed:\n${output}`));
      }, timeoutMs);
      check();
    });
  }

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-ui-sandbox-'));
    folder = path.join(dir, 'sandbox');
  });

  after(async () => {
    await context?.close();
    if (sandbox && sandbox.exitCode === null) sandbox.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await screenshot(page, `failed-sandbox-${this.currentTest.title.slice(0, 30).replace(/\W+/g, '-')}`);
  });

  it('prints its options for --help and starts nothing', () => {
    const help = spawnSync(process.execPath, [MAIN, '--help', '--folder', folder], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(help.status, 0, help.stderr);
    assert.match(help.stdout, /^Usage: npm start -- \[options\]/);
    for (const option of ['--port', '--processing-delay', '--folder', '--help']) assert.match(help.stdout, new RegExp(option));
    assert.ok(!fs.existsSync(folder), 'nothing was created');
    const typo = spawnSync(process.execPath, [MAIN, '--prot', '8080', '--folder', folder], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(typo.status, 2);
    assert.match(typo.stderr, /Unknown option '--prot'/);
    assert.ok(!fs.existsSync(folder), 'nothing was created for a typo either');
  });

  it('prints the URL first, refuses to start a second sandbox in its folder, and opens the guide at once', async () => {
    const port = await freePort();
    sandbox = spawn(process.execPath, [MAIN, '--port', String(port), '--folder', folder, '--processing-delay', '1', '--registration-delay', '2'], { cwd: repoRoot, env: process.env });
    sandbox.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    sandbox.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [ready, url] = await waitForOutput(/Autopilot Devices sandbox is ready\.\n\n {2}Open VS Code: {2}(\S+)\n/, 240_000);
    assert.ok(ready);
    assert.ok(url!.startsWith(`http://127.0.0.1:${port}/?folder=`), url);
    assert.doesNotMatch(output, /first run/i, 'the tools are cached: nothing is downloaded, so nothing is said about it');
    assert.match(output, /Registered: +SBX0806REG here \(806/);

    // A second start in the same folder leaves the first alone and says where it is.
    const guide = path.join(folder, 'workspace', 'README.md');
    const before = { guide: fs.statSync(guide).mtimeMs, ca: fs.readFileSync(path.join(folder, 'tls', 'ca.pem'), 'utf8') };
    const second = spawnSync(process.execPath, [MAIN, '--folder', folder], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(second.status, 1, second.stdout + second.stderr);
    assert.match(second.stderr, new RegExp(`A sandbox is already running from ${folder.replace(/[/\\.]/g, '\\$&')}`));
    assert.ok(second.stderr.includes(url!), 'it names the running one\'s URL');
    assert.equal(fs.statSync(guide).mtimeMs, before.guide, 'the sample workspace was not rewritten');
    assert.equal(fs.readFileSync(path.join(folder, 'tls', 'ca.pem'), 'utf8'), before.ca, 'the CA was not replaced');

    context = await uiSession().browser.newContext({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
    page = await context.newPage();
    await page.goto(url!);
    // The guide opens as text with the workbench (a Markdown preview would stay blank until extensions start).
    await page.locator('.tabs-container .tab', { hasText: 'README.md' }).waitFor({ timeout: 60_000 });
    await page.locator('.editor-instance .view-line', { hasText: '# Autopilot Devices sandbox' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.tabs-container .tab', { hasText: 'Preview' }).count(), 0);
    for (const file of ['hardware-hashes.csv', 'returns.autopilot.json', 'broken.csv']) {
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: file }).waitFor({ timeout: 30_000 });
    }
    await screenshot(page, 'sandbox-guide');
  });

  it('signs in through "Copy code and open": the device-login page opens through the port proxy, and the notification closes', async () => {
    assert.ok(page && context);
    const signIn = page.locator('.statusbar-item', { hasText: 'Sign in to Intune' });
    await signIn.waitFor({ timeout: 60_000 });
    await signIn.click();
    await page.locator('.quick-input-widget input').fill('device code');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'device code' }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');

    // Without the test driver toasts show: one notification, with the code and the link.
    const toast = page.locator('.notification-toast', { hasText: 'enter the code' });
    await toast.waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.notification-toast', { hasText: /enter the code|To sign in/ }).count(), 1, 'the code is shown once');
    const code = /enter the code (\w+) at/.exec(await toast.innerText())?.[1];
    assert.ok(code);
    await screenshot(page, 'sandbox-device-code');

    const [loginPage] = await Promise.all([context.waitForEvent('page'), toast.locator('a', { hasText: 'Copy code and open' }).click()]);
    await loginPage.waitForLoadState();
    // code-server maps the loopback page to its port proxy, which speaks plain http to it.
    assert.match(loginPage.url(), new RegExp(`^http://127\\.0\\.0\\.1:\\d+/proxy/\\d+/devicelogin$`));
    await loginPage.locator('h1', { hasText: 'Enter code' }).waitFor({ timeout: 30_000 });
    assert.equal(await loginPage.evaluate('navigator.clipboard.readText()'), code, 'the code is on the clipboard');
    assert.equal(await loginPage.locator('#username').inputValue(), 'adele@contoso.onmicrosoft.com');
    await loginPage.locator('#user_code').fill(code);
    await loginPage.setViewportSize({ width: 900, height: 640 });
    await screenshot(loginPage, 'sandbox-device-login');
    await loginPage.locator('button', { hasText: 'Next' }).click();
    await loginPage.locator('#signed-in').waitFor({ timeout: 30_000 });
    assert.match(await loginPage.locator('main').innerText(), /You're signed in[\s\S]*adele@contoso\.onmicrosoft\.com/);
    await screenshot(loginPage, 'sandbox-device-login-done');
    await loginPage.close();

    await page.bringToFront();
    await page.locator('.statusbar-item', { hasText: 'adele@contoso.onmicrosoft.com' }).waitFor({ timeout: 30_000 });
    await toast.waitFor({ state: 'detached', timeout: 30_000 });
    await page.locator('.notification-toast', { hasText: 'Signed in to Microsoft Intune as adele@contoso.onmicrosoft.com (tenant contoso.onmicrosoft.com)' }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'sandbox-signed-in');
  });

  it('prints a terminal command that works as pasted, and without the CA names the certificate and NODE_EXTRA_CA_CERTS', () => {
    const [, block] = /paste it into another terminal\):\n\n((?: {2}.*\n)+)/.exec(output) ?? [];
    assert.ok(block, `no terminal command in:\n${output}`);
    const command = block.split('\n').map((line) => line.trim()).filter(Boolean).join('\n');
    assert.match(command, /^NODE_EXTRA_CA_CERTS=\S+ \\\n/);
    const run = paste(command);
    assert.equal(run.status, 0, `${command}\n${run.stdout}${run.stderr}`);
    assert.match(run.stdout, /complete 6, error 0, partial 0, pending 0, registered 6/);

    const withoutCa = paste(command.replace(/^NODE_EXTRA_CA_CERTS=\S+ \\\n/, ''));
    assert.equal(withoutCa.status, 1);
    assert.match(withoutCa.stderr, /untrusted certificate \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\).*set NODE_EXTRA_CA_CERTS/);
    assert.doesNotMatch(withoutCa.stderr, /autopilot\.authority|Could not reach/);
  });

  it('imports the store returns: 806 and 808 explained, no retry offered, and the registered device one click away', async () => {
    assert.ok(page);
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'returns.autopilot.json' }).click();
    const importButton = page.locator('.editor-actions .action-label[aria-label^="Import Autopilot Devices"]');
    await importButton.waitFor({ timeout: 30_000 });
    await importButton.click();
    await page.locator('.quick-input-widget', { hasText: 'Group tag for the' }).waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    // The plan first: the device registered here is named before anything is sent; importing it anyway shows Intune's 806.
    const plan = page.locator('.monaco-dialog-box');
    await plan.waitFor({ timeout: 30_000 });
    assert.match(await plan.innerText(), /returns\.autopilot\.json: 5 new, 1 already registered here \(it would fail with 806; skip it\?\)/);
    await plan.locator('.monaco-button', { hasText: 'Import All 6' }).click();

    const summary = page.locator('.notification-toast', { hasText: 'returns.autopilot.json: 4 of 6 devices imported.' });
    await summary.waitFor({ timeout: 60_000 });
    const text = await summary.innerText();
    assert.match(text, /SBX0806REG is already registered in this tenant \(806\): there is nothing to import\./);
    assert.match(text, /SBX0808OTH is registered to another tenant \(808\): an administrator there, or the reseller, must deregister it first\./);
    const buttons = await summary.locator('.monaco-button').allInnerTexts();
    assert.ok(buttons.includes('Show Registered Device'), buttons.join(' | '));
    assert.ok(!buttons.some((button) => /Retry/.test(button)), `no retry for 806 and 808: ${buttons.join(' | ')}`);
    assert.ok(!buttons.includes('Show in Recent Imports'), 'Recent Imports is on screen already');
    await page.locator('.sidebar .monaco-list-row.selected', { hasText: 'returns.autopilot.json' }).waitFor({ timeout: 30_000 });
    assert.deepEqual(await cutTextInSideBar(page), [], 'nothing in Recent Imports is cut at the default side bar width');
    await screenshot(page, 'sandbox-806-808');

    await summary.locator('.monaco-button', { hasText: 'Show Registered Device' }).click();
    await page.locator('.tabs-container .tab', { hasText: 'SBX0806REG' }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'sandbox-registered-device');
  });

  it('stops on Ctrl-C and removes its folder and code-server\'s', async () => {
    assert.ok(sandbox);
    const record = JSON.parse(fs.readFileSync(path.join(folder, 'sandbox.json'), 'utf8')) as { codeServerHome: string };
    assert.ok(fs.existsSync(record.codeServerHome));
    await page?.close();
    const exited = new Promise<number | null>((resolve) => sandbox!.once('exit', (code) => resolve(code)));
    sandbox.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.match(output, /Stopping the sandbox/);
    assert.ok(!fs.existsSync(folder), 'the sandbox folder is gone');
    assert.ok(!fs.existsSync(record.codeServerHome), "code-server's temporary folder is gone");
  });
});
