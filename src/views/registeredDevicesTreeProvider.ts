/**
 * The Autopilot Devices tree: the tenant's registered devices grouped by group tag (devices without one last), each
 * with its profile status in the row (and its enrollment when enrolled) and model, display name, user and the rest in
 * the tooltip. It reads the model, which fills page by page
 * while the list arrives; listing is the service's job (passed in as `load`, started once and never awaited here, so
 * the view shows what has arrived).
 */
import * as vscode from 'vscode';
import type { DeviceSummary } from '../import/lifecycle/registeredDevices';
import type { RegisteredDevicesModel } from '../import/vscode/registeredDevicesModel';
import { deviceDescription, deviceTooltip, modelText, profileIcon, profileStatusText } from './registeredDevicePresentation';
import { enrollmentStateLabel } from './corporateIdentifierPresentation';

export const DEVICES_VIEW_ID = 'autopilot.devices';

export interface DeviceGroupNode {
  readonly kind: 'device-group';
  /** The group tag ('' for devices without one). */
  readonly tag: string;
}

export interface RegisteredDeviceNode {
  readonly kind: 'registered-device';
  readonly id: string;
}

export type RegisteredDevicesNode = DeviceGroupNode | RegisteredDeviceNode;

export function isRegisteredDeviceNode(value: unknown): value is RegisteredDeviceNode {
  return typeof value === 'object' && value !== null && (value as RegisteredDeviceNode).kind === 'registered-device' && typeof (value as RegisteredDeviceNode).id === 'string';
}

export function isDeviceGroupNode(value: unknown): value is DeviceGroupNode {
  return typeof value === 'object' && value !== null && (value as DeviceGroupNode).kind === 'device-group' && typeof (value as DeviceGroupNode).tag === 'string';
}

export class RegisteredDevicesTreeProvider implements vscode.TreeDataProvider<RegisteredDevicesNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RegisteredDevicesNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly groups = new Map<string, DeviceGroupNode>();
  private readonly nodes = new Map<string, RegisteredDeviceNode>();
  private readonly subscription: { dispose(): void };
  /** The devices shown, by group tag, computed once per model change (tens of thousands of devices). */
  private byTag: Map<string, DeviceSummary[]> | undefined;

  constructor(
    private readonly model: RegisteredDevicesModel,
    private readonly load: () => void,
  ) {
    this.subscription = model.onDidChange(() => {
      this.byTag = undefined;
      this.changed.fire(undefined);
    });
  }

  groupNode(tag: string): DeviceGroupNode {
    let node = this.groups.get(tag);
    if (!node) this.groups.set(tag, (node = { kind: 'device-group', tag }));
    return node;
  }

  deviceNode(id: string): RegisteredDeviceNode {
    let node = this.nodes.get(id);
    if (!node) this.nodes.set(id, (node = { kind: 'registered-device', id }));
    return node;
  }

  /** Group tags as shown (compared ignoring case, as Intune's dynamic-group rules do), devices by serial. */
  private shownByTag(): Map<string, DeviceSummary[]> {
    if (this.byTag) return this.byTag;
    const byTag = new Map<string, DeviceSummary[]>();
    for (const device of this.model.shown()) {
      const tag = device.groupTag.trim();
      const list = byTag.get(tag);
      if (list) list.push(device);
      else byTag.set(tag, [device]);
    }
    for (const list of byTag.values()) list.sort((a, b) => a.serialNumber.localeCompare(b.serialNumber) || a.id.localeCompare(b.id));
    const tags = [...byTag.keys()].sort((a, b) => (a === '' ? 1 : b === '' ? -1 : a.localeCompare(b, undefined, { sensitivity: 'base' })));
    this.byTag = new Map(tags.map((tag) => [tag, byTag.get(tag)!]));
    return this.byTag;
  }

  /** The devices under a group node as shown (the filter applied). */
  devicesIn(tag: string): DeviceSummary[] {
    return this.shownByTag().get(tag) ?? [];
  }

  getTreeItem(node: RegisteredDevicesNode): vscode.TreeItem {
    if (node.kind === 'device-group') {
      const count = this.devicesIn(node.tag).length;
      const item = new vscode.TreeItem(node.tag || vscode.l10n.t('(no group tag)'), vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `device-group:${node.tag}`;
      item.description = count.toLocaleString(vscode.env.language);
      item.iconPath = new vscode.ThemeIcon('tag');
      item.contextValue = 'autopilotDeviceGroup';
      item.tooltip = node.tag ? vscode.l10n.t('{0} registered devices with group tag {1}', count, node.tag) : vscode.l10n.t('{0} registered devices without a group tag', count);
      return item;
    }
    const device = this.model.device(node.id);
    if (!device) return new vscode.TreeItem(vscode.l10n.t('(removed)'));
    const item = new vscode.TreeItem(device.serialNumber || vscode.l10n.t('(no serial number)'), vscode.TreeItemCollapsibleState.None);
    item.id = `registered-device:${device.id}`;
    item.description = deviceDescription(device);
    item.tooltip = deviceTooltip(device);
    item.iconPath = profileIcon(device.profileStatus);
    item.contextValue = 'autopilotRegisteredDevice';
    item.accessibilityInformation = {
      label: `${device.serialNumber}, ${modelText(device)}, ${enrollmentStateLabel(device.enrollmentState)}, ${profileStatusText(device.profileStatus)}`,
    };
    return item;
  }

  getChildren(parent?: RegisteredDevicesNode): RegisteredDevicesNode[] {
    if (!parent) {
      if (this.model.state === 'not-read') this.load();
      return [...this.shownByTag().keys()].map((tag) => this.groupNode(tag));
    }
    if (parent.kind === 'registered-device') return [];
    return this.devicesIn(parent.tag).map((device) => this.deviceNode(device.id));
  }

  getParent(node: RegisteredDevicesNode): RegisteredDevicesNode | undefined {
    if (node.kind === 'device-group') return undefined;
    const device = this.model.device(node.id);
    return device ? this.groupNode(device.groupTag.trim()) : undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
