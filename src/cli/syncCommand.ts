/** `autopilot-devices sync`: asks Intune to sync Autopilot devices now (beta; at most once per 10 minutes). */
import * as l10n from '@vscode/l10n';
import type { SyncOutcome } from '../graph/autopilot';
import type { CliOptions } from './args';
import { describeFailure } from '../import/failures';
import { startSession, type GraphCommandContext } from './commandContext';
import { EXIT } from './output';
import type { CliSession } from './session';

const MESSAGES: Record<SyncOutcome, () => string> = {
  started: () => l10n.t('Autopilot sync started.'),
  'already-running': () => l10n.t('An Autopilot sync is already running (409); nothing to do.'),
  'too-soon': () => l10n.t('Intune allows one Autopilot sync every 10 minutes and the last one was more recent (429); try again later.'),
};

export async function syncCommand(options: CliOptions, context: GraphCommandContext): Promise<number> {
  const { io } = context;
  let session: CliSession | undefined;
  try {
    session = startSession(context, options);
    const outcome = await session.engine.syncAutopilot(io.stop);
    if (options.json) io.stdout(`${JSON.stringify({ sync: outcome })}\n`);
    else io.stdout(`${MESSAGES[outcome]()}\n`);
    return EXIT.ok;
  } catch (error) {
    const message = describeFailure(error, session?.failureContext ?? { surface: 'terminal' });
    io.stderr(`autopilot-devices: ${message}\n`);
    if (options.json) io.stdout(`${JSON.stringify({ sync: 'failed', error: message })}\n`);
    return EXIT.failed;
  } finally {
    session?.dispose();
  }
}
