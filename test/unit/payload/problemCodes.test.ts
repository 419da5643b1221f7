/**
 * One fixture per problem code, each read in every encoding Windows tools write: the problem must come back with its
 * code, severity, and the line and column marked `‸` in the fixture.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePayload } from '../../../src/payload/api';
import { SCHEMA_KEYWORD_CODES } from '../../../src/payload/schemaRules';
import { CSV_HEADER_3, CSV_HEADER_5, ENCODINGS, encodeAs, HASH, HASH2, hardwareHash, marked, reportedEncoding, UNPADDED_HASH } from './fixtures';

interface Fixture {
  readonly code: string;
  readonly severity: 'error' | 'warning';
  readonly file: 'devices.autopilot.json' | 'devices.csv';
  /** The file's text with `‸` where the problem must be reported. */
  readonly text: string;
}

const json = (code: string, severity: Fixture['severity'], text: string): Fixture => ({ code, severity, file: 'devices.autopilot.json', text });
const csv = (code: string, severity: Fixture['severity'], text: string): Fixture => ({ code, severity, file: 'devices.csv', text });

/** A well-formed device with a non-ASCII group tag, so that the Windows-1252 file is told apart from UTF-8. */
const device = (serial: string, hash: string) => `{ "serialNumber": "${serial}", "hardwareIdentifier": "${hash}", "groupTag": "Büro" }`;

