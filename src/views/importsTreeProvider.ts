/**
 * The Recent Imports tree: runs, and their devices below. It reads the model and listens to it; loading the journal
 * is the import service's job (passed in as `load`), and nothing here talks to Graph.
 */
import * as vscode from 'vscode';
import { deviceTooltip, deviceTreeItem, runTreeItem } from './importTreeItems';
import type { ImportsModel } from '../import/vscode/importsModel';
import type { ProfileFollower } from '../import/vscode/profileFollower';

export const IMPORTS_VIEW_ID = 'autopilot.imports';

/**
 * The least time between two redraws of the runs' rows: 1 s, and 1 ms per device row of the largest run changed, up
 * to 5 s. VS Code fetches every row of an expanded run again on each redraw, and a run's state changes with every
 * answer and poll: a run of 5,000 devices redrawn on each change held the extension host for a good part of its
 * import (bench/RESULTS.md, `npm run bench:host`). Changes in between are drawn together at the end of the wait.
 */
function redrawInterval(rows: number): number {
  return Math.min(5000, Math.max(1000, rows));
}

export interface RunNode {
  readonly kind: 'run';
  readonly runId: string;
}

export interface DeviceNode {
  readonly kind: 'device';
  readonly runId: string;
  /** The device's position in its run. */
  readonly index: number;
}

export type ImportsNode = RunNode | DeviceNode;

export function isRunNode(value: unknown): value is RunNode {
  return typeof value === 'object' && value !== null && (value as RunNode).kind === 'run' && typeof (value as RunNode).runId === 'string';
}

export function isDeviceNode(value: unknown): value is DeviceNode {
  return (
    typeof value === 'object' && value !== null && (value as DeviceNode).kind === 'device' && typeof (value as DeviceNode).runId === 'string' && Number.isInteger((value as DeviceNode).index)
  );
}

