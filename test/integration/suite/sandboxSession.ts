/**
 * The set-up most integration suites share: the extension activated, the sandbox tenant started in this extension
 * host, our settings pointed at it (Global, as a user would), and Adele signed in with a device code; and the
 * clean-up that leaves the window as it found it for the next suite.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../../src/extension';
import { ADELE, CONTOSO } from '../../emulator/identity/directory';
import { testTlsFromEnvironment } from '../../emulator/identity/testTls';
import { startSandboxTenant, type SandboxTenant, type SandboxTenantOptions } from '../../emulator/sandboxTenant';
import { eventually } from '../../support/eventually';

const EXTENSION_ID = 'autopilot-devices.autopilot-devices';

export interface SandboxSession {
  readonly api: ExtensionApi;
  readonly sandbox: SandboxTenant;
  /** Approves the device code the extension asked for last, as Adele would at the login page. */
  approveNextDeviceCode(): Promise<void>;
  /** Signs out, resets every setting the session set, closes the editors and stops the sandbox. */
  close(): Promise<void>;
}

export interface SandboxSessionOptions extends Omit<SandboxTenantOptions, 'tls'> {
  /** Our settings (without the `autopilot.` prefix); the cloud's authority and Graph root are added. */
  readonly settings: Record<string, unknown>;
  /** Whether Adele signs in to Contoso before the suite starts (the default). */
  readonly signIn?: boolean;
}

const configuration = () => vscode.workspace.getConfiguration('autopilot');

export async function openSandboxSession(options: SandboxSessionOptions): Promise<SandboxSession> {
  const { settings, signIn = true, ...tenant } = options;
  const extension = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(extension);
  const api = await extension.activate();
  const sandbox = await startSandboxTenant({ tls: testTlsFromEnvironment(), identity: { deviceCodePollIntervalSeconds: 1 }, ...tenant });
  const applied = { ...settings, authority: sandbox.identity.authorityHost, graphRoot: sandbox.graph.url };
  const approveNextDeviceCode = async () => {
    const [pending] = await eventually('a device code', () => sandbox.identity.pendingDeviceCodes().length > 0 && sandbox.identity.pendingDeviceCodes());
    sandbox.identity.approveDeviceCode(pending!.userCode, ADELE.username);
  };
  const session: SandboxSession = {
    api,
    sandbox,
    approveNextDeviceCode,
    close: async () => {
      for (const account of [...api.auth.accounts]) await vscode.commands.executeCommand('autopilot.signOut', account.id);
      for (const key of Object.keys(applied)) await configuration().update(key, undefined, vscode.ConfigurationTarget.Global);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await sandbox.close();
    },
  };
  try {
    for (const [key, value] of Object.entries(applied)) await configuration().update(key, value, vscode.ConfigurationTarget.Global);
    await eventually('the sandbox cloud to reach the sign-in service', () => !api.auth.settingsProblem && api.auth.settings.endpoints.graphRoot === sandbox.graph.url);
    if (signIn) {
      const signingIn = vscode.commands.executeCommand('autopilot.signIn', { flow: 'deviceCode', tenantId: CONTOSO.domain });
      await approveNextDeviceCode();
      await signingIn;
      assert.equal(api.auth.activeAccount?.tenantId, CONTOSO.id);
    }
  } catch (error) {
    await session.close();
    throw error;
  }
  return session;
}
