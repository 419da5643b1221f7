import * as assert from 'node:assert/strict';
import { planImport, planRemoval, planUpdate } from '../../../../src/import/lifecycle/plan';
import { RegisteredDeviceIndex, type DeviceSummary } from '../../../../src/import/lifecycle/registeredDevices';
import { looksLikeUpdateFile, parseUpdateText } from '../../../../src/import/lifecycle/updateFile';

function device(id: string, serialNumber: string, extra: Partial<DeviceSummary> = {}): DeviceSummary {
  return {
    id,
    serialNumber,
    groupTag: 'Sales',
    displayName: '',
    userPrincipalName: '',
    manufacturer: 'HP',
    model: 'EliteBook',
    enrollmentState: 'notContacted',
    profileStatus: null,
    lastContactedDateTime: null,
    azureActiveDirectoryDeviceId: null,
    managedDeviceId: '00000000-0000-0000-0000-000000000000',
    ...extra,
  };
}

describe('update files and plans', () => {
  const registered = new RegisteredDeviceIndex([
    device('id-1', 'SN1'),
    device('id-2', 'SN2', { groupTag: 'Kiosk', displayName: 'KIOSK-02' }),
    device('id-3', 'Default string'),
    device('id-4', 'Default string'),
    device('id-5', 'ENROLLED', { managedDeviceId: 'a0b1c2d3-0000-4000-8000-000000000001', enrollmentState: 'enrolled' }),
  ]);

  it('reads a CSV update file: any of the columns, an empty cell leaves the value, every row checked by the schema', () => {
    const csv = ['Serial Number,Group Tag,Display Name,Assigned User', 'SN1,Kiosk,,', 'sn2,,KIOSK-2,ana@contoso.com', 'SN3,,THIS-NAME-IS-TOO-LONG,', 'SN4,,1234,', 'SN5,,bad_name,', 'SN1,Other,,', 'SN6,,,not-a-upn'].join('\r\n');
    const file = parseUpdateText(csv, 'changes.csv');
    assert.deepEqual(file.updates[0], { line: 2, serialNumber: 'SN1', groupTag: 'Kiosk' });
    assert.deepEqual(file.updates[1], { line: 3, serialNumber: 'sn2', displayName: 'KIOSK-2', userPrincipalName: 'ana@contoso.com' });
    const problems = file.problems.map((p) => `${p.line} ${p.severity} ${p.code}`);
    assert.deepEqual(problems, ['4 error display-name', '5 error display-name', '6 error display-name', '7 warning duplicate-serial', '8 warning upn-format']);
    assert.match(file.problems[0]!.message, /15 characters/);
    assert.deepEqual(parseUpdateText(`Serial Number,Group Tag\nSN1,${'x'.repeat(129)}\n`, 'u.csv').problems.map((p) => p.code), ['group-tag-too-long']);
  });

  it('reads a JSON update file and refuses a CSV without a Serial Number column', () => {
    const json = JSON.stringify([{ serialNumber: 'SN1', groupTag: '' }, { serialNumber: 'SN2', displayName: 'PC-7', colour: 'red' }], null, 2);
    const file = parseUpdateText(json, 'changes.autopilot.json');
    assert.deepEqual(file.updates.map(({ line: _line, ...rest }) => rest), [{ serialNumber: 'SN1' }, { serialNumber: 'SN2', displayName: 'PC-7', colour: 'red' }]);
    assert.deepEqual(file.problems.map((p) => [p.line, p.code]), [[6, 'unknown-property']]);
    assert.equal(parseUpdateText('Group Tag\nSales\n', 'x.csv').problems[0]?.code, 'missing-column');
    assert.ok(looksLikeUpdateFile('Serial Number,Group Tag\nA,B\n') && !looksLikeUpdateFile('Device Serial Number,Windows Product ID,Hardware Hash\n'));
    assert.ok(looksLikeUpdateFile(json) && !looksLikeUpdateFile('[{"serialNumber":"A","hardwareIdentifier":"AAAA"}]'));
  });

  it('plans an update with changes from → to, unchanged, not-found, an ambiguous serial and a duplicate', () => {
    const { updates } = parseUpdateText(['Serial Number,Group Tag,Display Name', 'SN1,Kiosk,', 'SN2,Kiosk,KIOSK-02', 'MISSING,Kiosk,', 'Default string,Kiosk,', 'sn1,Other,'].join('\n'), 'u.csv');
    const plan = planUpdate(updates, registered);
    assert.deepEqual(plan.devices.slice(0, 3), [
      { serialNumber: 'SN1', action: 'update', registeredId: 'id-1', changes: { groupTag: { from: 'Sales', to: 'Kiosk' } } },
      { serialNumber: 'SN2', action: 'unchanged', registeredId: 'id-2' },
      { serialNumber: 'MISSING', action: 'not-found', registeredId: null },
    ]);
    assert.equal(plan.devices[3]!.action, 'not-found');
    assert.match(plan.devices[3]!.reason ?? '', /2 registered devices/);
    assert.equal(plan.devices[4]!.action, 'duplicate');
    assert.deepEqual(plan.counts, { update: 1, unchanged: 1, 'not-found': 2, duplicate: 1 });
  });

  it('plans an import: skip what is registered here (806), mark repeated serials or hashes as duplicates across files', () => {
    const seen = new Set<string>();
    const first = planImport([{ serialNumber: 'NEW1', hardwareIdentifier: 'AAAA' }, { serialNumber: 'sn1', hardwareIdentifier: 'BBBB' }], registered, seen);
    const second = planImport([{ serialNumber: 'NEW2', hardwareIdentifier: 'AAAA' }, { serialNumber: 'NEW1', hardwareIdentifier: 'CCCC' }], registered, seen);
    assert.deepEqual(first.devices.map((d) => [d.action, d.registeredId]), [['import', null], ['skip-registered', 'id-1']]);
    assert.deepEqual(second.counts, { import: 0, 'skip-registered': 0, duplicate: 2 });
  });

  it('plans a delete: an enrolled device is still-enrolled unless retired first', () => {
    assert.deepEqual(planRemoval(['SN1', 'ENROLLED', 'NOPE', 'SN1'], registered).devices.map((d) => d.action), ['delete', 'still-enrolled', 'not-found', 'duplicate']);
    assert.equal(planRemoval(['ENROLLED'], registered, { retire: true }).devices[0]!.action, 'delete');
  });
});
