/** `autopilot.copySerial` (Recent Imports): copy the selected devices' serial numbers, one per line. */
import * as vscode from 'vscode';
import type { ImportsModel } from '../import/vscode/importsModel';
import { deviceNodes, selectedNodes } from './importTargets';

export async function copySerial(model: ImportsModel, clicked?: unknown, selection?: unknown): Promise<string> {
  const serials = deviceNodes(selectedNodes(clicked, selection)).flatMap((node) => model.device(node.runId, node.index)?.serialNumber ?? []);
  if (serials.length === 0) throw new Error(vscode.l10n.t('Choose a device in Recent Imports to copy its serial number.'));
  const text = serials.join('\n');
  await vscode.env.clipboard.writeText(text);
  vscode.window.setStatusBarMessage(
    serials.length === 1 ? vscode.l10n.t('Copied serial number {0}', serials[0]!) : vscode.l10n.t('Copied {0} serial numbers', serials.length),
    4000,
  );
  return text;
}
