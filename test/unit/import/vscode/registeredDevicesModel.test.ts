/** The Autopilot Devices view's model: the filter's words, and a listing that fills it page by page. */
import * as assert from 'node:assert/strict';
import type { DeviceSummary } from '../../../../src/import/lifecycle/registeredDevices';
import { RegisteredDevicesModel, matchesFilter, parseDeviceFilter } from '../../../../src/import/vscode/registeredDevicesModel';

function device(id: string, fields: Partial<DeviceSummary> = {}): DeviceSummary {
  return {
    id,
    serialNumber: `SER${id}`,
    groupTag: '',
    displayName: '',
    userPrincipalName: '',
    manufacturer: 'Dell Inc.',
    model: 'Latitude 7440',
    enrollmentState: 'notContacted',
    profileStatus: null,
    lastContactedDateTime: null,
    azureActiveDirectoryDeviceId: null,
    managedDeviceId: null,
    ...fields,
  };
}

describe('Autopilot Devices model', () => {
  it('reads serial:, tag:, model: and user: filters, and a plain word as any of them, ignoring case', () => {
    const kiosk = device('1', { groupTag: 'Kiosk', userPrincipalName: 'adele@contoso.com' });
    assert.deepEqual(parseDeviceFilter('  Tag: KIOSK '), { text: 'Tag: KIOSK', field: 'tag', value: 'kiosk' });
    assert.equal(parseDeviceFilter('   '), undefined);
    assert.ok(matchesFilter(kiosk, parseDeviceFilter('tag:kio')));
    assert.ok(!matchesFilter(kiosk, parseDeviceFilter('serial:kio')));
    assert.ok(matchesFilter(kiosk, parseDeviceFilter('model:latitude 7440')) && matchesFilter(kiosk, parseDeviceFilter('model:dell')), 'model matches manufacturer and model');
    assert.ok(matchesFilter(kiosk, parseDeviceFilter('user:ADELE@')));
    assert.ok(matchesFilter(kiosk, parseDeviceFilter('ser1')), 'a plain word looks in the serial too');
    assert.ok(!matchesFilter(kiosk, parseDeviceFilter('sales')));
  });

  it('fills page by page while reading, then holds the finished list for its tenant; another tenant starts empty', () => {
    const model = new RegisteredDevicesModel();
    let changes = 0;
    model.onDidChange(() => changes++);
    model.startReading('contoso.onmicrosoft.com');
    model.addPage([device('1'), device('2')], 1);
    assert.equal(model.state, 'reading');
    assert.equal(model.size, 2);
    model.addPage([device('2'), device('3')], 2);
    assert.equal(model.size, 3, 'a device the cursor repeats is there once');
    model.finish([device('1'), device('2'), device('3')], 'contoso.onmicrosoft.com', true, 3);
    assert.equal(model.state, 'read');
    assert.equal(model.requests, 3);
    model.setFilter(parseDeviceFilter('serial:ser3'));
    assert.deepEqual(model.shown().map((shown) => shown.id), ['3']);
    model.remove(['3']);
    assert.deepEqual(model.shown(), []);
    model.startReading('fabrikam.onmicrosoft.com');
    assert.equal(model.size, 0);
    assert.ok(changes >= 7);
  });
});
