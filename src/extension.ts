// Composition root: build the services once, register the features, and let `context.subscriptions` own them.
import * as vscode from 'vscode';
import { activationBreakdown, markLoaded } from './common/startupTimer';
import { vscodeTransport } from './auth/vscode/proxySettings';
import { registerAuth } from './auth/vscode/registerAuth';
import { commandTable } from './commands/commandTable';
import { registerCommands } from './commands/registerCommands';
import { registerPayloadEditor } from './editor/registerPayloadEditor';
import { registerImports } from './views/registerImportsView';
import { registerCorporateIdentifiers } from './views/registerCorporateIdentifiersView';
import { registerRegisteredDevices } from './views/registerRegisteredDevicesView';
import type { ExtensionServices } from './services';
import { AccountStatusBar } from './views/accountStatusBar';
import { CorporateIdentifiersModel } from './import/vscode/corporateIdentifiersModel';

markLoaded();

export interface ExtensionApi extends ExtensionServices {
  /** Loading plus `activate`, measured by the extension itself (the activation budget is 50 ms). */
  readonly activationMs: number;
  /** The same, in its parts: evaluating the bundle, and running `activate`. */
  readonly activation: { readonly loadMs: number; readonly activateMs: number };
}

export function activate(context: vscode.ExtensionContext): ExtensionApi {
  const activateStarted = performance.now();
  const log = vscode.window.createOutputChannel('Autopilot', { log: true });
  context.subscriptions.push(log);

  // Graph and sign-in leave through VS Code's proxy support, with http.proxyStrictSSL applied (see common/hostProxy.ts).
  const transport = vscodeTransport();
  const auth = registerAuth(context, log, transport);
  const accountStatusBar = new AccountStatusBar(auth);
  context.subscriptions.push(accountStatusBar);
  // Hovers in identifier files say what the tenant has, once the Corporate Identifiers view has read it.
  const identifierList = new CorporateIdentifiersModel();
  const payloads = registerPayloadEditor(context, log, (identifier) => identifierList.lookup(identifier));
  const importing = registerImports(context, log, auth, transport);
  const devices = registerRegisteredDevices(context, log, auth, importing);
  const identifiers = registerCorporateIdentifiers(context, log, auth, importing, identifierList);

  const services: ExtensionServices = { context, log, imports: importing.model, auth, accountStatusBar, payloads, importing, identifiers, devices };
  registerCommands(context, commandTable(services), log);

  const { loadMs, activateMs, totalMs: activationMs } = activationBreakdown(activateStarted);
  log.debug(`Activated in ${activationMs.toFixed(1)} ms (loading ${loadMs.toFixed(1)} ms, activate ${activateMs.toFixed(1)} ms)`);
  return { ...services, activationMs, activation: { loadMs, activateMs } };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
