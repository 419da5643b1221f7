/**
 * The device code a sign-in is waiting for, shown in one place: the sign-in's progress notification, which closes when
 * the sign-in ends. Its "Copy code and open" link runs `autopilot.openDeviceLogin` (also in the Command Palette while a
 * code waits), which puts the code on the clipboard and opens the page through `env.openExternal`. The code goes to
 * the user and the clipboard, never to the log.
 */
import * as vscode from 'vscode';
import type { DeviceCodePrompt } from '../delegatedAuth';

export const OPEN_DEVICE_LOGIN_COMMAND = 'autopilot.openDeviceLogin';
/** Context key: a device code is waiting to be entered (shows the command in the Command Palette). */
export const DEVICE_CODE_WAITING_CONTEXT_KEY = 'autopilot.deviceCodeWaiting';

let waiting: DeviceCodePrompt | undefined;

function setWaiting(prompt: DeviceCodePrompt | undefined): void {
  waiting = prompt;
  void vscode.commands.executeCommand('setContext', DEVICE_CODE_WAITING_CONTEXT_KEY, prompt !== undefined);
}

/** Offers `prompt` until the returned disposable is disposed (when the sign-in ends, however it ends). */
export function offerDeviceCode(prompt: DeviceCodePrompt): vscode.Disposable {
  setWaiting(prompt);
  return new vscode.Disposable(() => {
    if (waiting === prompt) setWaiting(undefined);
  });
}

/** The progress notification's text: the code, where to enter it, and the "Copy code and open" link. */
export function deviceCodeMessage(prompt: DeviceCodePrompt): string {
  return vscode.l10n.t('enter the code {0} at {1}. [Copy code and open](command:{2})', prompt.userCode, prompt.verificationUri, OPEN_DEVICE_LOGIN_COMMAND);
}

/** The code a sign-in is waiting for, if any. */
export function waitingDeviceCode(): DeviceCodePrompt | undefined {
  return waiting;
}
