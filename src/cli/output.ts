/** What the terminal command prints about runs: the `--json` document of SPEC section 6, or a short summary. */
import * as l10n from '@vscode/l10n';
import { counted } from '../common/counts';
import type { RunResult } from '../import/engine';
import { explainImportError } from '../import/explanations';
import type { RunView } from '../import/runState';

export const EXIT = { ok: 0, failed: 1, usage: 2, deviceErrors: 3, pending: 4 } as const;

/** `{"runs":[{id,startedAt,source,devices:[{serialNumber,id,status,errorCode,errorName,registered}],counts}]}` */
export function runsDocument(runs: readonly RunView[], error?: string): unknown {
  const document: Record<string, unknown> = {
    runs: runs.map((run) => ({
      id: run.id,
      startedAt: run.startedAt,
      source: run.source,
      devices: run.devices.map((device) => ({
        serialNumber: device.serialNumber,
        id: device.id,
        status: device.status,
        errorCode: device.errorCode,
        errorName: device.errorName,
        registered: device.registered,
      })),
      counts: run.counts,
    })),
  };
  if (error !== undefined) document.error = error;
  return document;
}

/** Exit code for one run the command worked on (SPEC section 6). */
export function exitCodeFor(result: Pick<RunResult, 'run' | 'stopped'>, waited: boolean): number {
  const { run, stopped } = result;
  const stillPending = run.phase === 'sending' || (waited && run.phase !== 'finished');
  if (stillPending || (stopped !== 'finished' && stopped !== 'accepted' && run.phase !== 'finished')) return EXIT.pending;
  if (run.counts.error + run.counts.partial > 0) return EXIT.deviceErrors;
  return EXIT.ok;
}

/** Several runs: still-pending work outranks device errors, which outrank success. */
export function combineExitCodes(codes: readonly number[]): number {
  for (const code of [EXIT.failed, EXIT.pending, EXIT.deviceErrors]) if (codes.includes(code)) return code;
  return EXIT.ok;
}

const MAX_LISTED = 50;

export function humanSummary(run: RunView, note?: string): string {
  const c = run.counts;
  const lines = [
    l10n.t('Run {0} ({1}): {2}', run.id, run.source, counted.devices(run.devices.length)),
    `  ${l10n.t('complete {0}, error {1}, partial {2}, pending {3}, registered {4}', c.complete, c.error, c.partial, c.pending, run.devices.filter((d) => d.registered).length)}`,
  ];
  const notable = run.devices.filter((device) => device.status === 'error' || device.status === 'partial');
  for (const device of notable.slice(0, MAX_LISTED)) {
    const explanation = explainImportError(device);
    const what = explanation ? `${explanation.title}. ${explanation.fix}` : (device.errorName ?? '');
    lines.push(`  ${device.serialNumber}  ${device.status} ${device.errorCode}${device.errorName ? ` ${device.errorName}` : ''} — ${what}`);
  }
  if (notable.length > MAX_LISTED) lines.push(`  ${l10n.t('… and {0} more (see --json)', notable.length - MAX_LISTED)}`);
  if (note) lines.push(`  ${note}`);
  return `${lines.join('\n')}\n`;
}

/** A one-line hint about what to do next, or undefined when there is nothing to do. */
export function nextStepNote(result: Pick<RunResult, 'run' | 'stopped' | 'sync' | 'allRegistered'>, waited: boolean): string | undefined {
  const notes: string[] = [];
  if (result.sync === 'started') notes.push(l10n.t('Autopilot sync started.'));
  if (result.sync === 'already-running') notes.push(l10n.t('An Autopilot sync was already running.'));
  if (result.sync === 'too-soon') notes.push(l10n.t('Autopilot sync skipped: Intune allows one sync every 10 minutes.'));
  if (result.run.phase === 'sending') notes.push(l10n.t("Some devices were not sent: run 'autopilot-devices resume' to send them."));
  else if (result.run.phase === 'processing') {
    notes.push(waited ? l10n.t("Graph is still processing some devices: run 'autopilot-devices resume --wait' to keep watching.") : l10n.t("Accepted; Graph processes imports in a few minutes: 'autopilot-devices status' shows progress."));
  }
  if (result.allRegistered === false) notes.push(l10n.t('Some completed devices have not appeared among registered Autopilot devices yet.'));
  return notes.length ? notes.join(' ') : undefined;
}
