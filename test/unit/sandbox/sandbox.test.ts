/** The parts of `npm start` that can be checked without starting it: options, its folder, its printed command, its guide. */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fakeHardwareHash } from '../../emulator/hashes';
import { readPayloadFile } from '../../../src/payload/api';
import { claimSandboxFolder } from '../../sandbox/sandboxFolder';
import { parseSandboxOptions } from '../../sandbox/sandboxOptions';
import { writeSampleWorkspace } from '../../sandbox/sampleWorkspace';
import { shellWord, terminalCommand } from '../../sandbox/terminalCommand';

describe('npm start, piece by piece', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-sandbox-unit-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads its options strictly: --help, numbers, and an unknown option or a stray word is refused', () => {
    assert.equal(parseSandboxOptions(['--help'], dir).help, true);
    assert.equal(parseSandboxOptions(['-h'], dir).help, true);
    const options = parseSandboxOptions(['--port', '8080', '--processing-delay', '0.5', '--folder', 'elsewhere'], dir);
    assert.deepEqual([options.port, options.processingDelaySeconds, options.registrationDelaySeconds, options.folder], [8080, 0.5, 45, path.resolve('elsewhere')]);
    assert.throws(() => parseSandboxOptions(['--prot', '8080'], dir), /Unknown option '--prot'/);
    assert.throws(() => parseSandboxOptions(['help'], dir), /npm start: /);
    assert.throws(() => parseSandboxOptions(['--port', 'x'], dir), /--port needs a port number/);
    assert.throws(() => parseSandboxOptions(['--processing-delay', 'soon'], dir), /--processing-delay needs a number of seconds, not "soon"/);
    assert.throws(() => parseSandboxOptions(['--port'], dir), /^Error: npm start: Option '--port <value>' argument missing\.$/);
  });

  it('holds its folder while its process runs, takes over one left by a stopped sandbox, and removes only its own files', async () => {
    const folder = path.join(dir, 'sandbox');
    // Another process that is running holds the folder.
    const other = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      fs.mkdirSync(folder);
      fs.writeFileSync(path.join(folder, 'sandbox.json'), JSON.stringify({ pid: other.pid, startedAt: 'earlier', url: 'http://127.0.0.1:1/' }));
      const refused = claimSandboxFolder(folder);
      assert.ok('runningElsewhere' in refused && refused.runningElsewhere.url === 'http://127.0.0.1:1/');
    } finally {
      other.kill();
      await new Promise((resolve) => other.once('exit', resolve));
    }
    // Its process has gone: the folder is taken over, the old sandbox's files are removed, a user's file is kept.
    fs.mkdirSync(path.join(folder, 'workspace'));
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'mine');
    const claim = claimSandboxFolder(folder);
    assert.ok(!('runningElsewhere' in claim));
    assert.ok(!fs.existsSync(path.join(folder, 'workspace')), 'nothing of the earlier sandbox is reused');
    assert.equal(JSON.parse(fs.readFileSync(path.join(folder, 'sandbox.json'), 'utf8')).pid, process.pid);
    fs.mkdirSync(path.join(folder, 'tls'));
    claim.release();
    assert.deepEqual(fs.readdirSync(folder), ['notes.txt']);
    fs.rmSync(path.join(folder, 'notes.txt'));
    const again = claimSandboxFolder(folder);
    assert.ok(!('runningElsewhere' in again));
    again.release();
    assert.ok(!fs.existsSync(folder), 'an emptied folder goes too');
  });

  it('prints a terminal command that a POSIX shell reads back word for word, environment included', () => {
    const parts = {
      cli: '/repo with space/dist/cli.js',
      file: "/work/it's here/hardware-hashes.csv",
      journal: '/tmp/journal',
      caFile: '/tmp/ca.pem',
      authority: 'https://127.0.0.1:4443',
      graphRoot: 'http://127.0.0.1:8080',
      clientId: '80867e8c-7839-43f9-b98a-f0d5f2dcfdf8',
      secret: 'sandbox~a$b`c"d',
      tenant: 'contoso.onmicrosoft.com',
    };
    const lines = terminalCommand(parts);
    assert.ok(lines.slice(0, -1).every((line) => line.endsWith(' \\')));
    // The shell gets the same words and variables: the command prints them instead of running the CLI.
    const probe = lines.join('\n').replace(/^node /m, 'node -e "console.log(JSON.stringify({ argv: process.argv.slice(1), env: process.env }))" -- ');
    const result = spawnSync('sh', ['-c', probe], { encoding: 'utf8', env: { PATH: process.env.PATH } });
    assert.equal(result.status, 0, result.stderr);
    const { argv, env } = JSON.parse(result.stdout) as { argv: string[]; env: Record<string, string> };
    assert.deepEqual(argv, [parts.cli, 'import', parts.file, '--journal', parts.journal, '--wait', '--poll-interval', '2']);
    assert.equal(env.AUTOPILOT_CLIENT_SECRET, parts.secret);
    assert.equal(env.NODE_EXTRA_CA_CERTS, parts.caFile);
    assert.equal(env.AUTOPILOT_TENANT_ID, parts.tenant);
    assert.equal(shellWord('plain-word_1.2'), 'plain-word_1.2');
    assert.equal(shellWord('~home'), "'~home'");
  });

  it('writes a sample workspace whose guide names files that exist and reads cleanly', async () => {
    const tenant = {
      registered: { serialNumber: 'SBX0806REG', hardwareIdentifier: fakeHardwareHash('registered', 1020) },
      earlierFailure: { serialNumber: 'SBX0001RTY', hardwareIdentifier: fakeHardwareHash('earlier', 1020) },
      foreign: { serialNumber: 'SBX0808OTH', hardwareIdentifier: fakeHardwareHash('foreign', 1020) },
    };
    writeSampleWorkspace(dir, tenant);
    const guide = fs.readFileSync(path.join(dir, 'README.md'), 'utf8');
    for (const named of guide.matchAll(/`([\w.-]+\.(?:csv|json))`/g)) assert.ok(fs.existsSync(path.join(dir, named[1]!)), `${named[1]} exists`);
    assert.doesNotMatch(guide, /…\.|\.\.\.\./, 'no doubled full stop after an ellipsis');
    assert.doesNotMatch(guide, /try \*Retry Failed Devices\*/);
    assert.ok(guide.split('\n').some((line) => line.length > 200), 'paragraphs are not hard-wrapped (the editor wraps them)');
    assert.equal((await readPayloadFile(path.join(dir, 'hardware-hashes.csv'))).problems.length, 0);
    const returns = await readPayloadFile(path.join(dir, 'returns.autopilot.json'));
    assert.deepEqual(returns.problems, []);
    assert.ok(returns.devices.some((device) => device.serialNumber === 'SBX0806REG'), 'the 806 device keeps its registered serial number');
    assert.ok((await readPayloadFile(path.join(dir, 'broken.csv'))).problems.some((problem) => problem.severity === 'error'));
  });
});
