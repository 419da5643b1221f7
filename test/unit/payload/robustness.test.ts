import * as assert from 'node:assert/strict';
import { parsePayload, parsePayloadText } from '../../../src/payload/api';
import { CSV_HEADER_3, HASH, HASH2, pseudoRandomBytes } from './fixtures';

describe('bad input', () => {
  const cases: [string, string, string, string][] = [
    ['a header-only CSV', 'hashes.csv', `${CSV_HEADER_3}\r\n`, 'payload-empty'],
    ['mixed line endings', 'hashes.csv', `${CSV_HEADER_3}\r\nPF-1,,${HASH}\nPF-2,,${HASH2}\r\n`, 'csv-mixed-line-endings'],
    ['a JSON trailing comma', 'devices.autopilot.json', `[{ "serialNumber": "PF-1", "hardwareIdentifier": "${HASH}" },]`, 'json-trailing-comma'],
    ['an empty JSON file', 'devices.autopilot.json', ' \n ', 'file-empty'],
    ['truncated JSON', 'devices.autopilot.json', `[{ "serialNumber": "PF-1", "hardwareIdentifier": "${HASH.slice(0, 300)}`, 'json-syntax'],
  ];
  for (const [name, file, text, code] of cases) {
    it(`gives ${name} exactly one clear problem`, () => {
      const result = parsePayloadText(text, file);
      assert.deepEqual(
        result.problems.map((problem) => problem.code),
        [code],
      );
      assert.match(result.problems[0]!.message, /.{30,}/);
    });
  }

  it('never throws on random bytes, random text or mangled payloads', () => {
    const valid = `{ "importedWindowsAutopilotDeviceIdentities": [ { "serialNumber": "PF-1", "hardwareIdentifier": "${HASH.slice(0, 200)}" } ] }`;
    const csv = `${CSV_HEADER_3}\r\nPF-1,,"${HASH.slice(0, 200)}"\r\n`;
    for (let seed = 1; seed <= 300; seed += 1) {
      const noise = pseudoRandomBytes(64 + seed, seed);
      assert.doesNotThrow(() => parsePayload(noise, seed % 2 ? 'x.csv' : 'x.autopilot.json'));
      for (const source of [valid, csv]) {
        // Cut, duplicate or delete a slice at a pseudo-random place.
        const at = noise[0]! % source.length;
        const length = noise[1]! % 40;
        const mangled = [source.slice(0, at) + source.slice(at + length), source.slice(0, at) + source.slice(at - length, at) + source.slice(at), source.slice(0, at)][seed % 3]!;
        for (const file of ['x.csv', 'x.autopilot.json']) {
          const result = parsePayloadText(mangled, file);
          for (const problem of result.problems) {
            assert.ok(problem.line >= 1 && problem.column >= 1, JSON.stringify(problem));
            assert.ok(problem.message.length > 0);
          }
        }
      }
    }
  });
});