export const FIXTURES: readonly Fixture[] = [
  json('file-empty', 'error', '‸'),
  json('json-syntax', 'error', `[\n  { "serialNumber": "A1" ‸"hardwareIdentifier": "${HASH}", "groupTag": "Büro" }\n]`),
  json('json-trailing-comma', 'error', `[\n  ${device('A1', HASH)}‸,\n]`),
  json('json-too-deep', 'error', `{ "importedWindowsAutopilotDeviceIdentities": ${'['.repeat(63)}‸[ "Büro" ${']'.repeat(64)} }`),
  json('json-duplicate-key', 'error', `{ "serialNumber": "A1", ‸"serialNumber": "A2", "hardwareIdentifier": "${HASH}", "groupTag": "Büro" }`),
  json('payload-shape', 'error', '‸"Büro"'),
  json('payload-empty', 'error', '{ ‸"importedWindowsAutopilotDeviceIdentities": [] } // Büro'),
  csv('payload-empty', 'error', `‸${CSV_HEADER_3}\r\n`),
  json('missing-property', 'error', `[\n  ‸{ "serialNumber": "A1", "groupTag": "Büro" }\n]`),
  json('unknown-property', 'error', `{ "serialNumber": "A1", "hardwareIdentifier": "${HASH}", ‸"gruppe": "Büro" }`),
  json('csv-style-property', 'error', `{ ‸"Device Serial Number": "A1", "hardwareIdentifier": "${HASH}", "groupTag": "Büro" }`),
  json('deprecated-property', 'warning', `{ "serialNumber": "A1", "hardwareIdentifier": "${HASH}", ‸"orderIdentifier": "Büro" }`),
  json('wrong-type', 'error', `{ "serialNumber": ‸42, "hardwareIdentifier": "${HASH}", "groupTag": "Büro" }`),
  json(
    'unknown-value',
    'error',
    `{ "@odata.type": ‸"#microsoft.graph.windowsAutopilotDeviceIdentity", "serialNumber": "A1", "hardwareIdentifier": "${HASH}", "groupTag": "Büro" }`,
  ),
  json(
    'unknown-import-status',
    'warning',
    `{ "serialNumber": "A1", "hardwareIdentifier": "${HASH}", "groupTag": "Büro",\n  "state": { "deviceImportStatus": ‸"String" } }`,
  ),
  json('empty-value', 'error', `{ "serialNumber": ‸"", "hardwareIdentifier": "${HASH}", "groupTag": "Büro" }`),
  csv('empty-value', 'error', `${CSV_HEADER_5}\r\n‸,,${HASH},Büro,\r\n`),
  json('upn-format', 'warning', `{ "serialNumber": "A1", "hardwareIdentifier": "${HASH}", "groupTag": "Büro", "assignedUserPrincipalName": ‸"ana" }`),
  csv('upn-format', 'warning', `${CSV_HEADER_5}\r\nA1,,${HASH},Büro,‸ana at contoso\r\n`),
  json('hash-not-base64', 'error', `{ "serialNumber": "A1", "hardwareIdentifier": "${HASH.slice(0, 100)}‸*${HASH.slice(101)}", "groupTag": "Büro" }`),
  json('hash-not-base64', 'error', `{ "serialNumber": "A1", "hardwareIdentifier": "${HASH.slice(0, 7)}‸_${HASH.slice(8)}", "groupTag": "Büro" }`),
  csv('hash-not-base64', 'error', `${CSV_HEADER_5}\r\nA1,,${HASH.slice(0, 50)}‸ ${HASH.slice(51)},Büro,\r\n`),
  json('hash-padding', 'error', `[\n  { "serialNumber": "A1",\n    "hardwareIdentifier": "‸${UNPADDED_HASH}", "groupTag": "Büro" }\n]`),
  csv('hash-padding', 'error', `${CSV_HEADER_5}\r\nA1,,‸${UNPADDED_HASH},Büro,\r\n`),
  json('hash-too-short', 'warning', `{ "serialNumber": "A1", "hardwareIdentifier": "‸aGFyZHdhcmVJZGVudGlmaWVy", "groupTag": "Büro" }`),
  json('hash-too-long', 'warning', `{ "serialNumber": "A1", "hardwareIdentifier": "‸${hardwareHash(9, 20_000)}", "groupTag": "Büro" }`),
  json('duplicate-hash', 'error', `[\n  ${device('A1', HASH)},\n  { "serialNumber": "A2", "hardwareIdentifier": "‸${HASH}" }\n]`),
  csv('duplicate-hash', 'error', `${CSV_HEADER_5}\r\nA1,,${HASH},Büro,\r\nA2,,‸${HASH},,\r\n`),
  json('duplicate-serial', 'warning', `[\n  ${device('A1', HASH)},\n  { "serialNumber": "‸A1", "hardwareIdentifier": "${HASH2}" }\n]`),
  csv('duplicate-serial', 'warning', `${CSV_HEADER_5}\r\nA1,,${HASH},Büro,\r\n‸A1,,${HASH2},,\r\n`),
  json('placeholder-serial', 'warning', `{ "serialNumber": "‸To Be Filled By O.E.M.", "hardwareIdentifier": "${HASH}", "groupTag": "Büro" }`),
  csv('placeholder-serial', 'warning', `${CSV_HEADER_5}\r\n‸Default string,,${HASH},Büro,\r\n`),
  json('template-placeholder', 'error', `{ "serialNumber": "A1", "hardwareIdentifier": "‸<hardware hash>", "groupTag": "Büro" }`),
  csv('template-placeholder', 'error', `${CSV_HEADER_5}\r\n‸<serial number>,,${HASH},Büro,\r\n`),
  csv('csv-header', 'error', `‸Seriennummer,Hash\r\nBüro,${HASH}\r\n`),
  csv('csv-missing-column', 'error', `‸Device Serial Number,Windows Product ID,Group Tag\r\nA1,,Büro\r\n`),
  csv('csv-header-case', 'warning', `Device Serial Number,Windows Product ID,‸hardware hash,Group Tag\r\nA1,,${HASH},Büro\r\n`),
  csv('csv-extra-column', 'warning', `${CSV_HEADER_3},Group Tag,‸Notes\r\nA1,,${HASH},Büro,x\r\n`),
  csv('csv-partner-column', 'warning', `${CSV_HEADER_3},‸Manufacturer name,Device model\r\nA1,,${HASH},Büro GmbH,Laptop 5\r\n`),
  csv('csv-duplicate-column', 'error', `${CSV_HEADER_3},‸Hardware Hash,Group Tag\r\nA1,,${HASH},${HASH},Büro\r\n`),
  csv('csv-legacy-column', 'warning', `${CSV_HEADER_3},‸OrderID\r\nA1,,${HASH},Büro\r\n`),
  csv('csv-empty-row', 'warning', `${CSV_HEADER_5}\r\nA1,,${HASH},Büro,\r\n‸\r\nA2,,${HASH2},,\r\n`),
  csv('csv-extra-cells', 'error', `${CSV_HEADER_5}\r\nA1,,${HASH},Büro,ana@contoso.com,‸Sales\r\n`),
  csv('csv-missing-cells', 'warning', `${CSV_HEADER_5}\r\nA1,,${HASH},Büro‸\r\n`),
  csv('csv-unbalanced-quotes', 'error', `${CSV_HEADER_5}\r\nA1,,${HASH},‸"Büro,\r\n`),
  csv('csv-quotes', 'warning', `${CSV_HEADER_5}\r\nA1,,${HASH},‸"Büro",\r\n`),
  csv('csv-mixed-line-endings', 'warning', `${CSV_HEADER_5}\r\nA1,,${HASH},Büro,‸\nA2,,${HASH2},,\r\n`),
];

