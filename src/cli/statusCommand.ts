/**
 * `autopilot-devices status [--journal DIR] [--json]`: the runs in the journal. With credentials, records still being
 * processed are looked up once first; without, the journal alone answers.
 */
import * as l10n from '@vscode/l10n';
import { MissingCredentialsError } from '../auth/environmentCredentials';
import { listRunViews } from '../import/runSummary';
import { Journal } from '../import/journal';
import { defaultJournalDirectory } from '../import/journalLocation';
import type { RunView } from '../import/runState';
import type { CliOptions } from './args';
import { describeFailure } from '../import/failures';
import { reportFailure, startSession, type GraphCommandContext } from './commandContext';
import { EXIT, humanSummary, runsDocument } from './output';
import type { CliSession } from './session';

export async function statusCommand(options: CliOptions, context: GraphCommandContext): Promise<number> {
  const { io } = context;
  let session: CliSession | undefined;
  try {
    session = startSession(context, options);
  } catch (error) {
    if (!(error instanceof MissingCredentialsError)) {
      reportFailure(context, options, describeFailure(error, { surface: 'terminal' }));
      return EXIT.failed;
    }
    io.stderr(l10n.t('No credentials: showing the journal without asking Graph.') + '\n');
  }
  try {
    const journal = session?.journal ?? new Journal(options.journal ?? defaultJournalDirectory(io.env));
    let runs: RunView[] = await listRunViews(journal, context.logger);
    let code: number = EXIT.ok;
    if (session) {
      const refreshed: RunView[] = [];
      for (const run of runs) {
        let refusal;
        try {
          refusal = await session.engine.checkTenant(run);
        } catch (error) {
          // The credentials' tenant is unknown (a token without one, a failed sign-in): no run can be shown as ours.
          reportFailure(context, options, describeFailure(error, session.failureContext));
          return EXIT.failed;
        }
        if (refusal) {
          context.progress.clear();
          io.stderr(`autopilot-devices: ${describeFailure(refusal, session.failureContext)}\n`);
          code = EXIT.failed;
          continue;
        }
        if (run.phase === 'finished' || run.graphRoot !== session.client.graphRoot || io.stop.aborted) {
          refreshed.push(run);
          continue;
        }
        try {
          refreshed.push(await session.engine.refreshRun(run.id, io.stop));
        } catch (error) {
          io.stderr(l10n.t('Could not refresh run {0}: {1}', run.id, describeFailure(error, session.failureContext)) + '\n');
          refreshed.push(run);
        }
      }
      runs = refreshed;
    }
    context.progress.clear();
    if (options.json) io.stdout(`${JSON.stringify(runsDocument(runs))}\n`);
    else if (!runs.length) io.stdout(l10n.t('No runs in {0}.', journal.directory) + '\n');
    else for (const run of runs) io.stdout(humanSummary(run));
    return code;
  } finally {
    session?.dispose();
  }
}
