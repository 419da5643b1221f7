/** What every Graph-facing subcommand shares: its IO, logger and progress line, and how it opens a session. */
import type { Logger } from '../common/logger';
import type { CliOptions } from './args';
import type { CliIo } from './io';
import { runsDocument } from './output';
import type { ProgressLine } from './progress';
import { openSession, type CliSession } from './session';

export interface GraphCommandContext {
  readonly io: CliIo;
  readonly logger: Logger;
  readonly progress: ProgressLine;
  readonly userAgent: string;
}

/** Prints a failure once: a sentence on stderr, and in `--json` mode a document that says so. */
export function reportFailure(context: GraphCommandContext, options: CliOptions, message: string, runs: Parameters<typeof runsDocument>[0] = []): void {
  context.progress.clear();
  context.io.stderr(`autopilot-devices: ${message}\n`);
  if (options.json) context.io.stdout(`${JSON.stringify(runsDocument(runs, message))}\n`);
}

export function startSession(context: GraphCommandContext, options: CliOptions): CliSession {
  const session = openSession(options, {
    env: context.io.env,
    logger: context.logger,
    userAgent: context.userAgent,
    onRetryWait: (wait) => context.progress.onRetryWait(wait),
  });
  session.engine.events.on((event) => context.progress.onEvent(event));
  return session;
}
