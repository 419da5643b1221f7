/** How a subcommand talks to the outside world; `cli.ts` wires it to the process, tests to buffers. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly env: NodeJS.ProcessEnv;
  /** Whether stderr is a terminal (then a live progress line is drawn there). */
  readonly stderrIsTTY: boolean;
  /** Aborts on Ctrl-C / SIGTERM: the command stops, journals, prints what it has and exits 4. */
  readonly stop: AbortSignal;
  /** Asks a question on the terminal and resolves with the answer; absent when stdin is not a terminal. */
  readonly ask?: (question: string) => Promise<string>;
}

/** A question on stderr, the answer from stdin (a terminal); Ctrl-C answers with nothing. */
export async function askOnTerminal(question: string): Promise<string> {
  const readline = await import('node:readline');
  const terminal = readline.createInterface({ input: process.stdin, output: process.stderr });
  return new Promise((resolve) => {
    terminal.on('SIGINT', () => {
      terminal.close();
      resolve('');
    });
    terminal.question(question, (answer) => {
      terminal.close();
      resolve(answer);
    });
  });
}
