/** `autopilot-devices resume [--journal DIR] [--wait] [--json]`: finishes every run a crash or Ctrl-C left open. */
import * as l10n from '@vscode/l10n';
import { type RunResult } from '../import/engine';

import type { RunView } from '../import/runState';

import type { CliOptions } from './args';
import { describeFailure } from '../import/failures';
import { reportFailure, startSession, type GraphCommandContext } from './commandContext';
import { EXIT, combineExitCodes, exitCodeFor, humanSummary, nextStepNote, runsDocument } from './output';
import type { CliSession } from './session';
import { RunBusyError, RunFailedError, RunTenantError } from '../import/errors';

export async function resumeCommand(options: CliOptions, context: GraphCommandContext): Promise<number> {
  const { io } = context;
  let session: CliSession;
  try {
    session = startSession(context, options);
  } catch (error) {
    reportFailure(context, options, describeFailure(error, { surface: 'terminal' }));
    return EXIT.failed;
  }
  try {
    const { engine } = session;
    const elsewhere = (await engine.listRuns()).filter((run) => run.phase !== 'finished' && run.graphRoot !== session.client.graphRoot);
    for (const run of elsewhere) {
      io.stderr(l10n.t('Run {0} belongs to {1}; resume it with --graph-root {1}.', run.id, run.graphRoot) + '\n');
    }
    const unfinished = await engine.unfinishedRuns({ registration: options.wait });
    if (!unfinished.length) {
      if (!options.json) io.stdout(l10n.t('No unfinished runs in {0}.', session.journal.directory) + '\n');
      else io.stdout(`${JSON.stringify(runsDocument([]))}\n`);
      return EXIT.ok;
    }
    const results: RunResult[] = [];
    const codes: number[] = [];
    let failure: string | undefined;
    const failedRuns: RunView[] = [];
    for (const run of unfinished) {
      if (io.stop.aborted) break;
      try {
        const result = await engine.resumeRun(run.id, { wait: options.wait, sync: options.wait && !options.noSync, waitForRegistration: options.wait, stop: io.stop });
        results.push(result);
        codes.push(exitCodeFor(result, options.wait));
      } catch (error) {
        if (error instanceof RunBusyError || error instanceof RunTenantError) {
          // Nothing was sent for this run; the others may still be ours to finish.
          context.progress.clear();
          io.stderr(`autopilot-devices: ${describeFailure(error, session.failureContext)}\n`);
          codes.push(EXIT.failed);
          continue;
        }
        failure = describeFailure(error, session.failureContext);
        if (error instanceof RunFailedError) {
          const view = await engine.view(error.runId);
          failedRuns.push(view);
          codes.push(view.devices.some((d) => d.sent) ? EXIT.pending : EXIT.failed);
        } else {
          codes.push(EXIT.failed);
        }
        break; // the same cause (credentials, permissions, network) would stop the others too
      }
    }
    const runs = [...results.map((r) => r.run), ...failedRuns];
    context.progress.clear();
    if (failure) reportFailure(context, options, failure, runs);
    else if (options.json) io.stdout(`${JSON.stringify(runsDocument(runs))}\n`);
    if (!options.json) for (const result of results) io.stdout(humanSummary(result.run, nextStepNote(result, options.wait)));
    return combineExitCodes(codes);
  } finally {
    session.dispose();
  }
}
