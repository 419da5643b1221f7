/**
 * The fuzz's files through the bundled terminal command (`dist/cli.js validate --json`, a child process): the exit
 * code is a documented one and agrees with the problems, stdout is exactly the documented JSON document, and nothing
 * on stderr looks like a crash.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as fc from 'fast-check';
import { hasErrors, parsePayload } from '../../../src/payload/api';
import { parseJsonOutput, runCli } from '../../support/cliRunner';
import { FUZZ_SEED, mutatedFile, noiseFile, pathologicalFile, runs, validFile, type FuzzFile } from './fuzzInput';

interface ValidateDocument {
  files: { path: string; format: string; encoding: string; devices: number; problems: { severity: string; code: string; message: string; line: number; column: number }[] }[];
}

const ENCODINGS = ['utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be', 'windows-1252'];
/** A Node stack frame (`    at fn (file.js:1:2)`): a crash that escaped the command's own error handling. */
const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

describe(`autopilot-devices validate --json on fuzzed files (seed ${FUZZ_SEED})`, function () {
  this.timeout(120_000);
  let dir: string;

  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-fuzz-cli-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('exits 0 or 1 exactly as the problems say, prints the documented JSON, and never a stack trace', async () => {
    let run = 0;
    const anyFile = fc.oneof({ weight: 4, arbitrary: mutatedFile }, { weight: 2, arbitrary: noiseFile }, { weight: 1, arbitrary: validFile }, { weight: 1, arbitrary: pathologicalFile });
    await fc.assert(
      fc.asyncProperty(fc.array(anyFile, { minLength: 1, maxLength: 3 }), async (files: FuzzFile[]) => {
        run += 1;
        const paths = files.map((file, index) => {
          const written = path.join(dir, `${run}-${index}-${file.fileName}`);
          fs.writeFileSync(written, file.bytes);
          return written;
        });
        const result = await runCli(['validate', ...paths, '--json'], { cwd: dir });
        assert.doesNotMatch(result.stderr, STACK_FRAME, result.stderr);
        const document = parseJsonOutput<ValidateDocument>(result);
        assert.deepEqual(Object.keys(document), ['files']);
        assert.equal(document.files.length, files.length);
        let anyError = false;
        document.files.forEach((reported, index) => {
          const expected = parsePayload(files[index]!.bytes, paths[index]!);
          assert.deepEqual(Object.keys(reported), ['path', 'format', 'encoding', 'devices', 'problems']);
          assert.ok(reported.path.endsWith(path.basename(paths[index]!)), reported.path);
          assert.ok(reported.format === 'json' || reported.format === 'csv');
          assert.ok(ENCODINGS.includes(reported.encoding), reported.encoding);
          assert.ok(reported.devices + reported.problems.length > 0, `${files[index]!.recipe}: neither devices nor problems`);
          for (const problem of reported.problems) {
            assert.deepEqual(Object.keys(problem), ['severity', 'code', 'message', 'line', 'column']);
            assert.ok(Number.isInteger(problem.line) && problem.line >= 1 && Number.isInteger(problem.column) && problem.column >= 1);
          }
          // The same verdict as the validator in this process (the bundle is the same code, built).
          assert.equal(reported.devices, expected.devices.length);
          assert.deepEqual(
            reported.problems.map((problem) => `${problem.code}@${problem.line}:${problem.column}`),
            expected.problems.map((problem) => `${problem.code}@${problem.line}:${problem.column}`),
          );
          anyError ||= hasErrors(expected);
        });
        assert.equal(result.code, anyError ? 1 : 0, result.stderr);
      }),
      { seed: FUZZ_SEED, numRuns: runs(30) },
    );
  });
});
