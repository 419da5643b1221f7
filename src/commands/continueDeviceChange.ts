/**
 * `autopilot.continueDeviceChange [runId]`: finish a bulk change to registered devices (update, delete, retire, add to
 * a group) that a closed window, a crash or a cancel left with devices pending. The journal says what was done, which
 * is skipped; a device whose request left without an answer is checked before anything is sent for it again. From the
 * palette, the user picks among this tenant's unfinished changes.
 */
import * as vscode from 'vscode';
import type { ChangeRunView } from '../import/lifecycle/api';
import type { ExtensionServices } from '../services';
import { changeName } from '../views/registeredDevicePresentation';
import { withChangeProgress } from './deviceChanges';
import { chooseUnfinished } from './unfinishedRuns';

export async function continueDeviceChange(services: ExtensionServices, runId?: unknown): Promise<ChangeRunView> {
  const { service } = services.devices;
  const id = await chooseUnfinished(runId, {
    list: () => service.unfinished(),
    none: vscode.l10n.t('No change to Autopilot devices is unfinished in this tenant.'),
    title: vscode.l10n.t('Continue a change to Autopilot devices'),
    item: (run) => ({ label: changeName(run), detail: vscode.l10n.t('{0} of {1} devices not done', run.counts.pending, run.devices.length) }),
  });
  return withChangeProgress(services, vscode.l10n.t('Continuing a change to Autopilot devices'), (work) => service.resume(id, work));
}
