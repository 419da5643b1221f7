/**
 * The run journal: what a run is about to do and what it learned, on disk before and after every send, so a crash,
 * a reload or a Ctrl-C never loses a run and never causes a device to be sent twice (SPEC section 3 and 6).
 *
 * Layout: `<dir>/runs/<runId>/manifest.json` (written once) and `events.jsonl` (append-only, one JSON entry per
 * line), plus `lock` while a process works on the run. A run is assembled in `<dir>/staging/` with its lock already in
 * it and renamed into `runs/` whole, so a run in `runs/` always has its manifest and belongs to its creator from the
 * first instant anyone can see it. An entry counts once its line ends: a kill mid-append leaves a torn last line,
 * which readers ignore and the next append cuts off first. Folders are fsynced after files are created or renamed in
 * them. The files hold hardware hashes (needed to resume), so they are readable by the user only.
 *
 * Beside them, `summary.json` holds what lists show of a run (no hashes), with the length of `events.jsonl` it was
 * folded from. It is a cache: written whole under another name and renamed over the old one (never fsynced, never
 * relied on), and believed only while `events.jsonl` still has exactly that length, so a summary that lags behind
 * the journal (a crash between an append and the summary) is never shown: it is built again from the journal.
 */
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DeviceToImport } from '../payload/api';
import { LockHeldError, acquireLockFile, releaseLockFile, writeNewLockFile, type LockOwner } from './lockFile';
import { RunBusyError } from './errors';

export const JOURNAL_VERSION = 1;

export interface RunManifest {
  readonly version: typeof JOURNAL_VERSION;
  readonly id: string;
  /** ISO time the run was created. */
  readonly startedAt: string;
  /** What the devices came from (file paths), for people. */
  readonly source: string;
  /** The Graph root the run talks to; a run is only ever resumed against the same root. */
  readonly graphRoot: string;
  readonly batchSize: number;
  readonly devices: readonly DeviceToImport[];
  /** The tenant the run imports into (see tenant.ts); runs journaled by earlier terminal versions lack it. */
  readonly tenant?: RunTenant;
}

/** Which tenant a run belongs to: its id, and a name for people (a verified domain, or the id again). */
export interface RunTenant {
  readonly id: string;
  readonly label: string;
}

export interface RecordSnapshot {
  readonly device: number;
  readonly id: string;
  readonly status: string;
  readonly errorCode: number;
  readonly errorName: string | null;
  readonly registrationId: string | null;
}