/** Every code the payload layer can emit: literal `code: '…'` in its sources, the schema's codes, and keyword defaults. */
function emittedCodes(): Set<string> {
  const root = path.resolve(__dirname, '..', '..', '..', '..');
  const codes = new Set<string>(Object.values(SCHEMA_KEYWORD_CODES));
  const sources = path.join(root, 'src', 'payload');
  // convert.ts names refused devices, not problems: convert.test.ts covers its codes.
  for (const file of fs.readdirSync(sources).filter((name) => name.endsWith('.ts') && name !== 'convert.ts')) {
    for (const match of fs.readFileSync(path.join(sources, file), 'utf8').matchAll(/\bcode: '([a-z0-9-]+)'/g)) codes.add(match[1]!);
  }
  const parsed = JSON.parse(fs.readFileSync(path.join(root, 'schemas', 'autopilot-import.schema.json'), 'utf8')) as { definitions: Record<string, unknown> };
  // The update-file rules (`deviceUpdate`) are not the payload layer's: test/unit/lifecycle covers their codes.
  delete parsed.definitions.deviceUpdate;
  const schema = JSON.stringify(parsed, null, 1);
  for (const match of schema.matchAll(/"code": "([a-z0-9-]+)"/g)) codes.add(match[1]!);
  return codes;
}

/** Codes that depend on the bytes rather than the text, tested with their own files in encodings.test.ts. */
const BYTE_LEVEL_CODES = new Set([
  'file-too-large',
  'file-unreadable',
  'file-binary',
  'encoding-invalid',
  'encoding-unsupported',
  'encoding-no-bom',
  'encoding-truncated',
]);

describe('problem codes', () => {
  it('has a fixture for every code the payload layer can report', () => {
    const covered = new Set(FIXTURES.map((fixture) => fixture.code));
    const missing = [...emittedCodes()].filter((code) => !covered.has(code) && !BYTE_LEVEL_CODES.has(code));
    assert.deepEqual(missing, []);
    for (const code of BYTE_LEVEL_CODES) assert.ok(emittedCodes().has(code), `${code} is listed but never emitted`);
  });

  for (const fixture of FIXTURES) {
    const { text, line, column } = marked(fixture.text);
    for (const encoding of ENCODINGS) {
      it(`${fixture.code} in a ${path.extname(fixture.file)} file, ${encoding}: line ${line}, column ${column}`, () => {
        const result = parsePayload(encodeAs(text, encoding), fixture.file);
        assert.equal(result.encoding, reportedEncoding(text, encoding));
        const found = result.problems.filter((problem) => problem.code === fixture.code);
        assert.ok(found.length > 0, `no ${fixture.code}; got ${result.problems.map((p) => `${p.code}@${p.line}:${p.column}`).join(', ')}`);
        assert.ok(
          found.some((problem) => problem.line === line && problem.column === column),
          `${fixture.code} at ${found.map((p) => `${p.line}:${p.column}`).join(', ')}, expected ${line}:${column}`,
        );
        assert.ok(found.every((problem) => problem.severity === fixture.severity));
        for (const problem of result.problems) assert.ok(problem.message.length > 20, `${problem.code} has no real message`);
      });
    }
  }
});
