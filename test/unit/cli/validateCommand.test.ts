import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validateCommand } from '../../../src/cli/validateCommand';
import { CSV_HEADER_3, encodeAs, HASH, HASH2, UNPADDED_HASH } from '../payload/fixtures';

async function run(files: string[], json: boolean): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await validateCommand(files, { format: json ? 'json' : 'text' }, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text) });
  return { code, stdout, stderr };
}

describe('autopilot-devices validate', () => {
  let folder: string;
  let good: string;
  let warned: string;
  let bad: string;

  before(() => {
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-validate-'));
    good = path.join(folder, 'good.csv');
    fs.writeFileSync(good, encodeAs(`${CSV_HEADER_3}\r\nPF-1,,${HASH}\r\nPF-2,,${HASH2}\r\n`, 'utf-16le'));
    warned = path.join(folder, 'warned.csv');
    fs.writeFileSync(warned, `${CSV_HEADER_3}\r\nDefault string,,${HASH}\r\n`);
    bad = path.join(folder, 'bad.autopilot.json');
    fs.writeFileSync(bad, `[\n  { "serialNumber": "PF-1", "hardwareIdentifier": "${UNPADDED_HASH}" }\n]\n`);
  });
  after(() => fs.rmSync(folder, { recursive: true, force: true }));

  it('prints exactly the --json document SPEC section 6 gives, and exits 1 when a file has an error', async () => {
    const { code, stdout, stderr } = await run([good, warned, bad], true);
    assert.equal(code, 1);
    assert.equal(stderr, '');
    assert.ok(stdout.endsWith('\n') && stdout.indexOf('\n') === stdout.length - 1, 'one JSON document on one line');
    assert.deepEqual(JSON.parse(stdout), {
      files: [
        { path: good, format: 'csv', encoding: 'utf-16le', devices: 2, problems: [] },
        {
          path: warned,
          format: 'csv',
          encoding: 'utf-8',
          devices: 1,
          problems: [{ severity: 'warning', code: 'placeholder-serial', message: JSON.parse(stdout).files[1].problems[0].message, line: 2, column: 1 }],
        },
        {
          path: bad,
          format: 'json',
          encoding: 'utf-8',
          devices: 1,
          problems: [{ severity: 'error', code: 'hash-padding', message: JSON.parse(stdout).files[2].problems[0].message, line: 2, column: 52 }],
        },
      ],
    });
  });

  it('exits 0 when there are only warnings', async () => {
    assert.equal((await run([good, warned], true)).code, 0);
  });

  it('prints one short line per problem and a summary per file without --json', async () => {
    const { code, stdout } = await run([warned, bad], false);
    assert.equal(code, 1);
    assert.match(stdout, new RegExp(`^${warned.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')}:2:1: warning placeholder-serial: `, 'm'));
    assert.match(stdout, /bad\.autopilot\.json:2:52: error hash-padding: /);
    assert.match(stdout, /bad\.autopilot\.json: 1 device, 1 error, 0 warnings/);
  });

  it('reports a missing file as a problem of that file', async () => {
    const missing = path.join(folder, 'missing.csv');
    const { code, stdout } = await run([missing], true);
    assert.equal(code, 1);
    assert.equal(JSON.parse(stdout).files[0].problems[0].code, 'file-unreadable');
  });
});