export interface SendError {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** One line of `events.jsonl`. `at` is an ISO time. */
export type JournalEntry =
  /** Written (and flushed) before the request leaves. */
  | { readonly t: 'send'; readonly at: string; readonly send: number; readonly mode: 'import' | 'create'; readonly devices: readonly number[] }
  | { readonly t: 'accepted'; readonly at: string; readonly send: number; readonly records: readonly RecordSnapshot[] }
  /** Graph refused the request, so nothing was created; `final` devices are done (error), the rest go back to the queue. */
  | { readonly t: 'rejected'; readonly at: string; readonly send: number; readonly devices: readonly number[]; readonly error: SendError; readonly final: boolean }
  /** No answer came (timeout, reset after sending): the devices may or may not exist now. */
  | { readonly t: 'uncertain'; readonly at: string; readonly send: number; readonly devices: readonly number[]; readonly reason: string }
  /** Import records that already existed for the run's serials before it sent them (earlier imports): never this run's. */
  | { readonly t: 'existing'; readonly at: string; readonly ids: readonly string[] }
  /** A second record Graph made for a device (a write it committed after the settle time): the device keeps its first. */
  | { readonly t: 'duplicate'; readonly at: string; readonly device: number; readonly id: string }
  | { readonly t: 'reconciled'; readonly at: string; readonly devices: readonly number[]; readonly found: readonly RecordSnapshot[] }
  /** Devices never sent that a later run of the same tenant got into Graph: they take its records and are not sent. */
  | { readonly t: 'imported-by-later-run'; readonly at: string; readonly run: string; readonly records: readonly RecordSnapshot[] }
  | { readonly t: 'status'; readonly at: string; readonly records: readonly RecordSnapshot[] }
  | { readonly t: 'registered'; readonly at: string; readonly devices: readonly number[] }
  | { readonly t: 'record-deleted'; readonly at: string; readonly devices: readonly number[] }
  | { readonly t: 'retry'; readonly at: string; readonly devices: readonly number[] }
  | { readonly t: 'sync'; readonly at: string; readonly outcome: string }
  /** The wait for registration ended (all registered, or the time limit): `resume --wait` need not wait again. */
  | { readonly t: 'registration-watched'; readonly at: string; readonly allRegistered: boolean };

/**
 * What the journal itself needs of a run's manifest. Hash imports write `RunManifest`; another kind of run (corporate
 * identifiers) brings its own manifest and entries, names its `kind`, and keeps its runs in a journal of its own.
 */
export interface JournalManifest {
  readonly version: typeof JOURNAL_VERSION;
  readonly id: string;
  readonly kind?: string;
}

export interface LoadedRun<Manifest extends JournalManifest = RunManifest, Entry = JournalEntry> {
  readonly manifest: Manifest;
  readonly entries: readonly Entry[];
  /** How much of `events.jsonl` the entries come from (up to its last whole line), for a summary of them. */
  readonly eventsBytes: number;
}

/** A run's summary as stored: what it says, and the length of `events.jsonl` it was folded from. */
interface StoredSummary<Summary> {
  readonly version: typeof SUMMARY_VERSION;
  readonly eventsBytes: number;
  readonly summary: Summary;
}

const SUMMARY_VERSION = 1;


/** A run's lock, held by this process until `release` (or until the run is discarded with it). */
export interface RunLock {
  readonly runId: string;
  release(): void;
}

/** Lock files this process holds, so two engines in one process (the extension, tests) also exclude each other. */
const heldLocks = new Set<string>();

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

export class Journal<Manifest extends JournalManifest = RunManifest, Entry = JournalEntry> {
  constructor(readonly directory: string) {}

  private runDir(runId: string): string {
    if (!/^[A-Za-z0-9._-]+$/.test(runId)) throw new Error(`Not a run id: ${runId}`);
    return path.join(this.directory, 'runs', runId);
  }

  /**
   * Journals a new run, locked by this process from the moment it exists: no other process can resume it before
   * its creator has even started. The caller releases the lock (or keeps working under it).
   */
  createRun(manifest: Manifest): RunLock {
    const runs = path.join(this.directory, 'runs');
    const target = this.runDir(manifest.id);
    this.sweep('staging');
    const staging = path.join(this.directory, 'staging', `${manifest.id}.${process.pid}`);
    fs.mkdirSync(staging, { recursive: true, mode: DIR_MODE });
    try {
      writeWholeFile(path.join(staging, 'manifest.json'), JSON.stringify(manifest), true);
      writeWholeFile(path.join(staging, 'events.jsonl'), '', true);
      const owner = writeNewLockFile(path.join(staging, 'lock'));
      syncDirectory(staging);
      fs.mkdirSync(runs, { recursive: true, mode: DIR_MODE });
      fs.renameSync(staging, target);
      syncDirectory(runs);
      syncDirectory(this.directory);
      return this.held(manifest.id, owner);
    } catch (error) {
      fs.rmSync(staging, { recursive: true, force: true });
      throw error;
    }
  }

