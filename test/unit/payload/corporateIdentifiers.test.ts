/**
 * Corporate-identifier files: recognised by name and by content, read in every encoding Windows tools write, every
 * problem at its line and column with a stable code and the right severity (unsettled rules are warnings that say
 * so), quick fixes that repair the text, and the conversions (from a hardware-hash CSV, into portal-sized files).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePayload, parsePayloadText, type ParsedPayload, type PayloadEdit, type PayloadProblem } from '../../../src/payload/api';
import { devicesOfHashCsv, identifiersFromDevices, identifiersToCsv, MissingColumnsError, splitIdentifierText } from '../../../src/payload/corporateIdentifiers/convert';
import { isIdentifierFile } from '../../../src/payload/corporateIdentifiers/recognise';
import { ENCODINGS, HASH, encodeAs, marked } from './fixtures';

/** Applies edits (1-based, end exclusive) to text, counting lines and columns independently of the code under test. */
function applyEdits(text: string, edits: readonly PayloadEdit[]): string {
  const lineStarts = [0];
  for (let at = 0; at < text.length; at++) {
    if (text[at] === '\r' && text[at + 1] === '\n') continue;
    if (text[at] === '\n' || text[at] === '\r') lineStarts.push(at + 1);
  }
  const offset = (line: number, column: number) => lineStarts[line - 1]! + column - 1;
  return [...edits]
    .sort((a, b) => offset(b.line, b.column) - offset(a.line, a.column))
    .reduce((result, edit) => result.slice(0, offset(edit.line, edit.column)) + edit.newText + result.slice(offset(edit.endLine, edit.endColumn)), text);
}

function read(text: string, name = 'lab.identifiers.csv'): ParsedPayload {
  return parsePayloadText(text, name);
}

function problem(result: ParsedPayload, code: string): PayloadProblem {
  const found = result.problems.filter((candidate) => candidate.code === code);
  assert.equal(found.length, 1, `one ${code} in ${result.problems.map((p) => `${p.code}@${p.line}:${p.column}`).join(', ')}`);
  return found[0]!;
}

interface Case {
  readonly name: string;
  /** The file, with `‸` where the problem must be reported. */
  readonly text: string;
  readonly code: string;
  readonly severity: 'error' | 'warning';
  /** The file after the quick fix, when there is one. */
  readonly fixed?: string;
  /** Words the message must contain (unsettled rules say so). */
  readonly says?: RegExp;
}

const CASES: readonly Case[] = [
  { name: 'a header line', text: '‸Manufacturer,Model,Serial Number\r\nLenovo,ThinkPad T14,PF1\r\n', code: 'identifiers-header', severity: 'error', fixed: 'Lenovo,ThinkPad T14,PF1\r\n', says: /Don't add headers/ },
  { name: 'too many values', text: 'Microsoft Corporation,Surface Pro,0123,‸Extra\r\n', code: 'identifiers-columns', severity: 'error', says: /three/ },
  { name: 'too few values', text: 'Microsoft Corporation,Surface Pro‸\r\n', code: 'identifiers-columns', severity: 'error' },
  { name: 'an empty value', text: 'Lenovo,‸,PF1\r\n', code: 'identifiers-empty-value', severity: 'error' },
  { name: 'blanks around a value', text: 'Lenovo,‸ ThinkPad T14 ,PF1\r\n', code: 'identifiers-whitespace', severity: 'warning', fixed: 'Lenovo,ThinkPad T14,PF1\r\n', says: /not documented/ },
  { name: 'quotation marks', text: '‸"Lenovo","ThinkPad T14","PF1"\r\n', code: 'identifiers-quotes', severity: 'warning', fixed: 'Lenovo,ThinkPad T14,PF1\r\n', says: /not documented/ },
  { name: 'an unclosed quotation mark', text: 'Lenovo,‸"ThinkPad T14,PF1\r\n', code: 'identifiers-unbalanced-quotes', severity: 'error' },
  { name: 'a comma inside a value', text: '‸"SAMSUNG ELECTRONICS CO., LTD",Galaxy Book3,R9X1\r\n', code: 'identifiers-comma-in-value', severity: 'warning', says: /not settled/ },
  { name: 'a serial number with periods', text: 'Dell Inc,Latitude 7440,‸7XK.2QY.3\r\n', code: 'identifiers-serial-period', severity: 'error', fixed: 'Dell Inc,Latitude 7440,7XK2QY3\r\n', says: /Remove all periods/ },
  { name: 'a period in the manufacturer', text: '‸Dell Inc.,Latitude 7440,7XK2QY3\r\nDell Inc.,Latitude 5440,8XK2QY3\r\n', code: 'identifiers-period', severity: 'warning', says: /on 2 lines\).*not documented/ },
  { name: 'semicolons between the values', text: '‸Lenovo;ThinkPad T14;PF1\r\n', code: 'identifiers-semicolon', severity: 'warning', fixed: 'Lenovo,ThinkPad T14,PF1\r\n', says: /not settled/ },
  { name: 'a character outside printable ASCII', text: 'Medion,Akoya F‸ür,MD1\r\n', code: 'identifiers-character', severity: 'warning', says: /not documented/ },
  { name: 'a control character', text: 'Lenovo,Think‸\tPad,PF1\r\n', code: 'identifiers-control-character', severity: 'error' },
  { name: 'a repeated identifier', text: 'Lenovo,T14,PF1\r\n‸Lenovo,T14,PF1\r\n', code: 'identifiers-duplicate', severity: 'warning', fixed: 'Lenovo,T14,PF1\r\n' },
  { name: 'an identifier repeated in other case', text: 'Lenovo,T14,PF1\r\n‸LENOVO,T14,PF1\r\n', code: 'identifiers-duplicate-case', severity: 'warning', says: /not documented/ },
  { name: 'a placeholder serial number', text: 'Lenovo,T14,‸Default string\r\n', code: 'identifiers-placeholder-serial', severity: 'warning' },
  { name: 'an empty line', text: 'Lenovo,T14,PF1\r\n‸\r\nLenovo,T14,PF2\r\n', code: 'identifiers-empty-line', severity: 'warning', fixed: 'Lenovo,T14,PF1\r\nLenovo,T14,PF2\r\n' },
  { name: 'a header-only file', text: '‸Manufacturer,Model,Serial\r\n', code: 'identifiers-header', severity: 'error' },
];

