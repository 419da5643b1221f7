/**
 * `validate --format github` and `--format sarif` (SPEC section 6.4), through the bundled terminal command: workflow
 * annotations with GitHub's escaping rules, and a SARIF 2.1.0 log checked against the OASIS schema.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import Ajv from 'ajv-draft-04';
import type * as Sarif from 'sarif';
import { escapeCommandData, escapeCommandProperty, reportedPath } from '../../../src/cli/validateFormats';
import { runCli } from '../../support/cliRunner';
import { CSV_HEADER_3, HASH, HASH2, UNPADDED_HASH } from '../payload/fixtures';

const SARIF_SCHEMA = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');

/** Reads a workflow command back the way the Actions runner does (the inverse of its escaping). */
function parseCommand(line: string): { command: string; properties: Record<string, string>; message: string } {
  const match = /^::(\w+) ([^:]*)::(.*)$/.exec(line);
  assert.ok(match, `not a workflow command: ${line}`);
  const unescape = (text: string) => text.replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%0A/g, '\n').replace(/%0D/g, '\r').replace(/%25/g, '%');
  const properties: Record<string, string> = {};
  for (const pair of match[2]!.split(',')) {
    const eq = pair.indexOf('=');
    properties[pair.slice(0, eq)] = unescape(pair.slice(eq + 1));
  }
  return { command: match[1]!, properties, message: unescape(match[3]!) };
}

