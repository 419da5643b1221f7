// The terminal face of the engine: `autopilot-devices <command> …` (SPEC section 6).
import { version } from '../package.json';
import { USAGE, UsageError, parseArguments, wantsJson } from './cli/args';
import type { GraphCommandContext } from './cli/commandContext';
import { importCommand } from './cli/importCommand';
import { identifiersCommand } from './cli/identifiersCommand';
import { addToGroupCommand, deleteCommand, devicesCommand, planCommand, updateCommand } from './cli/lifecycleCommands';
import { askOnTerminal, type CliIo } from './cli/io';
import { EXIT } from './cli/output';
import { ProgressLine } from './cli/progress';
import { resumeCommand } from './cli/resumeCommand';
import { statusCommand } from './cli/statusCommand';
import { logLevelFrom, stderrLogger } from './cli/stderrLogger';
import { syncCommand } from './cli/syncCommand';
import { validateCommand } from './cli/validateCommand';
import { whoamiCommand } from './cli/whoamiCommand';

export const EXIT_USAGE = EXIT.usage;

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [first] = argv;
  if (first === '--version') {
    io.stdout(`${version}\n`);
    return EXIT.ok;
  }
  if (first === undefined || first === '--help' || first === '-h') {
    io.stdout(USAGE);
    return first === undefined ? EXIT.usage : EXIT.ok;
  }
  let parsed;
  try {
    parsed = parseArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`autopilot-devices: ${error.message}\n\n${USAGE}`);
    if (wantsJson(argv)) io.stdout(`${JSON.stringify({ error: error.message })}\n`);
    return EXIT.usage;
  }
  const { command, files, options } = parsed;
  if (command === 'validate') return validateCommand(files, { format: options.format ?? (options.json ? 'json' : 'text'), version }, io);

  const progress = new ProgressLine((text) => io.stderr(text), io.stderrIsTTY && !options.verbose);
  const logger = stderrLogger(logLevelFrom(options.verbose, io.env), (text) => io.stderr(text), () => progress.clear());
  const context: GraphCommandContext = { io, logger, progress, userAgent: `autopilot-devices/${version}` };
  try {
    switch (command) {
      case 'import':
        return await importCommand(files, options, context);
      case 'resume':
        return await resumeCommand(options, context);
      case 'status':
        return await statusCommand(options, context);
      case 'sync':
        return await syncCommand(options, context);
      case 'whoami':
        return await whoamiCommand(options, context);
      case 'identifiers import':
      case 'identifiers list':
      case 'identifiers delete':
        return await identifiersCommand(command, files, options, context);
      case 'devices':
        return await devicesCommand(options, context);
      case 'plan':
        return await planCommand(files, options, context);
      case 'update':
        return await updateCommand(files, options, context);
      case 'delete':
        return await deleteCommand(files, options, context);
      case 'add-to-group':
        return await addToGroupCommand(files, options, context);
    }
  } finally {
    progress.clear();
  }
}

/** Resolves once the stream has taken everything written so far (stdout to a pipe is asynchronous on some OSes). */
function drain(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

if (require.main === module) {
  const controller = new AbortController();
  let interrupts = 0;
  const interrupt = (signal: NodeJS.Signals) => {
    // First Ctrl-C: stop cleanly (journal, print, exit 4). Second: leave at once; the journal is still consistent.
    if (++interrupts > 1) process.exit(130);
    const again = process.argv[2] === 'identifiers' ? "running the same 'autopilot-devices identifiers import' again finishes it" : "'autopilot-devices resume' continues it";
    process.stderr.write(`\nautopilot-devices: ${signal}: stopping; the run is saved and ${again}.\n`);
    controller.abort();
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  const io: CliIo = {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    stderrIsTTY: Boolean(process.stderr.isTTY),
    stop: controller.signal,
    ...(process.stdin.isTTY ? { ask: askOnTerminal } : {}),
  };
  const exitWhenFlushed = (code: number) =>
    Promise.all([drain(process.stdout), drain(process.stderr)]).then(
      () => process.exit(code),
      () => process.exit(code),
    );
  main(process.argv.slice(2), io).then(exitWhenFlushed, (error: unknown) => {
    process.stderr.write(`autopilot-devices: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return exitWhenFlushed(EXIT.failed);
  });
}
