/**
 * The run journal: what a run is about to do and what it learned, on disk before and after every send, so a crash,
 * a reload or a Ctrl-C never loses a run and never causes a device to be sent twice (SPEC section 3 and 6).
 *
 * Layout: `<dir>/runs/<runId>/manifest.json` (written once, temp file + rename) and `events.jsonl` (append-only,
 * one JSON entry per line). An append is a single write, so after SIGKILL the file ends at an entry boundary or
 * with one torn line, which the reader ignores. The files hold hardware hashes (needed to resume), so they are
 * created readable by the user only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DeviceToImport } from '../payload/api';

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
  /** The tenant the run imports into, when the caller knows it (the extension does; a bare token does not say). */
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
}

export class RunBusyError extends Error {
  constructor(readonly runId: string, readonly pid: number) {
    super(`Run ${runId} is being worked on by process ${pid}.`);
    this.name = 'RunBusyError';
  }
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

  createRun(manifest: Manifest): void {
    const dir = this.runDir(manifest.id);
    fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
    writeFileAtomically(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
    fs.writeFileSync(path.join(dir, 'events.jsonl'), '', { mode: FILE_MODE, flag: 'a' });
  }

  /** Appends one entry; `durable` also forces it to the disk (used for `send`, which must precede the request). */
  append(runId: string, entry: Entry, durable = false): void {
    const fd = fs.openSync(path.join(this.runDir(runId), 'events.jsonl'), 'a', FILE_MODE);
    try {
      fs.writeSync(fd, `${JSON.stringify(entry)}\n`);
      if (durable) fs.fdatasyncSync(fd);
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

  read(runId: string): LoadedRun<Manifest, Entry> {
    const dir = this.runDir(runId);
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
    if (manifest.version !== JOURNAL_VERSION) throw new Error(`Run ${runId} was written by an incompatible version (${String(manifest.version)}).`);
    const entries: Entry[] = [];
    const lines = readIfExists(path.join(dir, 'events.jsonl')).split('\n');
    for (const [i, line] of lines.entries()) {
      if (!line.trim()) continue;
      try {
        entries.push(JSON.parse(line) as Entry);
      } catch (error) {
        // Only the last line can be torn (a kill mid-append); anything else is real damage.
        if (i < lines.length - 1 && lines.slice(i + 1).some((rest) => rest.trim())) throw error;
      }
    }
    return { manifest, entries };
  }

  deleteRun(runId: string): void {
    fs.rmSync(this.runDir(runId), { recursive: true, force: true });
  }

  /**
   * Claims a run for this process so two processes never send the same run. A lock left by a process that no
   * longer exists (SIGKILL, crash) is taken over. Returns the release function, or throws `RunBusyError`.
   */
  lock(runId: string): () => void {
    const file = path.resolve(this.runDir(runId), 'lock');
    if (heldLocks.has(file)) throw new RunBusyError(runId, process.pid);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = fs.openSync(file, 'wx', FILE_MODE);
        fs.writeSync(fd, String(process.pid));
        fs.closeSync(fd);
        heldLocks.add(file);
        return () => {
          heldLocks.delete(file);
          fs.rmSync(file, { force: true });
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = Number(readIfExists(file).trim());
        // Our own pid without an entry in heldLocks means an earlier process that had this pid died holding it.
        if (holder && holder !== process.pid && isAlive(holder)) throw new RunBusyError(runId, holder);
        fs.rmSync(file, { force: true });
      }
    }
    throw new RunBusyError(runId, 0);
  }
}

function writeFileAtomically(file: string, text: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temp, 'w', FILE_MODE);
  try {
    fs.writeSync(fd, text);
    fs.fdatasyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
}

function readIfExists(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw error;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Sortable, unique, safe as a directory name: `20240501T101500Z-1a2b3c`. */
export function newRunId(now: number, random: () => number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const suffix = Math.floor(random() * 0xffffff).toString(16).padStart(6, '0');
  return `${stamp}-${suffix}`;
}
