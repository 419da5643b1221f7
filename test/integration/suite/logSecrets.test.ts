/**
 * Nothing secret reaches the Autopilot log, even at its most verbose level: with VS Code's log level at Trace (the
 * command VS Code offers extension tests for that), this suite signs in, validates, imports devices that carry product keys and user names,
 * retries the failures and syncs, and reads the log file VS Code wrote. No hardware hash, product key, access or
 * refresh token, device code or client secret may appear in it. All the while a workspace `.vscode/settings.json`
 * points Graph and sign-in at another (loopback, so otherwise usable) server: the settings are application-scoped,
 * so that server must see no request at all.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ImportFileResult } from '../../../src/commands/importFile';
import type { ExtensionApi } from '../../../src/extension';
import { ADELE, CONTOSO } from '../../emulator/identity/directory';
import { sandboxDevices, type SandboxTenant } from '../../emulator/sandboxTenant';
import { openSandboxSession, type SandboxSession } from './sandboxSession';
import { eventually } from '../../support/eventually';
import { findSecrets } from '../../support/secretScan';
import { startStrangerServer } from '../../support/strangerServer';

const EXTENSION_ID = 'autopilot-devices.autopilot-devices';
const SETTINGS: Record<string, unknown> = { cloud: 'custom', 'poll.intervalSeconds': 1, 'import.askForGroupTag': false, 'import.syncAfterImport': true, 'import.settleSeconds': 0.8 };

describe('Nothing secret in the Autopilot log at Trace level (sign-in, validate, import, retry, sync)', function () {
  this.timeout(120_000);
  let session: SandboxSession;
  let sandbox: SandboxTenant;
  let api: ExtensionApi;
  const configuration = () => vscode.workspace.getConfiguration('autopilot');

  before(async () => {
    const extension = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
    assert.ok(extension);
    api = await extension.activate();
    await vscode.commands.executeCommand('_extensionTests.setLogLevel', 'trace');
    await eventually('our log channel to follow VS Code to Trace', () => api.log.logLevel === vscode.LogLevel.Trace, 5_000);
    session = await openSandboxSession({
      graph: { timing: { processingDelayMs: 500, processingJitterMs: 0, registrationDelayMs: 500, syncDurationMs: 200, syncMinIntervalMs: 0 } },
      settings: SETTINGS,
      signIn: false,
    });
    sandbox = session.sandbox;
  });

  after(async () => {
    await session?.close();
    await vscode.commands.executeCommand('_extensionTests.setLogLevel', 'info');
  });

  it('runs with the Autopilot log channel at Trace', () => {
    assert.equal(api.log.logLevel, vscode.LogLevel.Trace, `our channel is at ${vscode.LogLevel[api.log.logLevel]}`);
  });

  it('logs the whole journey in detail, and no hash, product key, token, code or secret; ignores hostile workspace settings', async () => {
    const stranger = await startStrangerServer();
    const strangerRoot = stranger.origin;
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const workspaceSettings = vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json');
    const hostile = {
      'autopilot.cloud': 'custom',
      'autopilot.graphRoot': strangerRoot,
      'autopilot.authority': strangerRoot,
      'autopilot.auth.clientId': '00000000-0000-4000-8000-0000000000ee',
      'autopilot.auth.tenantId': 'attacker.example',
      'autopilot.auth.flow': 'clientSecret',
      'autopilot.auth.certificatePath': '/tmp/attacker.pem',
    };
    // A window-scoped setting next to them shows that VS Code did read the file.
    await vscode.workspace.fs.writeFile(workspaceSettings, Buffer.from(JSON.stringify({ ...hostile, 'autopilot.import.batchSize': 321 })));
    try {
      // The journey runs with the hostile settings in force: VS Code has read the file before it starts.
      await eventually('VS Code to read the workspace settings file', () => configuration().inspect('import.batchSize')?.workspaceValue === 321);
      await journey();
      assert.deepEqual(stranger.requests, [], 'nothing went to the server the workspace named');
      for (const key of Object.keys(hostile).map((name) => name.replace('autopilot.', ''))) {
        const { globalValue, defaultValue } = configuration().inspect(key)!;
        assert.deepEqual(configuration().get(key), globalValue ?? defaultValue, `${key} came from the workspace`);
      }
      assert.equal(configuration().inspect('import.batchSize')?.workspaceValue, 321, 'VS Code read the workspace settings file');
      assert.equal(api.auth.settings.endpoints.graphRoot, sandbox.graph.url);
    } finally {
      await vscode.workspace.fs.delete(workspaceSettings);
      stranger.close();
    }
  });

  async function journey(): Promise<void> {
    const signIn = vscode.commands.executeCommand('autopilot.signIn', { flow: 'deviceCode', tenantId: CONTOSO.domain });
    const [pending] = await eventually('a device code', () => sandbox.identity.pendingDeviceCodes().length > 0 && sandbox.identity.pendingDeviceCodes());
    const deviceCode = pending!.userCode;
    sandbox.identity.approveDeviceCode(deviceCode, ADELE.username);
    await signIn;

    const devices = sandboxDevices(sandbox, 3, 'LOGDEV').map((device, index) => ({
      ...device,
      productKey: `${String.fromCharCode(70 + index)}KEY${index}-QWERT-ASDFG-ZXCVB-Y${String(index).padStart(4, '7')}`,
      assignedUserPrincipalName: `user${index}@contoso.com`,
    }));
    const uri = vscode.Uri.joinPath(vscode.workspace.workspaceFolders![0]!.uri, 'imports', 'secrets.autopilot.json');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(JSON.stringify(devices, null, 2)));

    await vscode.commands.executeCommand('autopilot.validateFile', uri);
    // One device fails on Intune's side, so the retry below sends it again (806 and 808 are never retried).
    sandbox.graph.state.forceOutcome(devices[1]!.serialNumber, { status: 'error', errorCode: 0, errorName: 'StorageError' });
    const result = await vscode.commands.executeCommand<ImportFileResult>('autopilot.importFile', uri, { groupTag: null });
    assert.ok(result && result.outcome === 'processed', `the import ran (${String(result?.outcome)})`);
    await eventually('the run to be idle', () => api.imports.run(result.runId)?.activity === 'idle');
    sandbox.graph.state.forcedOutcomes.clear();
    await vscode.commands.executeCommand('autopilot.retryFailed', api.importing.tree.runNode(result.runId));
    await eventually('the retry to be idle', () => api.imports.run(result.runId)?.activity === 'idle');
    await vscode.commands.executeCommand('autopilot.syncAutopilot');

    const logFile = vscode.Uri.joinPath(api.context.logUri, 'Autopilot.log');
    const text = await eventually('the log to show the retry', async () => {
      const content = Buffer.from(await vscode.workspace.fs.readFile(logFile)).toString('utf8');
      return /\[trace\]/.test(content) && content.includes(result.runId) && content;
    });
    assert.match(text, /\[debug\] POST .*importedWindowsAutopilotDeviceIdentities/, 'requests are logged at debug');

    const leaks = findSecrets(text, {
      hashes: devices.map((device) => device.hardwareIdentifier),
      productKeys: devices.map((device) => device.productKey),
      tokens: [...sandbox.identity.issuedSecrets].filter((secret) => secret.length >= 6),
    });
    if (text.includes(deviceCode)) leaks.push('the device code');
    assert.deepEqual(leaks, []);
    for (const device of devices) assert.equal(sandbox.graph.state.tenant(CONTOSO.id).created.filter((r) => r.serialNumber === device.serialNumber).length >= 1, true, `${device.serialNumber} reached the sandbox`);
    assert.equal(sandbox.graph.state.tenant(CONTOSO.id).created.filter((r) => r.serialNumber === devices[1]!.serialNumber).length, 2, 'the retry sent the failed device again');
  }
});
