import * as assert from 'node:assert/strict';
import { devicesToJsonPayload, devicesToPortalCsv, parsePayload, parsePayloadText, PORTAL_MAX_ROWS, type DeviceToImport } from '../../../src/payload/api';
import { CSV_HEADER_3, CSV_HEADER_4, CSV_HEADER_5, encodeAs, HASH, HASH2, hardwareHash, UNPADDED_HASH } from './fixtures';

const withoutLines = (devices: readonly DeviceToImport[]) => devices.map(({ line: _line, ...device }) => device);

function csvToJsonToCsv(csvText: string): { json: string; csv: Buffer; refused: number } {
  const fromCsv = parsePayload(encodeAs(csvText, 'windows-1252'), 'in.csv');
  const json = devicesToJsonPayload(fromCsv.devices);
  const fromJson = parsePayloadText(json, 'out.autopilot.json');
  assert.deepEqual(fromJson.problems, []);
  assert.deepEqual(withoutLines(fromJson.devices), withoutLines(fromCsv.devices));
  const exported = devicesToPortalCsv(fromJson.devices);
  assert.equal(exported.files.length, 1);
  return { json, csv: Buffer.from(exported.files[0]!.bytes), refused: exported.refused.length };
}

describe('conversions', () => {
  for (const [name, text] of [
    ['3 columns', `${CSV_HEADER_3}\r\nPF-1,,${HASH}\r\nPF-2,00330-80000-00000-AA123,${HASH2}\r\n`],
    ['4 columns', `${CSV_HEADER_4}\r\nPF-1,,${HASH},Büro Köln\r\nPF-2,,${HASH2},\r\n`],
    ['5 columns', `${CSV_HEADER_5}\r\nPF-1,,${HASH},Café,ana@contoso.com\r\nPF-2,,${HASH2},,\r\n`],
  ] as const) {
    it(`round-trips a ${name} portal CSV through JSON back to the same bytes`, () => {
      const original = encodeAs(text, 'windows-1252');
      const { csv, refused } = csvToJsonToCsv(text);
      assert.equal(refused, 0);
      assert.deepEqual(csv, original);
    });
  }

  it('round-trips a UTF-16 CSV from Windows PowerShell to the ANSI file the portal wants, losing no device', () => {
    const devices = Array.from({ length: 40 }, (_, index) => `PF-${index},,${hardwareHash(100 + index)},Büro ${index % 3},`);
    const text = `${CSV_HEADER_5}\r\n${devices.join('\r\n')}\r\n`;
    const fromCsv = parsePayload(encodeAs(text, 'utf-16le'), 'ps.csv');
    assert.equal(fromCsv.devices.length, 40);
    const exported = devicesToPortalCsv(parsePayloadText(devicesToJsonPayload(fromCsv.devices), 'x.autopilot.json').devices);
    const back = parsePayload(exported.files[0]!.bytes, 'portal.csv');
    assert.equal(back.encoding, 'windows-1252');
    assert.deepEqual(withoutLines(back.devices), withoutLines(fromCsv.devices));
    assert.ok(exported.files[0]!.text.startsWith(`${CSV_HEADER_4}\r\n`), 'no device has a user, so the 4-column header suffices');
  });

  it('writes the JSON as the import-action body, one property per line, without empty values', () => {
    const json = devicesToJsonPayload([{ serialNumber: 'PF-1', hardwareIdentifier: 'QUJD', groupTag: '', productKey: 'K', line: 7 }]);
    assert.equal(json, '{\n  "importedWindowsAutopilotDeviceIdentities": [\n    {\n      "serialNumber": "PF-1",\n      "hardwareIdentifier": "QUJD",\n      "productKey": "K"\n    }\n  ]\n}\n');
  });

  it('refuses values the portal cannot take and cells a spreadsheet would run, naming each device, keeping the rest', () => {
    const devices: DeviceToImport[] = [
      { serialNumber: 'OK-1', hardwareIdentifier: HASH, groupTag: 'Sales', line: 2 },
      { serialNumber: '=HYPERLINK("http://x")', hardwareIdentifier: HASH2, line: 3 },
      { serialNumber: 'OK-2', hardwareIdentifier: hardwareHash(5), groupTag: '+cmd', line: 4 },
      { serialNumber: 'OK-3', hardwareIdentifier: hardwareHash(6), groupTag: 'Sales, EMEA', line: 5 },
      { serialNumber: 'OK-4', hardwareIdentifier: hardwareHash(7), assignedUserPrincipalName: '@SUM(1)', line: 6 },
      { serialNumber: '東京-1', hardwareIdentifier: hardwareHash(8), line: 7 },
      { serialNumber: 'OK-5', hardwareIdentifier: UNPADDED_HASH, line: 8 },
      { serialNumber: 'OK-6', hardwareIdentifier: hardwareHash(9), groupTag: '\tTab', line: 9 },
    ];
    const exported = devicesToPortalCsv(devices);
    assert.deepEqual(
      exported.refused.map((refusal) => [refusal.serialNumber, refusal.line, refusal.code]),
      [
        ['=HYPERLINK("http://x")', 3, 'portal-separator'],
        ['OK-2', 4, 'portal-formula'],
        ['OK-3', 5, 'portal-separator'],
        ['OK-4', 6, 'portal-formula'],
        ['東京-1', 7, 'portal-not-ansi'],
        ['OK-5', 8, 'portal-hash'],
        ['OK-6', 9, 'portal-formula'],
      ],
    );
    for (const refusal of exported.refused) assert.ok(refusal.reason.length > 30);
    assert.equal(exported.files.length, 1);
    assert.equal(exported.files[0]!.text, `${CSV_HEADER_4}\r\nOK-1,,${HASH},Sales\r\n`);
    assert.equal(exported.files[0]!.devices + exported.refused.length, devices.length, 'every device is either written or named');
  });

  it('never writes a quotation mark, and splits more than 500 devices into portal-sized files', () => {
    const devices = Array.from({ length: 1203 }, (_, index) => ({ serialNumber: `PF-${index}`, hardwareIdentifier: hardwareHash(1000 + index, 300) }));
    const exported = devicesToPortalCsv(devices);
    assert.deepEqual(
      exported.files.map((file) => file.devices),
      [PORTAL_MAX_ROWS, PORTAL_MAX_ROWS, 203],
    );
    for (const file of exported.files) {
      assert.ok(!file.text.includes('"'));
      assert.ok(file.text.startsWith(`${CSV_HEADER_3}\r\n`));
    }
    const back = exported.files.flatMap((file) => parsePayload(file.bytes, 'part.csv').devices.map((device) => device.serialNumber));
    assert.deepEqual(back, devices.map((device) => device.serialNumber));
  });
});
