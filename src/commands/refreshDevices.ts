/** `autopilot.refreshDevices`: list the tenant's registered Autopilot devices again (the view shows them as they arrive). */
import * as vscode from 'vscode';
import type { RegisteredDevicesFeature } from '../views/registerRegisteredDevicesView';
import { DEVICES_VIEW_ID } from '../views/registeredDevicesTreeProvider';

export async function refreshDevices(devices: RegisteredDevicesFeature): Promise<number> {
  await vscode.window.withProgress({ location: { viewId: DEVICES_VIEW_ID } }, () => devices.service.refresh());
  return devices.model.size;
}
