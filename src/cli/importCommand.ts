/** `autopilot-devices import <file>... [--group-tag TAG] [--batch-size N] [--wait] [--no-sync] [--json] [--journal DIR]` */
import * as l10n from '@vscode/l10n';

import { hasErrors, readPayloadFile, type DeviceToImport } from '../payload/api';
import type { CliOptions } from './args';
import { describeFailure } from '../import/failures';
import { reportFailure, startSession, type GraphCommandContext } from './commandContext';
import { EXIT, exitCodeFor, humanSummary, nextStepNote, runsDocument } from './output';
import type { CliSession } from './session';
import { validateCommand } from './validateCommand';
import { RunFailedError } from '../import/errors';

export async function importCommand(files: readonly string[], options: CliOptions, context: GraphCommandContext): Promise<number> {
  const { io } = context;
  const devices: DeviceToImport[] = [];
  let invalid = false;
  for (const file of files) {
    let payload;
    try {
      payload = await readPayloadFile(file);
    } catch (error) {
      reportFailure(context, options, l10n.t('Cannot read {0}: {1}', file, (error as Error).message));
      return EXIT.failed;
    }
    if (payload.problems.length) {
      // Same report as `validate`, on stderr, so stdout stays for the result.
      await validateCommand([file], { format: 'text' }, { stdout: io.stderr, stderr: io.stderr });
    }
    invalid ||= hasErrors(payload);
    devices.push(...payload.devices);
  }
  if (invalid) {
    reportFailure(context, options, l10n.t('Nothing was sent: fix the errors above (autopilot-devices validate shows them too).'));
    return EXIT.failed;
  }

  let session: CliSession;
  try {
    session = startSession(context, options);
  } catch (error) {
    reportFailure(context, options, describeFailure(error, { surface: 'terminal' }));
    return EXIT.failed;
  }
  try {
    const result = await session.engine.startRun(devices, {
      source: files.join(', '),
      groupTag: options.groupTag,
      wait: options.wait,
      sync: options.wait && !options.noSync,
      waitForRegistration: options.wait,
      stop: io.stop,
    });
    context.progress.clear();
    if (options.json) io.stdout(`${JSON.stringify(runsDocument([result.run]))}\n`);
    else io.stdout(humanSummary(result.run, nextStepNote(result, options.wait)));
    return exitCodeFor(result, options.wait);
  } catch (error) {
    const message = describeFailure(error, session.failureContext);
    if (error instanceof RunFailedError && !error.discarded) {
      const run = session.engine.view(error.runId);
      reportFailure(context, options, message, [run]);
      // Once Graph holds some of the devices the run is half done, and `resume` finishes it.
      return run.devices.some((d) => d.sent) ? EXIT.pending : EXIT.failed;
    }
    // Nothing reached Graph (a discarded run, or a sign-in that failed before the run was journaled): nothing to resume.
    reportFailure(context, options, message);
    return EXIT.failed;
  } finally {
    session.dispose();
  }
}
