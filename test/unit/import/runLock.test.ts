/**
 * The run lock and run creation between real processes (issue 11, item 5): a lock is taken atomically, a dead owner's
 * lock is broken by exactly one of several processes racing for it, and a run is never visible half created.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { JOURNAL_VERSION, Journal, type RunManifest } from '../../../src/import/journal';
import { fakeDevices } from '../../emulator/hashes';
import { RunBusyError } from '../../../src/import/errors';

const JOURNAL_JS = path.resolve(__dirname, '..', '..', '..', 'src', 'import', 'journal.js');
const RUN_ID = '20250101T000000Z-000001';

function manifest(id = RUN_ID, count = 4): RunManifest {
  return { version: JOURNAL_VERSION, id, startedAt: '2025-01-01T00:00:00.000Z', source: 'a.json', graphRoot: 'https://graph.microsoft.com', batchSize: 2, devices: fakeDevices(count) };
}

/** A Node child running `script` with the compiled journal module as `Journal`; resolves with its stdout. */
function child(script: string, args: readonly string[]): { process: ChildProcessWithoutNullStreams; lines: string[]; done: Promise<string> } {
  const proc = spawn(process.execPath, ['-e', `const { Journal } = require(${JSON.stringify(JOURNAL_JS)});\n${script}`, ...args], { stdio: 'pipe' });
  const lines: string[] = [];
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    lines.push(...chunk.split('\n').filter(Boolean));
  });
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<string>((resolve, reject) =>
    proc.on('close', (code, signal) => (code === 0 || signal === 'SIGKILL' ? resolve(stdout) : reject(new Error(`child exited ${code}: ${stderr}`)))),
  );
  return { process: proc, lines, done };
}

/** Resolves once `lines` has `count` entries. Waits for the event, not for a time. */
async function linesFrom(source: { lines: string[]; process: ChildProcessWithoutNullStreams }, count: number): Promise<void> {
  while (source.lines.length < count) await new Promise((resolve) => source.process.stdout.once('data', resolve));
}

/** Takes the lock when told to (a byte on stdin), proves it is alone inside, holds it a moment, and says what happened. */
const RACER = `
const fs = require('node:fs');
const [dir, runId, inside] = process.argv.slice(1);
const journal = new Journal(dir);
process.stdout.write('ready\\n');
process.stdin.once('data', () => {
  let lock;
  try {
    lock = journal.lock(runId);
  } catch (error) {
    if (error.name !== 'RunBusyError') throw error;
    process.stdout.write('busy ' + error.pid + '\\n');
    process.exit(0);
  }
  try {
    fs.writeFileSync(inside, String(process.pid), { flag: 'wx' });
  } catch {
    process.stdout.write('overlap\\n');
    process.exit(0);
  }
  setTimeout(() => {
    fs.rmSync(inside);
    lock.release();
    process.stdout.write('won\\n');
    process.exit(0);
  }, 300);
});
`;

describe('run lock and run creation between processes', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-lock-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const lockFile = () => path.join(dir, 'runs', RUN_ID, 'lock');

  it('never lets two of several processes racing for a dead owner’s lock both hold it', async () => {
    new Journal(dir).createRun(manifest()).release();
    for (let round = 0; round < 3; round++) {
      // The owner was SIGKILLed: its lock (as an earlier version wrote it, a bare pid) is still there.
      fs.writeFileSync(lockFile(), '999999999');
      const racers = Array.from({ length: 6 }, () => child(RACER, [dir, RUN_ID, path.join(dir, 'inside')]));
      await Promise.all(racers.map((racer) => linesFrom(racer, 1)));
      for (const racer of racers) racer.process.stdin.end('go');
      const outcomes = (await Promise.all(racers.map((racer) => racer.done))).map((out) => out.trim().split('\n').at(-1)!);
      assert.ok(!outcomes.includes('overlap'), `round ${round}: two processes held the lock at once: ${outcomes.join(', ')}`);
      assert.ok(outcomes.filter((outcome) => outcome === 'won').length >= 1, outcomes.join(', '));
      assert.ok(outcomes.every((outcome) => outcome === 'won' || /^busy \d+$/.test(outcome)), outcomes.join(', '));
      assert.equal(fs.existsSync(lockFile()), false, 'the last holder released it');
    }
  });

  it('names the live process that holds a run, and does not take a lock that is still being written', () => {
    const journal = new Journal(dir);
    journal.createRun(manifest()).release();
    fs.writeFileSync(lockFile(), JSON.stringify({ pid: process.ppid, host: os.hostname(), nonce: 'parent' }));
    assert.throws(() => journal.lock(RUN_ID), (error: unknown) => error instanceof RunBusyError && error.pid === process.ppid);
    // Earlier versions created the lock empty and wrote the pid in a second step; a reader in between saw no holder.
    fs.writeFileSync(lockFile(), '');
    assert.throws(() => journal.lock(RUN_ID), RunBusyError);
    fs.writeFileSync(lockFile(), JSON.stringify({ pid: 4242, host: 'build-agent-7', nonce: 'remote' }));
    assert.throws(() => journal.lock(RUN_ID), (error: unknown) => error instanceof RunBusyError && error.host === 'build-agent-7', 'another machine’s process is not judged from here');
  });

  it('takes over a lock whose pid now belongs to another process (a reused pid)', function () {
    if (!fs.existsSync('/proc/self/stat')) this.skip();
    const journal = new Journal(dir);
    journal.createRun(manifest()).release();
    fs.writeFileSync(lockFile(), JSON.stringify({ pid: process.ppid, host: os.hostname(), nonce: 'old', started: '1' }));
    journal.lock(RUN_ID).release();
  });

  it('forgets a run only under its lock', () => {
    const journal = new Journal(dir);
    journal.createRun(manifest()).release();
    const held = journal.lock(RUN_ID);
    assert.throws(() => new Journal(dir).forget(RUN_ID), RunBusyError);
    assert.deepEqual(journal.runIds(), [RUN_ID]);
    held.release();
    journal.forget(RUN_ID);
    assert.deepEqual(journal.runIds(), []);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'trash')), [], 'nothing left behind');
  });

  it('shows a run to others only whole and already locked by its creator, however its creator dies', async () => {
    const CREATOR = `
      const [dir] = process.argv.slice(1);
      const devices = Array.from({ length: 800 }, (_, i) => ({ serialNumber: 'S' + i, hardwareIdentifier: 'A'.repeat(4000) }));
      for (let n = 0; ; n++) {
        const id = '20250101T0000' + String(n).padStart(2, '0') + 'Z-' + String(process.pid).slice(-6).padStart(6, '0');
        new Journal(dir).createRun({ version: 1, id, startedAt: '2025-01-01T00:00:00.000Z', source: 'x', graphRoot: 'https://graph.microsoft.com', batchSize: 100, devices });
        process.stdout.write('created ' + id + '\\n');
      }`;
    for (let kill = 1; kill <= 4; kill++) {
      const creator = child(CREATOR, [dir]);
      // Killed as soon as it reports a run: it is then somewhere inside creating the next one.
      await linesFrom(creator, kill);
      creator.process.kill('SIGKILL');
      await creator.done;
      const journal = new Journal(dir);
      const folders = fs.readdirSync(path.join(dir, 'runs'));
      assert.deepEqual(folders.sort(), journal.runIds().sort(), 'every folder in runs/ is a whole run');
      for (const runId of folders) {
        assert.equal(journal.read(runId).manifest.devices.length, 800);
        // The creator died holding it: the next process takes it over.
        journal.lock(runId).release();
      }
    }
  });
});