describe('corporate-identifier files', () => {
  describe('recognition', () => {
    it('by the name *.identifiers.csv, whatever the content', () => {
      assert.ok(isIdentifierFile('C:\\\\lab\\\\Wave 3.IDENTIFIERS.csv', 'anything'));
      assert.equal(read('Contoso,Model X,123\r\n', 'wave.identifiers.csv').format, 'corporate-identifiers');
    });

    it('by content: an identifier header, or three values starting with a PC maker', () => {
      assert.equal(read('Manufacturer,Model,SerialNumber\r\nAcme,A1,1\r\n', 'export.csv').format, 'corporate-identifiers');
      assert.equal(read('Microsoft Corporation,Surface Laptop 5,0F1\r\nContoso,X,2\r\n', 'devices.csv').format, 'corporate-identifiers');
      assert.equal(read('LENOVO;20XW0055GE;PF2ABCDE\r\n', 'devices.csv').format, 'corporate-identifiers');
    });

    it('never a hardware-hash CSV, nor a three-column CSV about something else', () => {
      assert.equal(read(`Device Serial Number,Windows Product ID,Hardware Hash\r\nPF1,,${HASH}\r\n`, 'hashes.csv').format, 'csv');
      assert.equal(read('name,age,city\r\nAda,36,London\r\n', 'people.csv').format, 'csv');
      assert.equal(read('Lenovo,T14,PF1\r\n', 'devices.txt').format, 'csv');
    });
  });

  for (const encoding of ENCODINGS) {
    it(`reads a ${encoding} file (PowerShell 5.1 writes UTF-16) with its non-ASCII values intact`, () => {
      const text = 'Lenovo,ThinkPad T14 Gen 4,PF4ABC01\r\nMedion,Akoya E15 Café,MD0001\r\n';
      const result = parsePayload(encodeAs(text, encoding), 'lab.identifiers.csv');
      assert.equal(result.format, 'corporate-identifiers');
      assert.equal(result.encoding, encoding);
      assert.deepEqual(
        result.identifiers!.map(({ manufacturer, model, serialNumber, line }) => [manufacturer, model, serialNumber, line]),
        [
          ['Lenovo', 'ThinkPad T14 Gen 4', 'PF4ABC01', 1],
          ['Medion', 'Akoya E15 Café', 'MD0001', 2],
        ],
      );
      assert.deepEqual(result.identifiers![1]!.cells, [
        { column: 1, endColumn: 7 },
        { column: 8, endColumn: 22 },
        { column: 23, endColumn: 29 },
      ]);
      assert.deepEqual(result.problems.map((p) => p.code), ['identifiers-character']);
    });
  }

  for (const testCase of CASES) {
    for (const encoding of ENCODINGS) {
      it(`reports ${testCase.name} (${testCase.code}) at its line and column in a ${encoding} file`, () => {
        const { text, line, column } = marked(testCase.text);
        const result = parsePayload(encodeAs(text, encoding), 'lab.identifiers.csv');
        const found = problem(result, testCase.code);
        assert.deepEqual({ severity: found.severity, line: found.line, column: found.column }, { severity: testCase.severity, line, column });
        if (testCase.says) assert.match(found.message, testCase.says);
        if (testCase.fixed !== undefined) {
          assert.ok(found.fix, 'a quick fix');
          assert.equal(applyEdits(text, found.fix.edits), testCase.fixed);
          assert.ok(!read(testCase.fixed).problems.some((p) => p.code === testCase.code), 'the fix repairs it');
        }
      });
    }
  }

  it('an error blocks, a warning does not: the file still yields its identifiers', () => {
    const result = read('Dell Inc.,Latitude 7440,7XK2QY3\r\n"Lenovo","T14","PF1"\r\n');
    assert.ok(result.problems.every((p) => p.severity === 'warning'));
    assert.equal(result.identifiers!.length, 2);
  });

  it('more than 5,000 identifiers: a warning at line 5,001 whose fix splits the file', () => {
    const lines = Array.from({ length: 5003 }, (_, index) => `Lenovo,ThinkPad T14,PF${String(index).padStart(6, '0')}`);
    const result = read(`${lines.join('\r\n')}\r\n`);
    const found = problem(result, 'identifiers-too-many-rows');
    assert.deepEqual([found.severity, found.line, found.column], ['warning', 5001, 1]);
    assert.equal(found.fix?.action, 'split-identifier-file');
    assert.equal(result.identifiers!.length, 5003);
  });

  it('has a case for every problem code the identifier reader can report', () => {
    const source = fs.readFileSync(path.resolve(__dirname, '..', '..', '..', '..', 'src', 'payload', 'corporateIdentifiers', 'read.ts'), 'utf8');
    const codes = new Set([...source.matchAll(/\bcode: '([a-z0-9-]+)'/g)].map((match) => match[1]!));
    const covered = new Set([...CASES.map((testCase) => testCase.code), 'identifiers-too-many-rows', 'identifiers-file-too-large', 'identifiers-none']);
    assert.deepEqual([...codes].filter((code) => !covered.has(code)), []);
  });

  it("a file larger than the portal's 5 MB: a warning whose fix splits it", () => {
    const line = `Lenovo,ThinkPad T14 Gen 4 ${'x'.repeat(1200)},PF`;
    const lines = Array.from({ length: 4900 }, (_, index) => `${line}${index}`);
    const found = problem(read(`${lines.join('\r\n')}\r\n`), 'identifiers-file-too-large');
    assert.deepEqual([found.severity, found.line, found.column, found.fix?.action], ['warning', 1, 1, 'split-identifier-file']);
  });

  it('a file whose lines are all empty values has no identifier: an error', () => {
    const result = read(' , , \r\n');
    assert.equal(problem(result, 'identifiers-none').severity, 'error');
  });

  it('a hardware-hash CSV whose header is wrong but has three columns hints at the identifier file name', () => {
    const result = read('Contoso,Model X,123\r\n', 'devices.csv');
    assert.match(problem(result, 'csv-header').message, /name it \*\.identifiers\.csv/);
  });

  it('an empty file is an error', () => {
    const result = read('\r\n  \r\n');
    assert.deepEqual(result.problems.map((p) => [p.code, p.severity]), [['file-empty', 'error']]);
  });

  describe('conversions', () => {
    const PARTNER_CSV = [
      'Device Serial Number,Windows Product ID,Hardware Hash,Manufacturer name,Device model',
      `PF4ABC01,,${HASH},LENOVO,21HD`,
      `7XK.2QY3,,${HASH},Dell Inc.,Latitude 7440`,
      `SN3,,${HASH},,Surface Laptop 5`,
      `SN4,,${HASH},SAMSUNG ELECTRONICS CO.,Galaxy Book3`,
      `Default string,,${HASH},ASUSTeK COMPUTER INC.,X515`,
      `PF4ABC01,,${HASH},LENOVO,21HD`,
    ].join('\r\n');

    it('reads serial, manufacturer and model from a partner hardware-hash CSV and makes identifiers of them', () => {
      const devices = devicesOfHashCsv(PARTNER_CSV);
      assert.deepEqual(devices[1], { serialNumber: '7XK.2QY3', manufacturer: 'Dell Inc.', model: 'Latitude 7440', line: 3 });
      const conversion = identifiersFromDevices(devices);
      assert.deepEqual(conversion.identifiers, [
        { manufacturer: 'LENOVO', model: '21HD', serialNumber: 'PF4ABC01' },
        { manufacturer: 'Dell Inc.', model: 'Latitude 7440', serialNumber: '7XK2QY3' },
        { manufacturer: 'SAMSUNG ELECTRONICS CO.', model: 'Galaxy Book3', serialNumber: 'SN4' },
      ]);
      assert.equal(conversion.periodsRemoved, 1);
      assert.equal(conversion.repeats, 1);
      assert.deepEqual(conversion.notConverted.map((refusal) => [refusal.serialNumber, refusal.line, refusal.code]), [
        ['SN3', 4, 'identifier-missing-value'],
        ['Default string', 6, 'identifier-placeholder-serial'],
      ]);
    });

    it('names the missing columns of a hash CSV without manufacturer and model', () => {
      assert.throws(() => devicesOfHashCsv(`Device Serial Number,Windows Product ID,Hardware Hash\r\nPF1,,${HASH}\r\n`), (error: unknown) => {
        assert.ok(error instanceof MissingColumnsError);
        assert.deepEqual(error.missing, ['Manufacturer name', 'Device model']);
        return true;
      });
    });

    it('takes the manufacturer, model and serial of registered devices (what the Autopilot Devices view will pass)', () => {
      const conversion = identifiersFromDevices([{ manufacturer: 'Microsoft Corporation', model: 'Surface Laptop 5', serialNumber: ' 0F12345678901 ' }, { manufacturer: null, model: 'X', serialNumber: 'Y' }]);
      assert.deepEqual(conversion.identifiers, [{ manufacturer: 'Microsoft Corporation', model: 'Surface Laptop 5', serialNumber: '0F12345678901' }]);
      assert.equal(conversion.notConverted.length, 1);
    });

    it('writes portal-ready files (no header, CRLF, ANSI, at most 5,000 lines) that read back without problems', () => {
      const identifiers = Array.from({ length: 5002 }, (_, index) => ({ manufacturer: 'Medion', model: 'Akoya Büro', serialNumber: `MD${index}` }));
      const files = identifiersToCsv(identifiers);
      assert.deepEqual(files.map((file) => [file.identifiers, file.encoding]), [
        [5000, 'windows-1252'],
        [2, 'windows-1252'],
      ]);
      assert.ok(files[1]!.text.startsWith('Medion,Akoya Büro,MD5000\r\n'));
      const back = parsePayload(files[1]!.bytes, 'part.identifiers.csv');
      assert.equal(back.encoding, 'windows-1252');
      assert.deepEqual(back.problems.map((p) => p.code), ['identifiers-character']);
      const quoted = identifiersToCsv([{ manufacturer: 'SAMSUNG ELECTRONICS CO., LTD.', model: 'Galaxy', serialNumber: 'R9' }])[0]!;
      assert.equal(quoted.text, '"SAMSUNG ELECTRONICS CO., LTD.",Galaxy,R9\r\n');
      assert.equal(parsePayload(quoted.bytes, 'q.identifiers.csv').identifiers![0]!.manufacturer, 'SAMSUNG ELECTRONICS CO., LTD.');
      assert.equal(identifiersToCsv([{ manufacturer: 'Lenovo', model: 'T14 中', serialNumber: '1' }])[0]!.encoding, 'utf-8-bom');
    });

    it('splits a file into parts of at most 5,000 lines, lines kept as written, header and empty lines left out', () => {
      const lines = Array.from({ length: 10_001 }, (_, index) => `Lenovo,"ThinkPad T14",PF${index}`);
      const parts = splitIdentifierText(`Manufacturer,Model,Serial\n${lines.slice(0, 3).join('\n')}\n\n${lines.slice(3).join('\n')}\n`);
      assert.deepEqual(parts.map((part) => part.split('\n').length - 1), [5000, 5000, 1]);
      assert.ok(parts[0]!.startsWith('Lenovo,"ThinkPad T14",PF0\nLenovo,"ThinkPad T14",PF1\n'));
      assert.equal(parts.join(''), `${lines.join('\n')}\n`);
      const bySize = splitIdentifierText(lines.slice(0, 10).join('\r\n'), 5000, 100);
      assert.ok(bySize.length > 1 && bySize.every((part) => Buffer.byteLength(part) <= 100 && part.endsWith('\r\n')));
    });
  });
});
