import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MAX_PAYLOAD_BYTES, parsePayload, readPayloadFile, type ParsedPayload } from '../../../src/payload/api';
import { decodeWindows1252, encodeWindows1252 } from '../../../src/payload/textDecoding';
import { CSV_HEADER_5, ENCODINGS, encodeAs, HASH, HASH2 } from './fixtures';

const CSV = `${CSV_HEADER_5}\r\nPF-1,,${HASH},Vertrieb Köln – Büro,ana@contoso.com\r\nPF-2,,${HASH2},Café,\r\n`;

function only(result: ParsedPayload): { code: string; line: number; column: number; severity: string } {
  assert.equal(result.problems.length, 1, result.problems.map((p) => p.code).join(', '));
  const [problem] = result.problems;
  return { code: problem!.code, line: problem!.line, column: problem!.column, severity: problem!.severity };
}

describe('encodings', () => {
  for (const encoding of ENCODINGS) {
    it(`reads a Get-WindowsAutopilotInfo CSV written as ${encoding}, with its non-ASCII group tags intact`, () => {
      const result = parsePayload(encodeAs(CSV, encoding), 'hashes.csv');
      assert.equal(result.encoding, encoding);
      assert.deepEqual(result.problems, []);
      assert.deepEqual(
        result.devices.map((device) => [device.serialNumber, device.groupTag, device.line]),
        [
          ['PF-1', 'Vertrieb Köln – Büro', 2],
          ['PF-2', 'Café', 3],
        ],
      );
      assert.equal(result.devices[0]!.hardwareIdentifier, HASH);
    });
  }

  it('decodes every Windows-1252 byte above 0x7F as Windows does (€ at 0x80, smart quotes at 0x91–0x94)', () => {
    const bytes = Uint8Array.from({ length: 128 }, (_, index) => 0x80 + index);
    const text = decodeWindows1252(bytes);
    assert.equal(text[0], '€');
    assert.equal(text.slice(0x11, 0x15), '‘’“”');
    assert.equal(text[0x7f], 'ÿ');
    assert.deepEqual(encodeWindows1252(text), { bytes });
    assert.deepEqual(encodeWindows1252('ok 中'), { unmappableAt: 3 });
  });

  it('reads UTF-16 without a byte-order mark, with a warning', () => {
    const withBom = encodeAs(CSV, 'utf-16le');
    const result = parsePayload(withBom.subarray(2), 'hashes.csv');
    assert.equal(result.encoding, 'utf-16le');
    assert.equal(result.devices.length, 2);
    assert.deepEqual(only(result), { code: 'encoding-no-bom', line: 1, column: 1, severity: 'warning' });
    const bigEndian = parsePayload(encodeAs(CSV, 'utf-16be').subarray(2), 'hashes.csv');
    assert.equal(bigEndian.encoding, 'utf-16be');
    assert.equal(bigEndian.devices.length, 2);
  });

  it('reports a UTF-16 file cut in the middle of a character', () => {
    const bytes = encodeAs(CSV, 'utf-16le');
    const result = parsePayload(bytes.subarray(0, bytes.length - 1), 'hashes.csv');
    assert.ok(result.problems.some((problem) => problem.code === 'encoding-truncated' && problem.severity === 'error'));
  });

  it('refuses a UTF-8 byte-order mark followed by bytes that are not UTF-8', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), encodeAs(CSV, 'windows-1252')]);
    assert.deepEqual(only(parsePayload(bytes, 'hashes.csv')), { code: 'encoding-invalid', line: 1, column: 1, severity: 'error' });
  });

  it('refuses UTF-32 by name', () => {
    const result = parsePayload(Buffer.from([0xff, 0xfe, 0, 0, 0x41, 0, 0, 0]), 'hashes.csv');
    assert.equal(only(result).code, 'encoding-unsupported');
    assert.match(result.problems[0]!.message, /UTF-32/);
  });

  it('refuses a binary file with one problem', () => {
    const zip = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x21, 0x00]);
    assert.deepEqual(only(parsePayload(zip, 'hashes.csv')), { code: 'file-binary', line: 1, column: 1, severity: 'error' });
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);
    assert.deepEqual(only(parsePayload(png, 'devices.autopilot.json')), { code: 'file-binary', line: 1, column: 1, severity: 'error' });
  });

  it('refuses a 0-byte file with one problem', () => {
    assert.deepEqual(only(parsePayload(new Uint8Array(0), 'hashes.csv')), { code: 'file-empty', line: 1, column: 1, severity: 'error' });
    assert.deepEqual(only(parsePayload(new Uint8Array(0), 'devices.autopilot.json')), { code: 'file-empty', line: 1, column: 1, severity: 'error' });
  });

  it('refuses bytes over the size limit without decoding them', () => {
    const result = parsePayload(Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x41), 'huge.csv');
    assert.equal(only(result).code, 'file-too-large');
  });

  describe('reading files', () => {
    let folder: string;
    before(() => {
      folder = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-payload-'));
    });
    after(() => fs.rmSync(folder, { recursive: true, force: true }));

    it('refuses a 200 MB file with a clear message before reading it', async () => {
      const file = path.join(folder, 'huge.csv');
      // A sparse file: 200 MB long on paper, nothing on disk. Reading it whole would need 200 MB of memory.
      fs.closeSync(fs.openSync(file, 'w'));
      fs.truncateSync(file, 200 * 1024 * 1024);
      const before = process.memoryUsage().arrayBuffers;
      const result = await readPayloadFile(file);
      assert.ok(process.memoryUsage().arrayBuffers - before < 50 * 1024 * 1024, 'the file was read into memory');
      assert.equal(only(result).code, 'file-too-large');
      assert.match(result.problems[0]!.message, /200\.0 MB.*64\.0 MB.*Split/);
    });

    it('reports a missing file and a folder as problems, not exceptions', async () => {
      assert.equal(only(await readPayloadFile(path.join(folder, 'nope.csv'))).code, 'file-unreadable');
      assert.match((await readPayloadFile(path.join(folder, 'nope.csv'))).problems[0]!.message, /does not exist/);
      assert.equal(only(await readPayloadFile(folder)).code, 'file-unreadable');
    });

    it('reads a UTF-16 LE file from disk as Windows PowerShell 5.1 writes it', async () => {
      const file = path.join(folder, 'ps51.csv');
      fs.writeFileSync(file, encodeAs(CSV, 'utf-16le'));
      const result = await readPayloadFile(file);
      assert.equal(result.encoding, 'utf-16le');
      assert.equal(result.devices.length, 2);
    });
  });
});
