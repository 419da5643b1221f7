import * as assert from 'node:assert/strict';
import Ajv from 'ajv';
import schema from '../../../../schemas/autopilot-import.schema.json';
import { listsSerials, looksLikeUpdateFile } from '../../../../src/import/lifecycle/updateShape';
import { parsePayloadText } from '../../../../src/payload/api';
import { EDITOR_KEYWORDS } from '../../../../src/payload/schemaRules';
import { fakeHardwareHash } from '../../../emulator/hashes';

const HASH = fakeHardwareHash('update-shape', 1024);

/** The schema's root, as VS Code's JSON features apply it to `*.autopilot.json`: which branch a document takes. */
function rootTakesUpdateBranch(value: unknown): boolean {
  const ajv = new Ajv({ strict: false, allowUnionTypes: true, logger: false });
  ajv.addVocabulary([...EDITOR_KEYWORDS, 'deprecationMessage']);
  return ajv.validate((schema as { if: object }).if, value);
}

describe('Telling update files from payloads (one rule for the editor, the schema and the terminal)', () => {
  it('reads a CSV with a serial column and something to change, and no hash, as an update file', () => {
    assert.ok(looksLikeUpdateFile('Serial Number,Group Tag\nA,B\n'));
    assert.ok(looksLikeUpdateFile('\uFEFF"Device Serial Number";"Display Name"\r\nA;PC-1\r\n'));
    assert.ok(looksLikeUpdateFile('Serial Number\tAssigned User\nA\tadele@contoso.com\n'));
    assert.ok(!looksLikeUpdateFile('Device Serial Number,Windows Product ID,Hardware Hash,Group Tag\nA,,AAAA,Sales\n'), 'a payload with a group tag');
    assert.ok(!looksLikeUpdateFile('Serial Number\nA\nB\n'), 'nothing to change');
    assert.ok(listsSerials('Serial Number\nA\nB\n'), '…but a list of serials, as delete --file reads it');
    assert.ok(!listsSerials('A\nB\n'));
  });

  it('reads JSON devices without any hash that name a change as an update file, and nothing else', () => {
    assert.ok(looksLikeUpdateFile(JSON.stringify([{ serialNumber: 'A', groupTag: 'Kiosk' }])));
    for (const key of ['hardwareIdentifier', 'Hardware Hash', 'HardwareHash', 'hardwareHash', 'hash']) {
      assert.ok(!looksLikeUpdateFile(JSON.stringify([{ serialNumber: 'A', groupTag: 'Kiosk' }, { serialNumber: 'B', [key]: HASH }])), key);
    }
    assert.ok(!looksLikeUpdateFile(JSON.stringify({ importedWindowsAutopilotDeviceIdentities: [{ serialNumber: 'A', groupTag: 'Kiosk' }] })));
    assert.ok(!looksLikeUpdateFile(JSON.stringify({ serialNumber: 'A', groupTag: 'Kiosk' })), 'one device object is an unfinished payload');
    assert.ok(!looksLikeUpdateFile('[\n  {\n    \n  }\n]'), 'a new payload being written');
    assert.ok(!looksLikeUpdateFile(JSON.stringify([{ serialNumber: 'A' }])) && listsSerials(JSON.stringify([{ serialNumber: 'A' }])));
  });

  it('agrees with the schema root VS Code applies to *.autopilot.json', () => {
    const samples: unknown[] = [
      [{ serialNumber: 'A', groupTag: 'Kiosk' }],
      [{ serialNumber: 'A', displayName: 'PC-1' }, { serialNumber: 'B', userPrincipalName: 'adele@contoso.com' }],
      [{ serialNumber: 'A', groupTag: 'Kiosk', hardwareIdentifier: HASH }],
      [{ serialNumber: 'A', groupTag: 'Kiosk' }, { serialNumber: 'B', hash: HASH }],
      [{ serialNumber: 'A' }],
      [{}],
      [],
      { serialNumber: 'A', groupTag: 'Kiosk' },
      { devices: [{ serialNumber: 'A', displayName: 'PC-1' }] },
      { importedWindowsAutopilotDeviceIdentities: [{ serialNumber: 'A', groupTag: 'Kiosk' }] },
    ];
    for (const sample of samples) assert.equal(rootTakesUpdateBranch(sample), looksLikeUpdateFile(JSON.stringify(sample)), JSON.stringify(sample));
  });

  it('never lets an import pass as an update: a device list without hashes still fails the import rules', () => {
    const payload = parsePayloadText(JSON.stringify([{ serialNumber: 'PF3X4K2J', groupTag: 'Kiosk', displayName: 'PC-1' }]), 'changes.autopilot.json');
    assert.deepEqual(payload.problems.map((problem) => problem.code).sort(), ['missing-property', 'unknown-property']);
    assert.ok(payload.problems.some((problem) => /hardwareIdentifier/.test(problem.message)));
  });
});
