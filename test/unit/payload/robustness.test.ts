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

  // Found by the fuzz test: jsonc-parser recursed once per level and overflowed the stack (a RangeError out of
  // parsePayload) on a few thousand unclosed brackets.
  const body = '{"importedWindowsAutopilotDeviceIdentities":';
  // The 65th opening bracket, counting from 1: where the problem must point.
  for (const [name, text, column] of [
    ['unclosed', '['.repeat(100_000), 65],
    ['closed', `${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}`, 64 * 5 + 1],
    ['inside an import body', `${body}${'['.repeat(5_000)}`, body.length + 64],
  ] as const) {
    it(`refuses JSON nested 5,000+ levels deep (${name}) with one problem at the 65th level instead of overflowing the stack`, () => {
      const result = parsePayload(Buffer.from(text), 'devices.autopilot.json');
      assert.deepEqual(result.devices, []);
      assert.deepEqual(
        result.problems.map((problem) => [problem.code, problem.severity, problem.line, problem.column]),
        [['json-too-deep', 'error', 1, column]],
      );
      assert.match(result.problems[0]!.message, /more than 64 levels/);
    });
  }

  it('still reads a payload nested as deep as the limit allows', () => {
    const nested = `${'['.repeat(60)}1${']'.repeat(60)}`;
    const text = `[{ "serialNumber": "PF-1", "hardwareIdentifier": "${HASH}", "extra": ${nested} }]`;
    const result = parsePayloadText(text, 'devices.autopilot.json');
    assert.equal(result.devices.length, 1);
    assert.ok(!result.problems.some((problem) => problem.code === 'json-too-deep'));
  });

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
