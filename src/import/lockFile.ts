/**
 * A lock file that is atomic between processes and can be taken over safely once its owner is gone.
 *
 * - Taking it: the owner record (pid, host, process start time, a random nonce) is written to a temp file first, and
 *   the temp file is hard-linked into place. `link` fails if the lock exists, so the lock file never exists without
 *   its owner in it: nobody can read an empty lock and take it too.
 * - A lock whose owner is dead (SIGKILL, a crash, a reboot) is broken by whoever first takes a second lock named after
 *   the dead owner's nonce, and only if the lock still holds that nonce once they have it. Two processes that both
 *   find the same stale lock therefore never both remove it and both win; a breaker that dies in between leaves a
 *   stale lock of its own, broken the same way.
 * - Where a file system has no hard links, the lock is created exclusively and written at once; a lock that is still
 *   empty there counts as being written for a few seconds.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';

/** Who holds a lock. `started` tells a reused pid from the original process, where the OS lets us read it. */
export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly nonce: string;
  readonly started?: string;
  /** Only on file systems without hard links: the file exists (since this time, ms) but its owner is not written yet. */
  readonly incompleteSince?: number;
}

export class LockHeldError extends Error {
  constructor(readonly owner: LockOwner) {
    super(`Held by process ${owner.pid}${owner.host === os.hostname() ? '' : ` on ${owner.host}`}.`);
    this.name = 'LockHeldError';
  }
}

/** Nonces of the locks this process holds: an owner record with our pid but another nonce is a dead predecessor's. */
const ownNonces = new Set<string>();
const FILE_MODE = 0o600;
/** Rounds of "someone else won the race" before giving up and naming the current holder. */
const ATTEMPTS = 8;
const INCOMPLETE_GRACE_MS = 10_000;
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** Takes `file` for this process, breaking a stale lock; throws `LockHeldError` naming a live holder. */
export function acquireLockFile(file: string): LockOwner {
  const owner = newOwner();
  const temp = `${file}.${owner.nonce}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(owner), { mode: FILE_MODE, flag: 'wx' });
  try {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (tryPlace(temp, file, owner)) {
        ownNonces.add(owner.nonce);
        return owner;
      }
      const holder = readLockOwner(file);
      if (!holder) continue; // released in between
      if (isAlive(holder)) throw new LockHeldError(holder);
      breakStaleLock(file, holder);
    }
    throw new LockHeldError(readLockOwner(file) ?? { pid: 0, host: os.hostname(), nonce: 'unknown' });
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/** Writes an owner record for a lock file that nobody else can see yet (a run being created in a private folder). */
export function writeNewLockFile(file: string): LockOwner {
  const owner = newOwner();
  fs.writeFileSync(file, JSON.stringify(owner), { mode: FILE_MODE, flag: 'wx' });
  ownNonces.add(owner.nonce);
  return owner;
}

/** Removes the lock if it is still `owner`'s (it always is while the owner lives: only a dead owner's lock is broken). */
export function releaseLockFile(file: string, owner: LockOwner): void {
  ownNonces.delete(owner.nonce);
  if (readLockOwner(file)?.nonce === owner.nonce) fs.rmSync(file, { force: true });
}

/** The owner recorded in a lock file, or undefined when there is no lock file. */
export function readLockOwner(file: string): LockOwner | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockOwner>;
    if (typeof parsed.pid === 'number' && typeof parsed.nonce === 'string' && typeof parsed.host === 'string') {
      return { pid: parsed.pid, host: parsed.host, nonce: parsed.nonce, ...(typeof parsed.started === 'string' ? { started: parsed.started } : {}) };
    }
  } catch {
    // Not JSON: a lock written by an earlier version (a bare pid), or one still being written (see the header).
  }
  const pid = Number(text.trim());
  if (text.trim() && Number.isInteger(pid) && pid > 0) return { pid, host: os.hostname(), nonce: `pid-${pid}` };
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    return undefined;
  }
  // Its inode and time tell two incomplete locks at the same path apart.
  return { pid: 0, host: os.hostname(), nonce: `incomplete-${stat.ino}-${Math.floor(stat.mtimeMs)}`, incompleteSince: stat.mtimeMs };
}

function newOwner(): LockOwner {
  const started = processStartTime(process.pid);
  return { pid: process.pid, host: os.hostname(), nonce: randomBytes(12).toString('hex'), ...(started ? { started } : {}) };
}

/** Puts the temp file in place as the lock; false when a lock is already there. */
function tryPlace(temp: string, file: string, owner: LockOwner): boolean {
  try {
    fs.linkSync(temp, file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!NO_HARD_LINKS.has(code)) throw error;
  }
  try {
    fs.writeFileSync(file, JSON.stringify(owner), { mode: FILE_MODE, flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

function breakStaleLock(file: string, stale: LockOwner): void {
  const marker = `${file}.break-${stale.nonce.replace(/[^A-Za-z0-9-]/g, '_')}`;
  let breaker: LockOwner;
  try {
    breaker = acquireLockFile(marker);
  } catch (error) {
    if (error instanceof LockHeldError) return; // another process is breaking it; look again
    throw error;
  }
  try {
    // Only the holder of the marker removes the lock, and only while it is still the stale one it was named after.
    if (readLockOwner(file)?.nonce === stale.nonce) fs.rmSync(file, { force: true });
  } finally {
    releaseLockFile(marker, breaker);
  }
}

function isAlive(owner: LockOwner): boolean {
  if (owner.incompleteSince !== undefined) return Date.now() - owner.incompleteSince < INCOMPLETE_GRACE_MS;
  // Another machine's process (a journal on a shared drive) cannot be checked from here: assume it is working.
  if (owner.host !== os.hostname()) return true;
  if (owner.pid === process.pid) return ownNonces.has(owner.nonce);
  if (owner.pid <= 0) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  // The pid is taken; after a reboot or in a fresh container it may be an unrelated process.
  const started = owner.started && processStartTime(owner.pid);
  return !started || started === owner.started;
}

/** When the process started, in clock ticks since boot (Linux); undefined where the OS does not say. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 22; the command name (field 2, in parentheses) may itself contain spaces and parentheses.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
