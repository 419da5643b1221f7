/**
 * Starts the test proxy (`test/support/proxyProcess.mjs`, the npm `proxy` package in a process of its own) and
 * collects what it forwards. Its upstream connections come from `FORWARDED_FROM`, so the emulators' records show
 * which requests came through it.
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';

/** The loopback address the proxy connects from (Linux routes all of 127.0.0.0/8 to the loopback interface). */
export const FORWARDED_FROM = '127.0.0.3';

export type ProxyEvent =
  | { readonly event: 'connect'; readonly target: string; readonly authorized: boolean }
  | { readonly event: 'request'; readonly method: string; readonly url: string; readonly authorized: boolean };

export interface TestProxy {
  /** `http://127.0.0.1:PORT`, without credentials. */
  readonly url: string;
  /** The URL with the given credentials in it. */
  urlWith(user: string, password: string): string;
  readonly events: ProxyEvent[];
  stop(): Promise<void>;
}

const SCRIPT = path.resolve(__dirname, '..', '..', '..', 'test', 'support', 'proxyProcess.mjs');

export function startTestProxy(options: { credentials?: string } = {}): Promise<TestProxy> {
  const args = [SCRIPT, '--forwarded-from', FORWARDED_FROM, ...(options.credentials ? ['--credentials', options.credentials] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
  const events: ProxyEvent[] = [];
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    let buffered = '';
    child.once('exit', (code) => reject(new Error(`the test proxy exited with ${code}: ${stderr}`)));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const event = JSON.parse(line) as ProxyEvent | { event: 'listening'; port: number };
        if (event.event !== 'listening') {
          events.push(event);
          continue;
        }
        const url = `http://127.0.0.1:${event.port}`;
        child.removeAllListeners('exit');
        resolve({
          url,
          urlWith: (user, password) => `http://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${event.port}`,
          events,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
  });
}
