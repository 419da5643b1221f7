/**
 * Property-based fuzz of the validator: valid files in every real shape and encoding, mangled, plus noise and
 * pathological structure. Fixed seed (replay another with `AUTOPILOT_FUZZ_SEED`), fixed number of cases.
 */
import * as assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import * as fc from 'fast-check';
import { parsePayload, type ParsedPayload } from '../../../src/payload/api';
import { decodeBytes } from '../../../src/payload/validatePayload';
import { FUZZ_SEED, mutatedFile, noiseFile, pathologicalFile, runs, validFile, type FuzzFile } from './fuzzInput';

/** Far above what any case takes (tens of milliseconds); a case near it is a hang in the making. */
export const CASE_TIME_LIMIT_MS = 2000;

/** The file's lines as the user's editor shows them (the validator's own decoding; `\r\n`, `\n` and `\r` end a line). */
function linesOf(file: FuzzFile): string[] {
  const decoded = decodeBytes(file.bytes, file.fileName);
  return 'problems' in decoded ? [''] : decoded.text.split(/\r\n|\n|\r/);
}

/** Every rule a result must keep, whatever the input. Returns nothing; throws an assertion naming the broken rule. */
export function assertWellFormed(file: FuzzFile, result: ParsedPayload, elapsedMs: number): void {
  const where = `${file.recipe} (${file.bytes.length} bytes, ${file.fileName})`;
  assert.ok(elapsedMs < CASE_TIME_LIMIT_MS, `${where}: took ${elapsedMs.toFixed(0)} ms`);
  assert.ok(result.devices.length + result.problems.length > 0, `${where}: neither a device nor a problem`);
  const lines = linesOf(file);
  const within = (line: number, column: number) =>
    Number.isInteger(line) && Number.isInteger(column) && line >= 1 && column >= 1 && line <= lines.length && column <= lines[line - 1]!.length + 1;
  for (const problem of result.problems) {
    const shown = `${where}: ${JSON.stringify({ ...problem, fix: undefined })}`;
    assert.match(problem.code, /^[a-z0-9]+(-[a-z0-9]+)*$/, shown);
    assert.ok(problem.severity === 'error' || problem.severity === 'warning', shown);
    assert.ok(typeof problem.message === 'string' && problem.message.trim().length >= 10, shown);
    assert.ok(within(problem.line, problem.column), `${shown}: outside the file's ${lines.length} line(s)`);
    if (problem.endLine !== undefined || problem.endColumn !== undefined) {
      assert.ok(within(problem.endLine!, problem.endColumn!), `${shown}: ends outside the file`);
      assert.ok(problem.endLine! > problem.line || (problem.endLine === problem.line && problem.endColumn! >= problem.column), `${shown}: ends before it starts`);
    }
  }
  for (const device of result.devices) {
    assert.ok(typeof device.serialNumber === 'string' && device.serialNumber.length > 0, `${where}: device without serial`);
    assert.ok(typeof device.hardwareIdentifier === 'string' && device.hardwareIdentifier.length > 0, `${where}: device without hash`);
  }
}

function timedParse(file: FuzzFile): { result: ParsedPayload; ms: number } {
  const started = performance.now();
  const result = parsePayload(file.bytes, file.fileName);
  return { result, ms: performance.now() - started };
}

function holds(file: FuzzFile): void {
  const { result, ms } = timedParse(file);
  // A busy machine can stall one run (and a failure makes fast-check shrink for minutes); a real hang is slow every
  // time, so a slow case is timed twice more and judged by its fastest run.
  let fastest = ms;
  for (let retry = 0; retry < 2 && fastest >= CASE_TIME_LIMIT_MS; retry++) fastest = Math.min(fastest, timedParse(file).ms);
  assertWellFormed(file, result, fastest);
}

describe(`payload fuzz (seed ${FUZZ_SEED}; replay with AUTOPILOT_FUZZ_SEED)`, function () {
  this.timeout(60_000);

  it('reads every valid file in every shape and encoding without an error', () => {
    fc.assert(
      fc.property(validFile, (file) => {
        const result = parsePayload(file.bytes, file.fileName);
        assertWellFormed(file, result, 0);
        assert.ok(result.devices.length > 0, `${file.recipe}: no device read`);
      }),
      { seed: FUZZ_SEED, numRuns: runs(300) },
    );
  });

  it('never throws, hangs or misplaces a problem on mutated files', () => {
    fc.assert(fc.property(mutatedFile, holds), { seed: FUZZ_SEED, numRuns: runs(1000) });
  });

  it('never throws, hangs or misplaces a problem on noise', () => {
    fc.assert(fc.property(noiseFile, holds), { seed: FUZZ_SEED, numRuns: runs(600) });
  });

  it('never throws, hangs or misplaces a problem on pathological structure (deep nesting, huge counts)', () => {
    fc.assert(fc.property(pathologicalFile, holds), { seed: FUZZ_SEED, numRuns: runs(150) });
  });
});
