/**
 * Sign-in inside a real VS Code, with the identity emulator standing in for Entra ID: the extension host trusts the
 * emulator's test CA through NODE_EXTRA_CA_CERTS (set by the launcher), exactly as a user's private authority would be.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionServices } from '../../../src/services';
import { startIdentityEmulator, type IdentityEmulator } from '../../emulator/identity/identityEmulator';
import { ADELE, GRAPH_CLI_CLIENT_ID } from '../../emulator/identity/directory';
import { testTlsFromEnvironment } from '../../emulator/identity/testTls';
import { eventually as waitFor, soon } from '../../support/eventually';

const EXTENSION_ID = 'autopilot-devices.autopilot-devices';
const GRAPH_ROOT = 'https://graph.emulator.test';
const SETTINGS = ['cloud', 'authority', 'graphRoot', 'auth.flow'] as const;

describe('Sign-in in VS Code (device code from the command palette, emulated Entra ID)', function () {
  this.timeout(90_000);
  let emulator: IdentityEmulator;
  let services: ExtensionServices;
  const configuration = () => vscode.workspace.getConfiguration('autopilot');

  before(async () => {
    const extension = vscode.extensions.getExtension<ExtensionServices>(EXTENSION_ID);
    assert.ok(extension);
    services = await extension.activate();
    emulator = await startIdentityEmulator({ tls: testTlsFromEnvironment(), deviceCodePollIntervalSeconds: 1 });
    await configuration().update('cloud', 'custom', vscode.ConfigurationTarget.Global);
    await configuration().update('authority', emulator.authorityHost, vscode.ConfigurationTarget.Global);
    await configuration().update('graphRoot', GRAPH_ROOT, vscode.ConfigurationTarget.Global);
    await configuration().update('auth.flow', 'ask', vscode.ConfigurationTarget.Global);
    await waitFor('the new cloud to reach the sign-in service', () => !services.auth.settingsProblem && services.auth.settings.endpoints.authorityHost === emulator.authorityHost);
  });

  after(async () => {
    for (const key of SETTINGS) await configuration().update(key, undefined, vscode.ConfigurationTarget.Global);
    await emulator?.stop();
  });

  it('starts signed out, with a Sign in status bar item', () => {
    assert.equal(services.auth.activeAccount, undefined);
    assert.match(services.accountStatusBar.item.text, /Sign in to Intune/);
    assert.equal(services.accountStatusBar.item.command, 'autopilot.signIn');
  });

  it('signs in with the device code chosen in the quick pick, and shows the account in the status bar', async () => {
    const signIn = vscode.commands.executeCommand<{ label: string } | undefined>('autopilot.signIn');
    // Answer the "How do you want to sign in?" pick as a user would. In a remote or web window (code-server) the
    // device code is offered first; in a desktop window it is second.
    const remote = vscode.env.remoteName !== undefined || vscode.env.uiKind === vscode.UIKind.Web;
    const pending = await waitFor('a device code to be requested', async () => {
      if (emulator.pendingDeviceCodes().length > 0) return emulator.pendingDeviceCodes();
      if (!remote) await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return soon(() => emulator.pendingDeviceCodes().length > 0 && emulator.pendingDeviceCodes(), 2_000);
    });
    assert.equal(pending.length, 1);
    assert.equal(pending[0]!.clientId, GRAPH_CLI_CLIENT_ID);

    // The user enters the code at the device login page on another device.
    emulator.approveDeviceCode(pending[0]!.userCode, ADELE.username);
    const account = await signIn;
    assert.equal(account?.label, ADELE.username);

    await waitFor('the status bar to show the account', () => services.accountStatusBar.item.text.includes(ADELE.username));
    assert.match(services.accountStatusBar.item.text, /^\$\(account\) adele@contoso\.onmicrosoft\.com$/);
    assert.equal(services.accountStatusBar.item.command, 'autopilot.selectAccount');

    const token = await services.auth.getAccessToken();
    assert.ok(emulator.isValidAccessToken(token, { audience: GRAPH_ROOT }), 'the Graph side accepts the token');
  });

  it('keeps the token cache in SecretStorage only', async () => {
    const token = await services.auth.getAccessToken();
    const cacheKey = `autopilot.auth.tokenCache/${GRAPH_CLI_CLIENT_ID}/${new URL(emulator.authorityHost).host}`;
    assert.ok((await services.context.secrets.get(cacheKey))?.includes(token), 'the token cache is in SecretStorage');
    for (const key of services.context.globalState.keys()) {
      assert.ok(!JSON.stringify(services.context.globalState.get(key) ?? '').includes(token), `globalState ${key} holds the token`);
    }
    for (const key of services.context.workspaceState.keys()) {
      assert.ok(!JSON.stringify(services.context.workspaceState.get(key) ?? '').includes(token), `workspaceState ${key} holds the token`);
    }
  });

  it('signs out from the command palette and forgets the tokens', async () => {
    await vscode.commands.executeCommand('autopilot.signOut');
    await waitFor('the status bar to offer sign-in again', () => services.accountStatusBar.item.text.includes('Sign in'));
    assert.equal(services.auth.activeAccount, undefined);
    const cacheKey = `autopilot.auth.tokenCache/${GRAPH_CLI_CLIENT_ID}/${new URL(emulator.authorityHost).host}`;
    const stored = (await services.context.secrets.get(cacheKey)) ?? '';
    assert.ok(![...emulator.issuedSecrets].some((secret) => secret.length > 8 && stored.includes(secret)), 'a token survived sign-out');
  });

  it('signs in by arguments without asking (flow and tenant), and the status bar switches accounts on click', async () => {
    const signInTo = async (tenantId: string) => {
      const signIn = vscode.commands.executeCommand<{ id: string; tenantId: string } | undefined>('autopilot.signIn', { flow: 'deviceCode', tenantId });
      const [pending] = await waitFor('a device code', () => emulator.pendingDeviceCodes().length > 0 && emulator.pendingDeviceCodes());
      emulator.approveDeviceCode(pending!.userCode, ADELE.username);
      return signIn;
    };
    const contoso = await signInTo('contoso.onmicrosoft.com');
    const fabrikam = await signInTo('fabrikam.onmicrosoft.com');
    assert.equal(fabrikam?.tenantId, '72f988bf-0000-4000-8000-000000000002');
    assert.equal(services.auth.activeAccount?.id, fabrikam?.id, 'the newest sign-in is active');

    // Click the status bar item and choose the first account in the list (Contoso sorts first).
    const click = vscode.commands.executeCommand(services.accountStatusBar.item.command as string);
    await waitFor('the account to switch', async () => {
      await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      return soon(() => services.auth.activeAccount?.id === contoso?.id, 2_000);
    });
    await click;
    // The tenant is named by its verified domain where the account knows it (Adele's home tenant), else by its id.
    const tooltip = services.accountStatusBar.item.tooltip;
    const shown = (typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? '')).replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
    assert.match(shown, /Tenant: contoso\.onmicrosoft\.com \(72f988bf-0000-4000-8000-000000000001\)/);
    assert.equal(services.auth.accounts.find((account) => account.id === contoso?.id)?.tenantName, 'contoso.onmicrosoft.com');
    assert.equal(services.auth.accounts.find((account) => account.id === fabrikam?.id)?.tenantName, undefined, 'a guest tenant has no name the account knows');

    for (const account of [...services.auth.accounts]) await vscode.commands.executeCommand('autopilot.signOut', account.id);
    assert.equal(services.auth.accounts.length, 0);
  });

  it('"Copy code and open" puts the waiting code on the clipboard, and there is nothing to open once signed in', async () => {
    await vscode.env.clipboard.writeText('');
    const signIn = vscode.commands.executeCommand<{ label: string } | undefined>('autopilot.signIn', { flow: 'deviceCode' });
    const [pending] = await waitFor('a device code', () => emulator.pendingDeviceCodes().length > 0 && emulator.pendingDeviceCodes());
    const opened = await waitFor('the code to be offered', async () =>
      vscode.commands.executeCommand<{ userCode: string; verificationUri: string } | undefined>('autopilot.openDeviceLogin'),
    );
    assert.equal(opened.userCode, pending!.userCode);
    assert.equal(opened.verificationUri, emulator.deviceLoginUrl);
    assert.equal(await vscode.env.clipboard.readText(), pending!.userCode);

    emulator.approveDeviceCode(pending!.userCode, ADELE.username);
    assert.equal((await signIn)?.label, ADELE.username);
    // No code waits any more: the command says so (as information) instead of opening a stale page.
    assert.equal(await vscode.commands.executeCommand('autopilot.openDeviceLogin'), undefined);
    await vscode.commands.executeCommand('autopilot.signOut');
  });

  it('uses the method autopilot.auth.flow names without asking', async () => {
    await configuration().update('auth.flow', 'deviceCode', vscode.ConfigurationTarget.Global);
    try {
      const signIn = vscode.commands.executeCommand<{ label: string } | undefined>('autopilot.signIn');
      const [pending] = await waitFor('a device code, with no question asked', () => emulator.pendingDeviceCodes().length > 0 && emulator.pendingDeviceCodes());
      emulator.approveDeviceCode(pending!.userCode, ADELE.username);
      assert.equal((await signIn)?.label, ADELE.username);
      await vscode.commands.executeCommand('autopilot.signOut');
    } finally {
      await configuration().update('auth.flow', 'ask', vscode.ConfigurationTarget.Global);
    }
  });

  it("ignores a workspace's .vscode/settings.json that tries to redirect sign-in", async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the integration workspace has a folder');
    const settingsFile = vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json');
    const hostile = { 'autopilot.cloud': 'custom', 'autopilot.authority': 'https://login.attacker.example', 'autopilot.graphRoot': 'https://graph.attacker.example', 'autopilot.auth.clientId': '00000000-0000-4000-8000-0000000000ee' };
    // A window-scoped setting in the same file shows when VS Code has read it (and told every listener), instead of
    // waiting a while and hoping it has.
    await vscode.workspace.fs.writeFile(settingsFile, Buffer.from(JSON.stringify({ ...hostile, 'autopilot.poll.intervalSeconds': 42 })));
    try {
      await waitFor('VS Code to apply the workspace settings file', () => configuration().get<number>('poll.intervalSeconds') === 42);
      assert.equal(services.auth.settings.endpoints.authorityHost, emulator.authorityHost);
      assert.equal(services.auth.settings.endpoints.graphRoot, GRAPH_ROOT);
      assert.equal(services.auth.settings.clientId, GRAPH_CLI_CLIENT_ID);
    } finally {
      await vscode.workspace.fs.delete(settingsFile);
    }
  });

  it('wrote no token, code or secret to the Autopilot log file', async () => {
    const logFile = vscode.Uri.joinPath(services.context.logUri, 'Autopilot.log');
    const text = await waitFor('the log to be flushed', async () => {
      const content = Buffer.from(await vscode.workspace.fs.readFile(logFile)).toString('utf8');
      return content.includes('Signed in to tenant') && content;
    });
    const leaked = [...emulator.issuedSecrets].filter((secret) => secret.length >= 6 && text.includes(secret));
    assert.deepEqual(leaked.map((secret) => `${secret.slice(0, 4)}…`), [], 'the log contains issued secrets');
  });
});