  /**
   * Appends one entry; `durable` also forces it to the disk (used for `send`, which must precede the request).
   * Only the lock holder appends, so cutting off a torn last line first is safe. Returns the journal's length after
   * the entry (what a summary folded up to this entry covers).
   */
  append(runId: string, entry: Entry, durable = false): number {
    const fd = fs.openSync(path.join(this.runDir(runId), 'events.jsonl'), 'a+', FILE_MODE);
    try {
      const start = trimTornTail(fd);
      const line = Buffer.from(`${JSON.stringify(entry)}\n`, 'utf8');
      for (let written = 0; written < line.length; ) written += fs.writeSync(fd, line, written, line.length - written);
      if (durable) fs.fdatasyncSync(fd);
      return start + line.length;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Run ids, newest first. */
  runIds(): string[] {
    const runs = path.join(this.directory, 'runs');
    if (!fs.existsSync(runs)) return [];
    return fs
      .readdirSync(runs, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(runs, entry.name, 'manifest.json')))
      .map((entry) => entry.name)
      .sort()
      .reverse();
  }

  /** Run ids, newest first, without blocking (for the extension host). */
  async listRunIds(): Promise<string[]> {
    const runs = path.join(this.directory, 'runs');
    let entries: fs.Dirent[];
    try {
      entries = await fsp.readdir(runs, { withFileTypes: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const ids = await Promise.all(entries.map(async (entry) => (entry.isDirectory() && (await exists(path.join(runs, entry.name, 'manifest.json'))) ? entry.name : undefined)));
    return ids.filter((id): id is string => id !== undefined).sort().reverse();
  }

  read(runId: string): LoadedRun<Manifest, Entry> {
    const dir = this.runDir(runId);
    return loaded<Manifest, Entry>(runId, fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'), readIfExists(path.join(dir, 'events.jsonl')));
  }

  /** `read` without blocking: the same run, read with asynchronous file I/O. */
  async readRun(runId: string): Promise<LoadedRun<Manifest, Entry>> {
    const dir = this.runDir(runId);
    const [manifest, events] = await Promise.all([fsp.readFile(path.join(dir, 'manifest.json'), 'utf8'), readIfExistsAsync(path.join(dir, 'events.jsonl'))]);
    return loaded<Manifest, Entry>(runId, manifest, events);
  }

  /**
   * A run's summary, if one was written from the journal as it is now (`events.jsonl` has exactly the length it was
   * folded from); undefined when there is none, it is damaged or of another version, or the journal has moved on.
   */
  async readSummary<Summary>(runId: string): Promise<Summary | undefined> {
    const dir = this.runDir(runId);
    let stored: StoredSummary<Summary>;
    let eventsBytes: number;
    try {
      [stored, eventsBytes] = await Promise.all([
        fsp.readFile(path.join(dir, 'summary.json'), 'utf8').then((text) => JSON.parse(text) as StoredSummary<Summary>),
        fsp.stat(path.join(dir, 'events.jsonl')).then((stat) => stat.size, () => 0),
      ]);
    } catch {
      return undefined; // none yet (an older version's run), or cut short: built again from the journal
    }
    return stored?.version === SUMMARY_VERSION && stored.eventsBytes === eventsBytes ? stored.summary : undefined;
  }

  /**
   * Stores a run's summary folded from the first `eventsBytes` of its journal: written whole under a name of its own,
   * then renamed over the old one, so a reader sees the old summary or the new one, never a mix.
   */
  async writeSummary<Summary>(runId: string, summary: Summary, eventsBytes: number): Promise<void> {
    const dir = this.runDir(runId);
    const stored: StoredSummary<Summary> = { version: SUMMARY_VERSION, eventsBytes, summary };
    const temporary = path.join(dir, `summary.json.${process.pid}.${++summaryWrites}`);
    try {
      await fsp.writeFile(temporary, JSON.stringify(stored), { mode: FILE_MODE });
      await fsp.rename(temporary, path.join(dir, 'summary.json'));
    } catch (error) {
      await fsp.rm(temporary, { force: true });
      // The run was forgotten meanwhile: there is nothing left to summarise.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  /**
   * Claims a run for this process so two processes never work on the same run. A lock left by a process that no
   * longer exists (SIGKILL, crash) is taken over. Returns the lock, or throws `RunBusyError` naming the holder.
   */
  lock(runId: string): RunLock {
    const file = path.resolve(this.runDir(runId), 'lock');
    if (heldLocks.has(file)) throw new RunBusyError(runId, process.pid);
    let owner: LockOwner;
    try {
      owner = acquireLockFile(file);
    } catch (error) {
      if (error instanceof LockHeldError) throw new RunBusyError(runId, error.owner.pid, error.owner.host === os.hostname() ? undefined : error.owner.host);
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`Run ${runId} is not in the journal ${this.directory}.`);
      throw error;
    }
    return this.held(runId, owner);
  }

  /** Removes a run from the journal (Graph is not touched); throws `RunBusyError` while a process works on it. */
  forget(runId: string): void {
    this.discard(this.lock(runId));
  }

  /** Removes a run whose lock this process holds; the lock goes with it. */
  discard(lock: RunLock): void {
    const file = path.resolve(this.runDir(lock.runId), 'lock');
    if (!heldLocks.has(file)) throw new Error(`Run ${lock.runId} is not locked by this process.`);
    // Out of runs/ in one rename, so no reader ever sees half a run; then deleted at leisure.
    this.sweep('trash');
    const trash = path.join(this.directory, 'trash', `${lock.runId}.${process.pid}`);
    fs.mkdirSync(path.dirname(trash), { recursive: true, mode: DIR_MODE });
    fs.renameSync(this.runDir(lock.runId), trash);
    syncDirectory(path.join(this.directory, 'runs'));
    heldLocks.delete(file);
    fs.rmSync(trash, { recursive: true, force: true });
  }

  private held(runId: string, owner: LockOwner): RunLock {
    const file = path.resolve(this.runDir(runId), 'lock');
    heldLocks.add(file);
    return {
      runId,
      release: () => {
        if (!heldLocks.delete(file)) return; // released already, or discarded with its run
        releaseLockFile(file, owner);
      },
    };
  }

  /** Removes what a killed process left in `staging/` or `trash/` (named `<runId>.<pid>`). */
  private sweep(folder: 'staging' | 'trash'): void {
    const dir = path.join(this.directory, folder);
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const pid = Number(name.split('.').at(-1));
      if (pid === process.pid || !isDeadProcess(pid)) continue;
      fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    }
  }
}

/**
 * One journal line. A line that does not parse but ends in a whole entry is a torn append with the next entry glued
 * to it (earlier versions appended after a torn line): the fragment never counted, the entry does.
 */
function parseEntry<Entry>(line: string): Entry {
  try {
    return JSON.parse(line) as Entry;
  } catch (error) {
    for (let at = line.indexOf('{"t":', 1); at > 0; at = line.indexOf('{"t":', at + 1)) {
      try {
        return JSON.parse(line.slice(at)) as Entry;
      } catch {
        // not this one
      }
    }
    throw error;
  }
}

/** Cuts a file opened for appending back to its last newline; returns its length after that. */
function trimTornTail(fd: number): number {
  const size = fs.fstatSync(fd).size;
  const chunk = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - chunk.length);
    const read = fs.readSync(fd, chunk, 0, end - start, start);
    const newline = chunk.subarray(0, read).lastIndexOf(0x0a);
    if (newline >= 0) {
      if (start + newline + 1 < size) fs.ftruncateSync(fd, start + newline + 1);
      return start + newline + 1;
    }
    end = start;
  }
  if (size > 0) fs.ftruncateSync(fd, 0);
  return 0;
}

let summaryWrites = 0;

/** A run from its files' text. Whatever follows the journal's last newline is an append cut short: it never counted. */
function loaded<Manifest extends JournalManifest, Entry>(runId: string, manifestText: string, events: string): LoadedRun<Manifest, Entry> {
  const manifest = JSON.parse(manifestText) as Manifest;
  if (manifest.version !== JOURNAL_VERSION) throw new Error(`Run ${runId} was written by an incompatible version (${String(manifest.version)}).`);
  const whole = events.slice(0, events.lastIndexOf('\n') + 1);
  const entries: Entry[] = [];
  for (const line of whole.split('\n')) if (line.trim()) entries.push(parseEntry<Entry>(line));
  return { manifest, entries, eventsBytes: Buffer.byteLength(whole, 'utf8') };
}

function writeWholeFile(file: string, text: string, durable: boolean): void {
  const fd = fs.openSync(file, 'wx', FILE_MODE);
  try {
    const bytes = Buffer.from(text, 'utf8');
    for (let written = 0; written < bytes.length; ) written += fs.writeSync(fd, bytes, written, bytes.length - written);
    if (durable) fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Makes a folder's new or renamed entries survive a power cut (Windows has no folder handles to sync; NTFS journals them). */
function syncDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function readIfExists(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

async function readIfExistsAsync(file: string): Promise<string> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

async function exists(file: string): Promise<boolean> {
  return fsp.access(file).then(
    () => true,
    () => false,
  );
}

/** Whether no process with this id runs (one owned by another user is running). */
export function isDeadProcess(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** Sortable, unique, safe as a directory name: `20240501T101500Z-1a2b3c`. */
export function newRunId(now: number, random: () => number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const suffix = Math.floor(random() * 0xffffff).toString(16).padStart(6, '0');
  return `${stamp}-${suffix}`;
}
