/**
 * A run resumed long after it stopped may find its devices imported since by a later run of the same tenant (the user
 * imported the file again). Sending them again would only earn 806 "already assigned" from Intune, so they are not
 * sent: they take the later run's record, which is where Graph has them.
 */
import { sameSerial } from '../graph/serialFilter';
import type { Journal, RecordSnapshot, RunManifest } from './journal';
import { sameHash, type RunContext } from './runContext';
import { RunState, type DeviceState, type RunView } from './runState';
import { hashRunSummaries } from './runSummary';
import { sameTenant } from './tenant';

/** Run ids start with their creation time to the second (`newRunId`), so older runs are skipped without reading them. */
function mayBeLater(candidateId: string, run: RunManifest): boolean {
  return candidateId.split('-')[0]! >= run.id.split('-')[0]!;
}

function isLater(candidate: Pick<RunView, 'id' | 'startedAt'>, run: RunManifest): boolean {
  return candidate.startedAt > run.startedAt || (candidate.startedAt === run.startedAt && candidate.id > run.id);
}

/**
 * A later run of the same tenant that may hold records for some of `waiting`, from its summary (no hashes read):
 * one with an accepted device of the same serial. Only such a run is read whole, to compare hashes.
 */
function mayHoldAny(later: RunView, own: RunManifest, waiting: readonly DeviceState[]): boolean {
  if (later.graphRoot !== own.graphRoot || !sameTenant(later.tenant, own.tenant) || !isLater(later, own)) return false;
  return later.devices.some((theirs) => theirs.sent && theirs.id && waiting.some((device) => sameSerial(own.devices[device.index]!.serialNumber, theirs.serialNumber)));
}

/** Journals, for every device of the run not sent yet, the record a later run of its tenant got into Graph for it. */
export async function adoptLaterImports(ctx: RunContext, journal: Journal): Promise<void> {
  const own = ctx.state.manifest;
  const waiting = ctx.state.devices.filter((device) => device.progress === 'not-sent');
  if (!waiting.length) return;
  const summaries = hashRunSummaries(journal, ctx.logger);
  for (const runId of await journal.listRunIds()) {
    if (runId === own.id || !waiting.length || !mayBeLater(runId, own)) continue;
    let later: RunState;
    try {
      if (!mayHoldAny(await summaries.read(runId), own, waiting)) continue;
      const { manifest, entries } = await journal.readRun(runId);
      later = RunState.load(manifest, entries);
    } catch (error) {
      ctx.logger.warn(`Run ${ctx.runId}: could not read run ${runId} to check for devices it imported: ${(error as Error).message}`);
      continue;
    }
    const adopted: { device: DeviceState; record: RecordSnapshot; theirs: DeviceState }[] = [];
    for (const theirs of later.devices) {
      if (theirs.progress !== 'accepted' || !theirs.recordId || theirs.importedBy) continue;
      const input = later.manifest.devices[theirs.index]!;
      const at = waiting.findIndex((device) => {
        const mine = own.devices[device.index]!;
        return sameSerial(mine.serialNumber, input.serialNumber) && sameHash(mine.hardwareIdentifier, input.hardwareIdentifier);
      });
      if (at < 0) continue;
      const [device] = waiting.splice(at, 1);
      adopted.push({
        device: device!,
        theirs,
        record: { device: device!.index, id: theirs.recordId, status: theirs.status ?? 'unknown', errorCode: theirs.errorCode, errorName: theirs.errorName, registrationId: theirs.registrationId },
      });
    }
    if (!adopted.length) continue;
    ctx.record({ t: 'imported-by-later-run', run: runId, records: adopted.map((a) => a.record) });
    const deleted = adopted.filter((a) => a.theirs.recordDeleted).map((a) => a.device.index);
    if (deleted.length) ctx.record({ t: 'record-deleted', devices: deleted });
    const registered = adopted.filter((a) => a.theirs.registered).map((a) => a.device.index);
    if (registered.length) ctx.record({ t: 'registered', devices: registered });
    ctx.logger.info(`Run ${ctx.runId}: ${adopted.length} device(s) not sent: the later run ${runId} already imported them`);
  }
}
