/**
 * The logging surface every layer writes to. VS Code's `LogOutputChannel` satisfies it as is, and the terminal
 * command supplies a stderr implementation, so `graph/`, `auth/`, `payload/` and `import/` never need `vscode`.
 *
 * Callers must never pass tokens, secrets, hardware hashes or product keys: log a serial and a fingerprint instead.
 */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error): void;
}

/** A logger that drops everything: for library callers and tests that do not care about logs. */
export const silentLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
