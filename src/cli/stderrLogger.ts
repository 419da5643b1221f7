/** The terminal command's `Logger`: lines on stderr at or above the chosen level (`--verbose`, `AUTOPILOT_LOG`). */
import type { Logger } from '../common/logger';
import { redactSecrets } from '../common/redact';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
const LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/** The more detailed of the two: `--verbose` means at least debug, and does not hide an `AUTOPILOT_LOG=trace`. */
export function logLevelFrom(verbose: boolean, env: NodeJS.ProcessEnv): LogLevel {
  const named = env.AUTOPILOT_LOG?.trim().toLowerCase();
  const chosen = LEVELS.includes(named as LogLevel) ? (named as LogLevel) : 'warn';
  return verbose && LEVELS.indexOf(chosen) > LEVELS.indexOf('debug') ? 'debug' : chosen;
}

export function stderrLogger(level: LogLevel, write: (text: string) => void, beforeWrite: () => void = () => undefined): Logger {
  const threshold = LEVELS.indexOf(level);
  const line = (at: LogLevel) => (message: string | Error) => {
    if (LEVELS.indexOf(at) < threshold) return;
    const text = message instanceof Error ? (message.stack ?? message.message) : message;
    beforeWrite();
    // Our own messages never carry secrets; this catches anything a server put in an error text.
    write(`[${at}] ${redactSecrets(text)}\n`);
  };
  return { trace: line('trace'), debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
}
