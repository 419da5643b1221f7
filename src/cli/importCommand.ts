/** `autopilot-devices import <file>... [--group-tag TAG] [--batch-size N] [--wait] [--no-sync] [--skip-registered] [--wait-profile] [--json] [--journal DIR]` */
import * as l10n from '@vscode/l10n';

import { hasErrors, readPayloadFile, type DeviceToImport } from '../payload/api';
import type { CliOptions } from './args';
import { describeFailure } from '../import/failures';
import { reportFailure, startSession, type GraphCommandContext } from './commandContext';
import { EXIT, exitCodeFor, humanSummary, nextStepNote, runsDocument } from './output';
import type { CliSession } from './session';
import { validateCommand } from './validateCommand';
import { RunFailedError } from '../import/errors';
import { systemClock } from '../common/clock';
import { isProfileAssigned, type ProfileAssignment } from '../graph/autopilot';
import { planImport, type PlannedDevice } from '../import/lifecycle/plan';
import { waitForProfiles } from '../import/lifecycle/profileWait';

interface RunsDocument {
  runs: { id: string | null; startedAt: string; source: string; devices: Record<string, unknown>[]; counts: Record<string, number> }[];
}

/** `--skip-registered`: the skipped devices are listed too, with status `skipped` and the registered device's id. */
function withSkipped(document: RunsDocument, skipped: readonly PlannedDevice[], files: readonly string[]): RunsDocument {
  if (!skipped.length) return document;
  const entries = skipped.map((device) => ({ serialNumber: device.serialNumber, id: device.registeredId, status: 'skipped', errorCode: 0, errorName: null, registered: device.action === 'skip-registered' }));
  if (!document.runs.length) document.runs.push({ id: null, startedAt: new Date().toISOString(), source: files.join(', '), devices: [], counts: { complete: 0, error: 0, partial: 0, pending: 0 } });
  document.runs[0]!.devices.push(...entries);
  return document;
}

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
    const skipped: PlannedDevice[] = [];
    let toSend = devices;
    if (options.skipRegistered) {
      // Only what `plan` calls `import`: a device registered here would end in 806, a repeated one is a duplicate.
      const listing = await session.registered.load({ signal: io.stop, onPage: ({ devicesSoFar }) => context.progress.show(l10n.t('Listing registered devices… {0}', devicesSoFar)) });
      const plan = planImport(devices, listing.index);
      toSend = devices.filter((_, index) => plan.devices[index]!.action === 'import');
      skipped.push(...plan.devices.filter((device) => device.action !== 'import'));
      if (skipped.length) io.stderr(`autopilot-devices: ${l10n.t('skipping {0} device(s) already registered here or repeated in the files', skipped.length)}\n`);
    }
    if (!toSend.length) {
      context.progress.clear();
      if (options.json) io.stdout(`${JSON.stringify(withSkipped({ runs: [] }, skipped, files))}\n`);
      else io.stdout(`${l10n.t('Nothing to import: all {0} device(s) are registered here already or repeated.', skipped.length)}\n`);
      return EXIT.ok;
    }
    const result = await session.engine.startRun(toSend, {
      source: files.join(', '),
      groupTag: options.groupTag,
      wait: options.wait,
      sync: options.wait && !options.noSync,
      waitForRegistration: options.wait,
      stop: io.stop,
    });
    let exit = exitCodeFor(result, options.wait);
    let profiles: Map<string, ProfileAssignment | undefined> | undefined;
    if (options.waitProfile && exit !== EXIT.pending) {
      const ids = result.run.devices.filter((device) => device.status === 'complete' && device.registrationId).map((device) => device.registrationId!);
      const { pollIntervalMs, timeLimitMs } = session.engine.settings;
      profiles = await waitForProfiles(session.graph, ids, {
        deadline: Date.now() + timeLimitMs,
        intervalMs: pollIntervalMs,
        clock: systemClock,
        signal: io.stop,
        onRound: (now) => context.progress.show(l10n.t('Waiting for profile assignment: {0} of {1} assigned', [...now.values()].filter((a) => isProfileAssigned(a?.status)).length, ids.length)),
      });
      const unassigned = result.run.devices.filter((device) => device.status === 'complete' && !isProfileAssigned(device.registrationId ? profiles!.get(device.registrationId)?.status : undefined));
      if (unassigned.length && exit === EXIT.ok) exit = EXIT.deviceErrors;
      for (const device of unassigned.slice(0, 50)) {
        const assignment = device.registrationId ? profiles.get(device.registrationId) : undefined;
        io.stderr(`  ${device.serialNumber}  ${l10n.t('profile {0}', assignment?.status ?? l10n.t('unknown (not registered yet)'))}${assignment?.status === 'notAssigned' ? ` — ${l10n.t('no profile targets its group tag (or the assignment has not started yet)')}` : ''}\n`);
      }
    }
    context.progress.clear();
    const document = withSkipped(runsDocument([result.run]) as RunsDocument, skipped, files);
    if (profiles) {
      const byIndex = new Map(result.run.devices.map((device, index) => [index, device.registrationId ? (profiles!.get(device.registrationId)?.status ?? null) : null]));
      document.runs[0]!.devices.forEach((device, index) => {
        if (byIndex.has(index)) device.profileStatus = byIndex.get(index) ?? null;
      });
    }
    if (options.json) io.stdout(`${JSON.stringify(document)}\n`);
    else io.stdout(humanSummary(result.run, nextStepNote(result, options.wait)));
    return exit;
  } catch (error) {
    const message = describeFailure(error, session.failureContext);
    if (error instanceof RunFailedError && !error.discarded) {
      const run = await session.engine.view(error.runId);
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
