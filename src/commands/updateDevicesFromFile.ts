/**
 * `autopilot.updateDevicesFromFile [uri]` (Explorer: Update Autopilot Devices…): set group tags, display names and
 * assigned users from a CSV (`Serial Number` plus any of `Group Tag`, `Display Name`, `Assigned User`) or a JSON file
 * keyed by serial; an empty cell leaves the value as it is. The file is checked by the bundled schema's update rule,
 * the plan ("50 to change: Sales → Kiosk …, 2 not found") is shown and confirmed, and the change is journaled.
 */
import * as vscode from 'vscode';
import type { ExtensionServices } from '../services';
import { confirmPlan, planActs, planSummary, runChange, type ChangeCommandOptions, type ChangeCommandResult } from './deviceChanges';
import { readText } from './identifierFiles';
import { fileLabel, payloadTarget } from './payloadFiles';

export async function updateDevicesFromFile(services: ExtensionServices, argument?: unknown, rawOptions?: unknown): Promise<ChangeCommandResult> {
  const options = (rawOptions ?? {}) as ChangeCommandOptions;
  const uri = await payloadTarget(argument, 'any', vscode.l10n.t('Update Autopilot devices from a file'));
  const { text } = await readText(uri);
  const lifecycle = await import('../import/lifecycle/api');
  const file = lifecycle.parseUpdateText(text, uri.path);
  for (const problem of file.problems) services.log.warn(`${fileLabel(uri)}:${problem.line}: ${problem.severity} ${problem.code}: ${problem.message}`);
  const firstError = file.problems.find((problem) => problem.severity === 'error');
  if (firstError) {
    throw new Error(vscode.l10n.t('Nothing was changed: {0} line {1}: {2}{3}', fileLabel(uri), firstError.line, firstError.message, file.problems.length > 1 ? ` ${vscode.l10n.t('(the log lists all {0} problems)', file.problems.length)}` : ''));
  }
  if (!file.updates.length) throw new Error(vscode.l10n.t('{0} names no devices to update.', fileLabel(uri)));
  const index = await services.devices.service.index();
  const plan = lifecycle.planUpdate(file.updates, index);
  if (!planActs(plan, 'update')) throw new Error(vscode.l10n.t('Nothing to change in {0}: {1}.', fileLabel(uri), planSummary(plan, 'update')));
  if (options.confirmed !== true) {
    await confirmPlan(plan, 'update', plan.counts.update === 1 ? vscode.l10n.t('Update 1 registered Autopilot device from {0}?', fileLabel(uri)) : vscode.l10n.t('Update {0} registered Autopilot devices from {1}?', plan.counts.update ?? 0, fileLabel(uri)), vscode.l10n.t('Update'), services.log);
  }
  const items = lifecycle.changeItems(plan, index, 'update');
  const run = await runChange(services, { operation: 'update', items, source: uri.fsPath }, vscode.l10n.t('Updating Autopilot devices from {0}', fileLabel(uri)), options);
  return { plan, run };
}
