import * as assert from 'node:assert/strict';
import { LineIndex } from '../../../src/payload/lineIndex';
import { locate, locateJson } from '../../../src/payload/jsonLocations';

function spanText(text: string, pointer: string, part: 'key' | 'value' = 'value'): string | undefined {
  const found = locate(locateJson(text).root, pointer);
  if (!found) return undefined;
  return part === 'key' ? text.slice(found.keyStart, found.keyEnd) : text.slice(found.start, found.end);
}

describe('JSON locations', () => {
  const text = `// devices for the Berlin office
{
  "importedWindowsAutopilotDeviceIdentities": [
    { "serialNumber": "A\\"1", /* the first */ "hardwareIdentifier": "QUJD", "state": { "deviceErrorCode": 806 } },
    { "serialNumber": "B2", "hardwareIdentifier": "REVG", "a/b~c": true, },
  ],
}`;

  it('finds keys and values by JSON Pointer through comments, escapes and trailing commas', () => {
    assert.equal(spanText(text, '/importedWindowsAutopilotDeviceIdentities/0/serialNumber'), '"A\\"1"');
    assert.equal(spanText(text, '/importedWindowsAutopilotDeviceIdentities/0/hardwareIdentifier', 'key'), '"hardwareIdentifier"');
    assert.equal(spanText(text, '/importedWindowsAutopilotDeviceIdentities/0/state/deviceErrorCode'), '806');
    assert.equal(spanText(text, '/importedWindowsAutopilotDeviceIdentities/1/a~1b~0c', 'key'), '"a/b~c"');
    assert.match(spanText(text, '/importedWindowsAutopilotDeviceIdentities/1')!, /^\{ "serialNumber": "B2".*\}$/);
  });

  it('falls back to the nearest enclosing value for a pointer the text lacks', () => {
    assert.match(spanText(text, '/importedWindowsAutopilotDeviceIdentities/1/groupTag')!, /^\{ "serialNumber": "B2"/);
  });

  it('reports repeated keys, keeping the last value as JSON.parse does', () => {
    const repeated = '{ "serialNumber": "A", "serialNumber": "B" }';
    const { root, duplicateKeys } = locateJson(repeated);
    assert.equal(duplicateKeys.length, 1);
    assert.equal(repeated.slice(duplicateKeys[0]!.keyStart, duplicateKeys[0]!.keyEnd), '"serialNumber"');
    assert.equal(duplicateKeys[0]!.firstKeyStart, 2);
    assert.equal(repeated.slice(locate(root, '/serialNumber')!.start, locate(root, '/serialNumber')!.end), '"B"');
  });

  it('never throws and always ends on broken input', () => {
    for (const broken of ['{', '[[[', '{"a" 1 2 ]]]', '"unterminated', '/* open', '}}}', ':::', '{"a":{"b":[1,{"c":']) {
      assert.doesNotThrow(() => locateJson(broken));
    }
  });
});

describe('line index', () => {
  it('counts lines the way VS Code does: CRLF, LF and a lone CR each end a line', () => {
    const lines = new LineIndex('ab\r\ncd\nef\rgh');
    assert.deepEqual(lines.positionAt(0), { line: 1, column: 1 });
    assert.deepEqual(lines.positionAt(4), { line: 2, column: 1 });
    assert.deepEqual(lines.positionAt(7), { line: 3, column: 1 });
    assert.deepEqual(lines.positionAt(10), { line: 4, column: 1 });
    assert.deepEqual(lines.positionAt(12), { line: 4, column: 3 });
    assert.equal(lines.lineCount, 4);
  });

  it('tells which line ending is usual and where the file first strays from it', () => {
    assert.deepEqual(new LineIndex('a\r\nb\r\nc\nd\r\n').lineEndings(), { crlf: 3, lf: 1, cr: 0, dominant: '\r\n', firstOddLine: 3 });
    assert.deepEqual(new LineIndex('a\nb\n').lineEndings(), { crlf: 0, lf: 2, cr: 0, dominant: '\n' });
    assert.equal(new LineIndex('a\r\nb\r\n').lineEndings().firstOddLine, undefined);
  });
});
