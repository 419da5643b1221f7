/**
 * `autopilot.openDeviceLogin` ("Copy code and open" in the device-code sign-in's notification, and in the Command
 * Palette while a code waits): the code to the clipboard, the sign-in page in the browser.
 */
import * as vscode from 'vscode';
import type { DeviceCodePrompt } from '../auth/delegatedAuth';
import { waitingDeviceCode } from '../auth/vscode/deviceCodeOffer';
import { NothingToDoError } from '../common/errors';

export async function openDeviceLogin(): Promise<DeviceCodePrompt> {
  const prompt = waitingDeviceCode();
  if (!prompt) throw new NothingToDoError(vscode.l10n.t('No device-code sign-in is waiting: run Autopilot: Sign In to start one.'));
  await vscode.env.clipboard.writeText(prompt.userCode);
  // openExternal maps a loopback page to where the browser can reach it (code-server's port proxy, a forwarded port).
  const opened = await vscode.env.openExternal(vscode.Uri.parse(prompt.verificationUri, true));
  if (!opened) {
    void vscode.window.showInformationMessage(vscode.l10n.t('The code {0} is on the clipboard: open {1} in a browser and paste it there.', prompt.userCode, prompt.verificationUri));
  }
  return prompt;
}
