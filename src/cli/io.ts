/** How a subcommand talks to the outside world; `cli.ts` wires it to the process, tests to buffers. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly env: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal (then a live progress line is drawn there). */
  readonly stderrIsTTY: boolean;
  /** Aborts on Ctrl-C / SIGTERM: the command stops, journals, prints what it has and exits 4. */
  readonly stop: AbortSignal;
  /** Whether a person can answer a question on stdin (then `update`/`delete` ask before changing anything). */
  readonly stdinIsTTY?: boolean;
  /** Asks a yes/no question on the terminal; absent where nobody can answer. */
  readonly ask?: (question: string) => Promise<string>;
}
