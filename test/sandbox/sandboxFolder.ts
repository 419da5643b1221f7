/**
 * One sandbox per folder. A running sandbox holds its folder through `sandbox.json` (its process id, start time and
 * URL), created exclusively, so a second start finds it and says where the first one is instead of rewriting its
 * workspace and certificates. A claim left by a process that no longer runs is taken over.
 *
 * Only what a sandbox writes is ever removed (the entries below), so a folder given with `--folder` loses nothing else.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeadProcess } from '../../src/import/journal';

export interface SandboxRecord {
  readonly pid: number;
  readonly startedAt: string;
  readonly url?: string;
  /** code-server's temporary folder, removed with it. */
  readonly codeServerHome?: string;
}

export interface SandboxClaim {
  readonly folder: string;
  /** Records where the ready sandbox can be opened, for a second start to point at. */
  ready(details: { url: string; codeServerHome: string }): void;
  /** Removes what the sandbox wrote (workspace, certificates, journal) and with it the claim. */
  release(): void;
}

const RECORD = 'sandbox.json';
/** What a sandbox writes into its folder. */
export const SANDBOX_ENTRIES = ['workspace', 'tls', 'journal'] as const;

function readRecord(file: string): SandboxRecord | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as SandboxRecord;
  } catch {
    return undefined;
  }
}

function removeSandboxFiles(folder: string, record: boolean): void {
  for (const entry of SANDBOX_ENTRIES) fs.rmSync(path.join(folder, entry), { recursive: true, force: true, maxRetries: 3 });
  if (record) fs.rmSync(path.join(folder, RECORD), { force: true });
}

export function claimSandboxFolder(folder: string): SandboxClaim | { runningElsewhere: SandboxRecord } {
  const file = path.join(folder, RECORD);
  fs.mkdirSync(folder, { recursive: true });
  const mine: SandboxRecord = { pid: process.pid, startedAt: new Date().toISOString() };
  const take = () => fs.writeFileSync(file, JSON.stringify(mine), { flag: 'wx' });
  try {
    take();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const other = readRecord(file);
    if (other && !isDeadProcess(other.pid)) return { runningElsewhere: other };
    // Left behind by a sandbox that did not stop cleanly: its code-server folder goes too.
    if (other?.codeServerHome) fs.rmSync(other.codeServerHome, { recursive: true, force: true });
    fs.rmSync(file, { force: true });
    take(); // another start that won the race meanwhile makes this throw, and that one runs
  }
  // A fresh start: nothing of an earlier sandbox in this folder is reused.
  removeSandboxFiles(folder, false);
  return {
    folder,
    ready: (details) => fs.writeFileSync(file, JSON.stringify({ ...mine, ...details })),
    release: () => {
      removeSandboxFiles(folder, true);
      // The folder itself goes too when nothing else is in it.
      if (fs.readdirSync(folder).length === 0) fs.rmdirSync(folder);
    },
  };
}
