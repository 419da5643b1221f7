/**
 * What a Recent Imports command acts on: the tree item it was invoked on (and the other selected items, when the
 * user selected several), or, from the Command Palette, a run the user picks.
 */
import * as vscode from 'vscode';
import { NothingToDoError, UserCancelledError } from '../common/errors';
import type { ImportsFeature } from '../views/registerImportsView';
import { sourceName } from '../import/vscode/importsModel';
import type { ImportsModel, RunEntry } from '../import/vscode/importsModel';
import { isDeviceNode, isRunNode, type DeviceNode, type ImportsNode, type RunNode } from '../views/importsTreeProvider';
import { countsText } from '../views/importTreeItems';

/** The clicked node plus the selection it belongs to (VS Code passes both for trees that allow several). */
export function selectedNodes(clicked: unknown, selection: unknown): ImportsNode[] {
  const chosen = Array.isArray(selection) ? selection.filter((node): node is ImportsNode => isRunNode(node) || isDeviceNode(node)) : [];
  const first = isRunNode(clicked) || isDeviceNode(clicked) ? clicked : undefined;
  if (first && chosen.includes(first)) return chosen;
  return first ? [first] : [];
}

export function deviceNodes(nodes: readonly ImportsNode[]): DeviceNode[] {
  return nodes.filter((node): node is DeviceNode => node.kind === 'device');
}

export function runNodes(nodes: readonly ImportsNode[]): RunNode[] {
  return nodes.filter((node): node is RunNode => node.kind === 'run');
}

/** Device nodes grouped by run: run id → device indexes. */
export function devicesByRun(nodes: readonly DeviceNode[]): Map<string, number[]> {
  const byRun = new Map<string, number[]>();
  for (const node of nodes) byRun.set(node.runId, [...(byRun.get(node.runId) ?? []), node.index]);
  return byRun;
}

/** Asks for one run among those `eligible` allows; when there is none, says so (as information, not as an error). */
export async function pickRun(model: ImportsModel, eligible: (entry: RunEntry) => boolean, title: string, none: string): Promise<string> {
  const runs = model.runs().filter(eligible);
  if (runs.length === 0) throw new NothingToDoError(none);
  if (runs.length === 1) return runs[0]!.view.id;
  const picked = await vscode.window.showQuickPick(
    runs.map((entry) => ({
      runId: entry.view.id,
      label: sourceName(entry.view.source),
      description: new Date(entry.view.startedAt).toLocaleString(vscode.env.language),
      detail: countsText(entry),
    })),
    { title, placeHolder: vscode.l10n.t('Choose an import') },
  );
  if (!picked) throw new UserCancelledError();
  return picked.runId;
}

/**
 * The runs a command acts on, each with the devices chosen in it (undefined: the whole run): the selected tree items,
 * or, when there are none (the Command Palette), one eligible run the user picks.
 */
export async function targetRuns(
  importing: ImportsFeature,
  clicked: unknown,
  selection: unknown,
  pick: { readonly eligible: (entry: RunEntry) => boolean; readonly title: string; readonly none: string },
): Promise<Map<string, number[] | undefined>> {
  const nodes = selectedNodes(clicked, selection);
  const targets = new Map<string, number[] | undefined>(devicesByRun(deviceNodes(nodes)));
  for (const node of runNodes(nodes)) targets.set(node.runId, undefined);
  if (targets.size === 0) {
    if (!importing.model.loaded) await importing.service.loadRuns();
    targets.set(await pickRun(importing.model, pick.eligible, pick.title, pick.none), undefined);
  }
  return targets;
}