describe('autopilot-devices validate --format github|sarif', function () {
  this.timeout(30_000);
  let workspace: string;

  before(() => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-formats-'));
    fs.mkdirSync(path.join(workspace, 'devices, 2025: batch'), { recursive: true });
    fs.writeFileSync(path.join(workspace, 'devices, 2025: batch', 'store%1.autopilot.json'), `[\n  { "serialNumber": "PF-1", "hardwareIdentifier": "${UNPADDED_HASH}" }\n]\n`);
    fs.writeFileSync(path.join(workspace, 'warned.csv'), `${CSV_HEADER_3}\r\nDefault string,,${HASH}\r\n`);
    fs.writeFileSync(path.join(workspace, 'good.csv'), `${CSV_HEADER_3}\r\nPF-1,,${HASH}\r\nPF-2,,${HASH2}\r\n`);
  });
  after(() => fs.rmSync(workspace, { recursive: true, force: true }));

  describe('workflow command escaping', () => {
    it('escapes %, CR and LF in the message, and also : and , in properties', () => {
      assert.equal(escapeCommandData('100% sure\r\nnext: a, b'), '100%25 sure%0D%0Anext: a, b');
      assert.equal(escapeCommandProperty('dir, 2025: x%\r\n'), 'dir%2C 2025%3A x%25%0D%0A');
      // Escaping % first: an already-escaped-looking text survives the round trip.
      assert.equal(escapeCommandData('%0A'), '%250A');
    });

    it('reports paths relative to the working directory, with forward slashes', () => {
      assert.equal(reportedPath(path.join(workspace, 'a', 'b.csv'), workspace), 'a/b.csv');
      assert.equal(reportedPath('a/b.csv', workspace), 'a/b.csv');
      assert.equal(reportedPath('/elsewhere/b.csv', workspace), '/elsewhere/b.csv');
    });
  });

  it('prints one ::error or ::warning per problem on stdout, escaped, and exits 1 for an error', async () => {
    const run = await runCli(['validate', '--format', 'github', 'devices, 2025: batch/store%1.autopilot.json', 'warned.csv', 'good.csv'], { cwd: workspace });
    assert.equal(run.code, 1, run.stderr);
    const lines = run.stdout.split('\n').filter(Boolean);
    assert.equal(lines.length, 2, run.stdout);
    const [error, warning] = lines.map(parseCommand);
    assert.equal(error!.command, 'error');
    assert.deepEqual(error!.properties, { file: 'devices, 2025: batch/store%1.autopilot.json', line: '2', col: '52', title: 'hash-padding' });
    assert.match(lines[0]!, /^::error file=devices%2C 2025%3A batch\/store%251\.autopilot\.json,line=2,col=52,title=hash-padding::/);
    assert.ok(!error!.message.includes('\n') && error!.message.length > 10);
    assert.equal(warning!.command, 'warning');
    assert.deepEqual(warning!.properties, { file: 'warned.csv', line: '2', col: '1', title: 'placeholder-serial' });
    assert.match(run.stderr, /good\.csv: 2 devices, 0 errors, 0 warnings/);
  });

  it('escapes a message that spans lines so the annotation stays one command', async () => {
    // The JSON syntax problem's message quotes the file's own text; a CR or LF in it must not end the command.
    fs.writeFileSync(path.join(workspace, 'broken.autopilot.json'), '{ "serialNumber": "A\r\n1" }\n');
    const run = await runCli(['validate', 'broken.autopilot.json', '--format=github'], { cwd: workspace });
    assert.equal(run.code, 1);
    for (const line of run.stdout.split('\n').filter(Boolean)) {
      const command = parseCommand(line);
      assert.ok(['error', 'warning'].includes(command.command));
      assert.ok(!line.includes('\r'), 'no raw CR inside a command');
    }
  });

  it('exits 0 with only warnings, and prints nothing on stdout for clean files', async () => {
    assert.equal((await runCli(['validate', 'warned.csv', '--format', 'github'], { cwd: workspace })).code, 0);
    const clean = await runCli(['validate', 'good.csv', '--format', 'github'], { cwd: workspace });
    assert.equal(clean.code, 0);
    assert.equal(clean.stdout, '');
  });

  it('prints a SARIF 2.1.0 log that the OASIS schema accepts, with rules, levels and regions', async () => {
    const run = await runCli(['validate', '--format', 'sarif', 'devices, 2025: batch/store%1.autopilot.json', 'warned.csv', 'good.csv'], { cwd: workspace });
    assert.equal(run.code, 1, run.stderr);
    const log = JSON.parse(run.stdout) as Sarif.Log;
    const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false, logger: false });
    const validate = ajv.compile(JSON.parse(fs.readFileSync(SARIF_SCHEMA, 'utf8')) as object);
    assert.ok(validate(log), JSON.stringify(validate.errors, null, 2));
    assert.equal(log.version, '2.1.0');
    const [runLog] = log.runs;
    assert.equal(runLog!.tool.driver.name, 'autopilot-devices');
    assert.deepEqual(runLog!.tool.driver.rules?.map((rule) => rule.id), ['hash-padding', 'placeholder-serial']);
    assert.deepEqual(
      runLog!.results?.map((result) => ({
        rule: result.ruleId,
        index: result.ruleIndex,
        level: result.level,
        uri: result.locations?.[0]?.physicalLocation?.artifactLocation?.uri,
        base: result.locations?.[0]?.physicalLocation?.artifactLocation?.uriBaseId,
        line: result.locations?.[0]?.physicalLocation?.region?.startLine,
        column: result.locations?.[0]?.physicalLocation?.region?.startColumn,
      })),
      [
        { rule: 'hash-padding', index: 0, level: 'error', uri: 'devices,%202025:%20batch/store%251.autopilot.json', base: '%SRCROOT%', line: 2, column: 52 },
        { rule: 'placeholder-serial', index: 1, level: 'warning', uri: 'warned.csv', base: '%SRCROOT%', line: 2, column: 1 },
      ],
    );
    assert.equal(runLog!.artifacts?.length, 3, 'every file checked is listed, clean ones too');
  });

  it('refuses --json together with another --format, and an unknown format', async () => {
    assert.equal((await runCli(['validate', 'good.csv', '--json', '--format', 'github'], { cwd: workspace })).code, 2);
    assert.equal((await runCli(['validate', 'good.csv', '--format', 'junit'], { cwd: workspace })).code, 2);
    const json = await runCli(['validate', 'good.csv', '--format', 'json'], { cwd: workspace });
    assert.equal(json.code, 0);
    assert.equal(JSON.parse(json.stdout).files[0].devices, 2, '--format json is the --json document');
  });
});