export class ImportsTreeProvider implements vscode.TreeDataProvider<ImportsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ImportsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  // Nodes are kept per id so `reveal`, `getParent` and selections see the same objects across refreshes.
  private readonly runNodes = new Map<string, RunNode>();
  private readonly deviceNodes = new Map<string, DeviceNode>();
  private readonly subscription: { dispose(): void };
  private readonly profileSubscription: { dispose(): void } | undefined;
  /** Runs the view has not listed yet that someone waits to see listed (to reveal them). */
  private readonly listedWaiters = new Map<string, (() => void)[]>();
  /** The runs of the view's last look at the top level. */
  private listed = new Set<string>();
  /** Runs changed since their last redraw, drawn when `redrawTimer` fires. */
  private readonly changedRuns = new Set<string>();
  private redrawTimer: NodeJS.Timeout | undefined;
  private lastRedraw = -Infinity;

  constructor(
    private readonly model: ImportsModel,
    private readonly load: () => Promise<void>,
    private readonly profiles?: ProfileFollower,
  ) {
    this.profileSubscription = profiles?.onDidChange((runIds) => this.redraw(runIds));
    this.subscription = model.onDidChange((change) => {
      if (!change.runIds) {
        this.forgetRemovedRuns();
        this.changedRuns.clear();
        this.changed.fire(undefined);
        return;
      }
      this.redraw(change.runIds);
    });
  }

  /** Redraws runs now, or with the next redraw if one was made less than `RUN_REDRAW_MS` ago. */
  private redraw(runIds: readonly string[]): void {
    for (const runId of runIds) this.changedRuns.add(runId);
    if (this.redrawTimer) return;
    const rows = Math.max(0, ...[...this.changedRuns].map((runId) => this.model.run(runId)?.view.devices.length ?? 0));
    const wait = this.lastRedraw + redrawInterval(rows) - performance.now();
    if (wait <= 0) this.redrawChanged();
    else this.redrawTimer = setTimeout(() => this.redrawChanged(), wait);
  }

  private redrawChanged(): void {
    this.redrawTimer = undefined;
    this.lastRedraw = performance.now();
    const runIds = [...this.changedRuns];
    this.changedRuns.clear();
    for (const runId of runIds) this.changed.fire(this.runNode(runId));
  }

  runNode(runId: string): RunNode {
    let node = this.runNodes.get(runId);
    if (!node) this.runNodes.set(runId, (node = { kind: 'run', runId }));
    return node;
  }

  deviceNode(runId: string, index: number): DeviceNode {
    const key = `${runId}/${index}`;
    let node = this.deviceNodes.get(key);
    if (!node) this.deviceNodes.set(key, (node = { kind: 'device', runId, index }));
    return node;
  }

  getTreeItem(node: ImportsNode): vscode.TreeItem {
    const entry = this.model.run(node.runId);
    if (!entry) return new vscode.TreeItem(vscode.l10n.t('(removed)'));
    if (node.kind === 'run') {
      const newest = this.model.runs()[0]?.view.id === node.runId;
      return runTreeItem(entry, newest || entry.activity !== 'idle');
    }
    const device = entry.view.devices[node.index];
    return device ? deviceTreeItem(node.runId, device, entry, this.profiles?.profile(device.registrationId)) : new vscode.TreeItem(vscode.l10n.t('(removed)'));
  }

  /** A device's tooltip, built when its row is hovered (see `deviceTreeItem`). */
  resolveTreeItem(item: vscode.TreeItem, node: ImportsNode): vscode.TreeItem {
    if (node.kind !== 'device' || item.tooltip) return item;
    const entry = this.model.run(node.runId);
    const device = entry?.view.devices[node.index];
    if (entry && device) item.tooltip = deviceTooltip(device, entry, this.profiles?.profile(device.registrationId));
    return item;
  }

  async getChildren(parent?: ImportsNode): Promise<ImportsNode[]> {
    if (!parent) {
      if (!this.model.loaded) await this.load();
      const roots = this.model.runs().map((entry) => this.runNode(entry.view.id));
      this.listed = new Set(roots.map((node) => node.runId));
      for (const node of roots) this.notifyListed(node.runId);
      return roots;
    }
    if (parent.kind === 'device') return [];
    const entry = this.model.run(parent.runId);
    return entry ? entry.view.devices.map((device) => this.deviceNode(parent.runId, device.index)) : [];
  }

  getParent(node: ImportsNode): ImportsNode | undefined {
    return node.kind === 'device' ? this.runNode(node.runId) : undefined;
  }

  /**
   * Resolves once the view has listed the run (its next look at the top level after the run appeared), or at once when
   * it already has. Resolves anyway when the provider is disposed.
   */
  whenListed(runId: string): Promise<void> {
    if (this.listed.has(runId)) return Promise.resolve();
    return new Promise((resolve) => this.listedWaiters.set(runId, [...(this.listedWaiters.get(runId) ?? []), resolve]));
  }

  private notifyListed(runId: string): void {
    const waiters = this.listedWaiters.get(runId);
    if (!waiters) return;
    this.listedWaiters.delete(runId);
    // After this call has returned its nodes to VS Code: it ignores a reveal of a node it has not been given yet.
    setTimeout(() => waiters.forEach((resolve) => resolve()), 0);
  }

  private forgetRemovedRuns(): void {
    for (const runId of this.runNodes.keys()) {
      if (this.model.run(runId)) continue;
      this.runNodes.delete(runId);
      for (const key of this.deviceNodes.keys()) if (key.startsWith(`${runId}/`)) this.deviceNodes.delete(key);
    }
  }

  dispose(): void {
    clearTimeout(this.redrawTimer);
    this.subscription.dispose();
    this.profileSubscription?.dispose();
    this.changed.dispose();
    for (const waiters of this.listedWaiters.values()) waiters.forEach((resolve) => resolve());
    this.listedWaiters.clear();
  }
}
