/**
 * Runs the bundled terminal command (`dist/cli.js`) as a child process. Asynchronous on purpose: the emulator lives
 * in the test process and must keep answering while the child runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';

export const CLI = path.resolve(__dirname, '..', '..', '..', 'dist', 'cli.js');

export interface CliRun {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CliRunOptions {
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
  /** Called once the child exists, e.g. to kill it at a chosen moment. */
  readonly onSpawn?: (child: ChildProcess) => void;
}

export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: options.cwd,
      // Only what the test chooses: no token, root or journal leaks in from the developer's shell.
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env } as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a test can kill "the whole process group" as a crash would.
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    options.onSpawn?.(child);
  });
}

/** The single JSON document a `--json` run must print, or a failed assertion showing what came instead. */
export function parseJsonOutput<T = unknown>(run: CliRun): T {
  const text = run.stdout.trim();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`stdout is not exactly one JSON document:\n${run.stdout}\n--- stderr ---\n${run.stderr}`);
  }
}

/**
 * Ctrl-C while requests are committed but not yet answered: `hold` (an emulator fault's action) holds each answer, sends
 * SIGINT to the child once `requests` are held, and answers only after the child has said it is stopping, which it
 * says in the same step as it aborts its requests; so the client has given up on the answers, however slow the
 * machine. Pass `onSpawn` to `runCli`.
 */
export function interruptWhileUnanswered(requests = 1): { hold: () => Promise<void>; onSpawn: (child: ChildProcess) => void } {
  let child: ChildProcess | undefined;
  let held = 0;
  let stopping!: () => void;
  const stopped = new Promise<void>((resolve) => (stopping = resolve));
  return {
    hold: async () => {
      if (++held === requests) child!.kill('SIGINT');
      await stopped;
    },
    onSpawn: (spawned) => {
      child = spawned;
      let said = '';
      spawned.stderr!.on('data', (chunk: Buffer | string) => {
        said += chunk.toString();
        if (said.includes('SIGINT: stopping')) stopping();
      });
    },
  };
}
