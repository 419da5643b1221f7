import * as assert from 'node:assert/strict';
import { parsePayloadText } from '../../../src/payload/api';
import { analyseHardwareHash, isPaddedBase64, repairPadding } from '../../../src/payload/hardwareHash';
import { HASH, PADDED_HASH, UNPADDED_HASH } from './fixtures';

describe('hardware hashes', () => {
  it("repairs padding exactly as Microsoft's troubleshooting guide does", () => {
    // The guide's example: Q29udG9zbwAAA → … → Q29udG9zbwAAAA==
    assert.equal(repairPadding('Q29udG9zbwAAA'), 'Q29udG9zbwAAAA==');
    assert.equal(repairPadding('QUJDRA'), 'QUJDRA==');
    assert.equal(repairPadding('QUJDREU'), 'QUJDREU=');
    assert.equal(repairPadding('QUJDRA='), 'QUJDRA==');
    assert.equal(repairPadding('QUJDRA===='), 'QUJDRA==');
    assert.equal(repairPadding(UNPADDED_HASH), PADDED_HASH);
    assert.equal(Buffer.from(repairPadding(UNPADDED_HASH)!, 'base64').length, 3001);
  });

  it('accepts only strict padded standard Base64', () => {
    for (const good of ['QUJD', 'QUJDRA==', 'QUJDREU=', 'a+b/', HASH, PADDED_HASH]) assert.equal(isPaddedBase64(good), true, good);
    for (const bad of ['QUJDRA', 'QUJ', 'QU*D', 'QU D', 'QU=D', 'QU-D', 'QU_D', 'QUJDR===', 'QUJé', 'QUJD\nQUJD', ' QUJD', 'QUJDRA==QUJD']) {
      assert.equal(isPaddedBase64(bad), false, JSON.stringify(bad));
    }
  });

  it('says which character is wrong, or that only the padding is', () => {
    assert.deepEqual(analyseHardwareHash('QUJD'), { kind: 'valid', bytes: 3 });
    assert.deepEqual(analyseHardwareHash('QU*D'), { kind: 'invalid-character', index: 2 });
    assert.deepEqual(analyseHardwareHash('QUJD\r\nQUJD'), { kind: 'invalid-character', index: 4 });
    assert.deepEqual(analyseHardwareHash('QU=D'), { kind: 'invalid-character', index: 2 });
    assert.deepEqual(analyseHardwareHash('QU-_'), { kind: 'base64url', index: 2 });
    assert.deepEqual(analyseHardwareHash('QUJDRA'), { kind: 'padding', repaired: 'QUJDRA==', bytes: 4 });
  });

  it('offers the repaired hash as a quick fix that replaces exactly the hash', () => {
    const text = `{\n  "serialNumber": "A1",\n  "hardwareIdentifier": "${UNPADDED_HASH}"\n}`;
    const [problem] = parsePayloadText(text, 'x.autopilot.json').problems;
    assert.equal(problem?.code, 'hash-padding');
    const [edit] = problem!.fix!.edits;
    assert.deepEqual({ ...edit, newText: undefined }, { line: 3, column: 26, endLine: 3, endColumn: 26 + UNPADDED_HASH.length, newText: undefined });
    assert.equal(edit!.newText, PADDED_HASH);
  });

  it('points at the right character of a hash written with JSON escapes', () => {
    const text = `{ "serialNumber": "A1", "hardwareIdentifier": "QUJD\\/QUJD*QUJD" }`;
    const [problem] = parsePayloadText(text, 'x.autopilot.json').problems.filter((p) => p.code === 'hash-not-base64');
    assert.equal(text[problem!.column - 1], '*');
  });
});
