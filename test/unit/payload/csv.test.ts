import * as assert from 'node:assert/strict';
import { hasErrors, parsePayload, parsePayloadText } from '../../../src/payload/api';
import { CSV_HEADER_3, CSV_HEADER_4, CSV_HEADER_5, HASH, HASH2 } from './fixtures';

const read = (text: string) => parsePayloadText(text, 'hashes.csv');

describe('hardware-hash CSV', () => {
  it('reads the 3-, 4- and 5-column headers Get-WindowsAutopilotInfo writes', () => {
    const three = read(`${CSV_HEADER_3}\r\nPF-1,,${HASH}\r\n`);
    assert.deepEqual(three.problems, []);
    assert.deepEqual(three.devices, [{ serialNumber: 'PF-1', hardwareIdentifier: HASH, line: 2 }]);

    const four = read(`${CSV_HEADER_4}\r\nPF-1,,${HASH},Kiosk\r\n`);
    assert.deepEqual(four.devices[0], { serialNumber: 'PF-1', hardwareIdentifier: HASH, groupTag: 'Kiosk', line: 2 });

    const five = read(`${CSV_HEADER_5}\r\nPF-1,00330-80000-00000-AA123,${HASH},Kiosk,ana@contoso.com\r\n`);
    assert.deepEqual(five.devices[0], {
      serialNumber: 'PF-1',
      hardwareIdentifier: HASH,
      groupTag: 'Kiosk',
      productKey: '00330-80000-00000-AA123',
      assignedUserPrincipalName: 'ana@contoso.com',
      line: 2,
    });
  });

  it('reads the partner variant and says its manufacturer and model columns are not sent', () => {
    const result = read(`${CSV_HEADER_3},Manufacturer name,Device model\r\nPF-1,,${HASH},Contoso,Laptop 5\r\n`);
    assert.equal(result.devices.length, 1);
    assert.deepEqual(
      result.problems.map((problem) => [problem.code, problem.severity, problem.column]),
      [
        ['csv-partner-column', 'warning', 55],
        ['csv-partner-column', 'warning', 73],
      ],
    );
  });

  it('reads the legacy OrderID column as the group tag', () => {
    const result = read(`${CSV_HEADER_3},OrderID\r\nPF-1,,${HASH},Kiosk\r\n`);
    assert.equal(result.devices[0]!.groupTag, 'Kiosk');
    assert.equal(result.problems[0]!.fix!.edits[0]!.newText, 'Group Tag');
  });

  it('matches headers loosely but warns, with a fix, when case or spacing differ from the portal', () => {
    const result = read(`device serial number,Windows Product ID,HardwareHash\r\nPF-1,,${HASH}\r\n`);
    assert.equal(result.devices.length, 1);
    assert.deepEqual(
      result.problems.map((problem) => [problem.code, problem.column, problem.fix?.edits[0]?.newText]),
      [
        ['csv-header-case', 1, 'Device Serial Number'],
        ['csv-header-case', 41, 'Hardware Hash'],
      ],
    );
  });

  it('reads columns in any order by their header', () => {
    const result = read(`Hardware Hash,Group Tag,Device Serial Number\r\n${HASH},Kiosk,PF-1\r\n`);
    assert.deepEqual(result.devices[0], { serialNumber: 'PF-1', hardwareIdentifier: HASH, groupTag: 'Kiosk', line: 2 });
  });

  it('reads quoted cells, doubled quotes and line breaks inside quotes, and keeps line numbers right', () => {
    const text = `${CSV_HEADER_4}\r\n"PF-1",,"${HASH}","Sales, ""EMEA"""\r\n"PF\r\n2",,${HASH2},x\r\nPF-3,,${HASH}=,\r\n`;
    const result = read(text);
    assert.deepEqual(
      result.devices.map((device) => [device.serialNumber, device.groupTag, device.line]),
      [
        ['PF-1', 'Sales, "EMEA"', 2],
        ['PF\r\n2', 'x', 3],
        ['PF-3', undefined, 5],
      ],
    );
    const padding = result.problems.find((problem) => problem.code === 'hash-not-base64' || problem.code === 'hash-padding');
    assert.equal(padding?.line, 5);
    assert.equal(padding?.column, 7);
  });

  it('treats a header-only CSV as an error, and an empty line as a warning with a fix', () => {
    const headerOnly = read(`${CSV_HEADER_5}\r\n`);
    assert.equal(hasErrors(headerOnly), true);
    assert.deepEqual(
      headerOnly.problems.map((problem) => problem.code),
      ['payload-empty'],
    );
    const blank = read(`${CSV_HEADER_3}\r\nPF-1,,${HASH}\r\n\r\nPF-2,,${HASH2}\r\n`);
    assert.equal(blank.devices.length, 2);
    assert.deepEqual(blank.problems[0]!.fix!.edits, [{ line: 3, column: 1, endLine: 4, endColumn: 1, newText: '' }]);
  });

  it('says when the columns are separated by semicolons or tabs', () => {
    assert.match(read(`Device Serial Number;Windows Product ID;Hardware Hash\r\nPF-1;;${HASH}\r\n`).problems[0]!.message, /separated by ";"/);
    assert.match(read(`Device Serial Number\tWindows Product ID\tHardware Hash\r\nPF-1\t\t${HASH}\r\n`).problems[0]!.message, /separated by "Tab"/);
  });

  // Found by the fuzz test: a file saved with two byte-order marks keeps one in the text, which Papa Parse dropped
  // and counted from after, so every problem sat one character early (the data row's at the header's end).
  it('keeps positions right when the text still starts with a byte-order mark (a file saved with two)', () => {
    for (const [encoding, bytes] of [
      ['utf-8', Buffer.from(`\ufeff\ufeff${CSV_HEADER_3}\r\nDefault string,,"${HASH}\r\n`, 'utf8')],
      ['utf-16le', Buffer.from(`\ufeff\ufeff${CSV_HEADER_3}\r\nDefault string,,"${HASH}\r\n`, 'utf16le')],
    ] as const) {
      const result = parsePayload(bytes, 'hashes.csv');
      const at = (code: string) => result.problems.filter((problem) => problem.code === code).map((problem) => [problem.line, problem.column]);
      assert.deepEqual(at('placeholder-serial'), [[2, 1]], encoding);
      assert.deepEqual(at('csv-unbalanced-quotes'), [[2, 17]], encoding);
    }
  });

  it('reads a file with mixed line endings and reports it once', () => {
    const result = read(`${CSV_HEADER_3}\r\nPF-1,,${HASH}\nPF-2,,${HASH2}\r\nPF-3,,${HASH.slice(4)}AAAA\n`);
    assert.equal(result.devices.length, 3);
    assert.deepEqual(
      result.problems.map((problem) => [problem.code, problem.line]),
      [['csv-mixed-line-endings', 2]],
    );
    assert.equal(result.devices[2]!.line, 4);
  });

  it('reports a duplicate on the repeated line, with a fix that removes that line', () => {
    const result = read(`${CSV_HEADER_3}\r\nPF-1,,${HASH}\r\nPF-2,,${HASH2}\r\nPF-1,,${HASH}\r\n`);
    assert.deepEqual(
      result.problems.map((problem) => [problem.code, problem.line]),
      [['duplicate-hash', 4]],
    );
    assert.match(result.problems[0]!.message, /line 2/);
    assert.deepEqual(result.problems[0]!.fix!.edits, [{ line: 4, column: 1, endLine: 5, endColumn: 1, newText: '' }]);
    assert.equal(result.devices.length, 3, 'every device is kept: the engine refuses files with errors');
  });

  it('says which column a schema problem is about', () => {
    const result = read(`${CSV_HEADER_3}\r\n,,${HASH}\r\n`);
    assert.match(result.problems[0]!.message, /^Column "Device Serial Number": /);
  });
});
