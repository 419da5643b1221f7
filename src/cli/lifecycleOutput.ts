/** What the lifecycle commands print: plans and devices for people, results in the `--json` shapes of SPEC 6.2. */
import * as l10n from '@vscode/l10n';
import type { ChangeOperation, ChangeRunView, DeviceSummary, Plan } from '../import/lifecycle/api';
import type { CliIo } from './io';

const MAX_LISTED = 50;

/** A plan in a few lines: the counts, then what happens to each device that something happens to. */
export function humanPlan(plan: Plan): string {
  const counts = Object.entries(plan.counts).map(([action, count]) => `${action} ${count}`).join(', ');
  const lines = [l10n.t('Plan for {0} device(s): {1}', plan.devices.length, counts)];
  const notable = plan.devices.filter((device) => device.action !== 'unchanged' && device.action !== 'import');
  for (const device of notable.slice(0, MAX_LISTED)) {
    const changes = Object.entries(device.changes ?? {}).map(([field, change]) => `${field}: ${change?.from || '(empty)'} → ${change?.to}`);
    lines.push(`  ${device.serialNumber}  ${device.action}${changes.length ? `  ${changes.join('; ')}` : ''}${device.reason ? ` (${device.reason})` : ''}`);
  }
  if (notable.length > MAX_LISTED) lines.push(`  ${l10n.t('… and {0} more (see --json)', notable.length - MAX_LISTED)}`);
  return `${lines.join('\n')}\n`;
}

export function printDevices(devices: readonly DeviceSummary[], io: CliIo): void {
  for (const device of devices) {
    const cells = [device.serialNumber, device.groupTag || '-', device.model || '-', device.displayName || '-', device.userPrincipalName || '-', device.enrollmentState, device.profileStatus ?? '-'];
    io.stdout(`${cells.join('  ')}\n`);
  }
  io.stdout(`${l10n.t('{0} registered device(s)', devices.length)}\n`);
}

/** `update`: `{serialNumber,id,changes,result}`; `delete` and `add-to-group`: `{serialNumber,id,result}`; `error` where one failed. */
export function resultsDocument(run: ChangeRunView, operation: ChangeOperation): { devices: object[] } {
  return {
    devices: run.devices.map((device) => ({
      serialNumber: device.serialNumber,
      id: device.id,
      ...(operation === 'update' ? { changes: device.changes ?? {} } : {}),
      result: device.result,
      ...(device.error ? { error: device.error.message } : {}),
    })),
  };
}
