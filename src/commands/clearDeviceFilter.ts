/** `autopilot.clearDeviceFilter`: show every registered device again. */
import type { RegisteredDevicesFeature } from '../views/registerRegisteredDevicesView';

export function clearDeviceFilter(devices: RegisteredDevicesFeature): void {
  devices.model.setFilter(undefined);
}
