import type * as vscode from 'vscode';
import type { AuthService } from './auth/authService';
import type { AccountStatusBar } from './views/accountStatusBar';
import type { PayloadDiagnostics } from './editor/payloadDiagnostics';
import type { ImportsFeature } from './views/registerImportsView';
import type { ImportsModel } from './import/vscode/importsModel';
import type { CorporateIdentifiersFeature } from './views/registerCorporateIdentifiersView';
import type { RegisteredDevicesFeature } from './views/registerRegisteredDevicesView';

/** What the composition root builds once and hands to commands and views. */
export interface ExtensionServices {
  readonly context: vscode.ExtensionContext;
  readonly log: vscode.LogOutputChannel;
  /** What the Recent Imports tree shows (the same object as `importing.model`). */
  readonly imports: ImportsModel;
  /** Who is signed in, and `getAccessToken` for the Graph client (cloud, authority and scopes always agree). */
  readonly auth: AuthService;
  readonly accountStatusBar: AccountStatusBar;
  /** Live payload problems, shared by the editor features and the payload commands. */
  readonly payloads: PayloadDiagnostics;
  /** Import runs: the service that drives them, the tree, its view and the poll scheduler. */
  readonly importing: ImportsFeature;
  /** Corporate identifiers (Autopilot device preparation): the tenant's list, its view, imports and deletes. */
  readonly identifiers: CorporateIdentifiersFeature;
  /** Registered Autopilot devices (after the import): the cached list per tenant, its view, plans and bulk changes. */
  readonly devices: RegisteredDevicesFeature;
}
