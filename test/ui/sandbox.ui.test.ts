/**
 * `npm start` as a newcomer runs it: the sandbox script starts the sandbox tenant and code-server with the packaged
 * extension, prints the URL, approves a device code when Enter is pressed in its terminal, and stops on Ctrl-C.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { freePort } from '../integration/launch/codeServer';
import { uiSession } from './uiSession';
import { screenshot } from './workbench';

const repoRoot = path.resolve(__dirname, '..', '..', '..');

describe('npm start (the sandbox a newcomer tries)', function () {
  this.timeout(300_000);
  let sandbox: ChildProcessWithoutNullStreams | undefined;
  let output = '';
  let page: Page | undefined;

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

  after(async () => {
    await page?.close();
    if (sandbox && sandbox.exitCode === null) sandbox.kill('SIGKILL');
  });

  it('prints the URL of a VS Code with the extension and the sample workspace, signs in there, and stops on Ctrl-C', async () => {
    const port = await freePort();
    sandbox = spawn(process.execPath, [path.join(repoRoot, 'out', 'test', 'sandbox', 'main.js'), '--port', String(port)], { cwd: repoRoot, env: process.env });
    sandbox.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    sandbox.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const [, url] = await waitForOutput(/Open VS Code:\s+(\S+)/, 240_000);
    assert.ok(url!.startsWith(`http://127.0.0.1:${port}/?folder=`), url);
    assert.match(output, /Pre-registered:\s+SANDBOX-REG-0806 here \(806/);

    page = await uiSession().browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url!);
    // The sample workspace's guide opens, and the files it talks about are there.
    await page.locator('.tabs-container .tab', { hasText: 'README.md' }).waitFor({ timeout: 60_000 });
    for (const file of ['hardware-hashes.csv', 'store-returns.autopilot.json', 'broken.csv']) {
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: file }).waitFor({ timeout: 30_000 });
    }
    const signIn = page.locator('.statusbar-item', { hasText: 'Sign in to Intune' });
    await signIn.waitFor({ timeout: 60_000 });
    await signIn.click();
    await page.locator('.quick-input-widget input').fill('device code');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'device code' }).first().waitFor({ timeout: 30_000 });
    await page.keyboard.press('Enter');
    // Without the test driver, toasts show: the code is offered with "Copy code and open".
    const code = page.locator('.notification-toast', { hasText: 'To sign in, enter the code' });
    await code.waitFor({ timeout: 30_000 });
    sandbox.stdin.write('\n');
    await waitForOutput(/Approved device code \w+ for adele@contoso\.onmicrosoft\.com/, 30_000);
    await page.locator('.statusbar-item', { hasText: 'adele@contoso.onmicrosoft.com' }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'sandbox-signed-in');

    const exited = new Promise<number | null>((resolve) => sandbox!.once('exit', (code) => resolve(code)));
    sandbox.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.match(output, /Stopping the sandbox/);
  });
});
