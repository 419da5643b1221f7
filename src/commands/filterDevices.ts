/**
 * `autopilot.filterDevices [text]`: filter the Autopilot Devices view by serial, group tag, model or user, on the cached
 * list (no request). A serial the list does not hold yet (the listing is still paging, or never ran) is looked up with
 * Graph's serial filter and shown at once.
 */
import * as vscode from 'vscode';
import { UserCancelledError } from '../common/errors';
import { parseDeviceFilter, type DeviceFilter } from '../import/vscode/registeredDevicesModel';
import type { RegisteredDevicesFeature } from '../views/registerRegisteredDevicesView';
import { DEVICES_VIEW_ID } from '../views/registeredDevicesTreeProvider';

export interface FilterResult {
  readonly filter: DeviceFilter | undefined;
  readonly shown: number;
  /** Devices found through Graph's serial filter because the cached list did not hold them. */
  readonly lookedUp: number;
}

/** A filter that may name one serial: `serial:X`, or a plain word that looks like a serial (no spaces). */
function serialOf(filter: DeviceFilter): string | undefined {
  if (filter.field === 'serial' || (!filter.field && !/\s/.test(filter.text))) return filter.field ? filter.text.replace(/^[^:]*:\s*/, '') : filter.text;
  return undefined;
}

export async function filterDevices(devices: RegisteredDevicesFeature, argument?: unknown): Promise<FilterResult> {
  const { model, service } = devices;
  let text = typeof argument === 'string' ? argument : undefined;
  if (text === undefined) {
    text = await vscode.window.showInputBox({
      title: vscode.l10n.t('Filter Autopilot Devices'),
      prompt: vscode.l10n.t('Part of a serial number, group tag, model or user; or serial:, tag:, model:, user: for one of them. Empty shows all.'),
      value: model.filter?.text ?? '',
      placeHolder: vscode.l10n.t('e.g. tag:Kiosk, model:Latitude, PF3X'),
    });
    if (text === undefined) throw new UserCancelledError();
  }
  const filter = parseDeviceFilter(text);
  model.setFilter(filter);
  let lookedUp = 0;
  const serial = filter && serialOf(filter);
  if (serial && model.shown().length === 0) {
    // Not in what has arrived (still paging, or registered since): ask Graph for this serial.
    const found = await vscode.window.withProgress({ location: { viewId: DEVICES_VIEW_ID } }, () => service.find(serial));
    lookedUp = found.length;
  }
  if (filter && model.shown().length === 0 && model.state === 'read') void vscode.window.showInformationMessage(vscode.l10n.t('No registered device matches "{0}".', filter.text));
  return { filter, shown: model.shown().length, lookedUp };
}
