import * as vscode from 'vscode';
import { isNothingToDo, isUserCancelled, oneLineMessage } from '../common/errors';

/**
 * Runs a command body so that every failure reaches the user exactly once: cancellation is silent, "nothing to do" is
 * information, anything else is logged in full and shown as one line with a "Show Log" action. Command bodies just
 * throw.
 */
export async function runReportingErrors<T>(
  commandId: string,
  log: vscode.LogOutputChannel,
  body: () => T | Promise<T>,
): Promise<T | undefined> {
  try {
    return await body();
  } catch (error) {
    if (isUserCancelled(error)) {
      log.debug(`${commandId}: cancelled by the user`);
      return undefined;
    }
    if (isNothingToDo(error)) {
      log.info(`${commandId}: ${error.message}`);
      void vscode.window.showInformationMessage(error.message);
      return undefined;
    }
    log.error(`${commandId} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    void showErrorWithLog(oneLineMessage(error), log);
    return undefined;
  }
}

export async function showErrorWithLog(message: string, log: vscode.LogOutputChannel): Promise<void> {
  const showLog = vscode.l10n.t('Show Log');
  const choice = await vscode.window.showErrorMessage(message, showLog);
  if (choice === showLog) {
    log.show(true);
  }
}
