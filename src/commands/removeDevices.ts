/**
 * Taking devices out of Windows Autopilot, both commands one shape (a plan from the selection, a modal confirmation
 * that states how many and what it does not do, a journaled change):
 *
 * - `autopilot.deleteDevices` deletes the Autopilot registrations. Following the documented order, a device still
 *   enrolled in Intune is not deleted (Intune refuses) but reported, with Retire… as the way on.
 * - `autopilot.retireDevices` (Retire…) deletes the Intune managed device first, then the registration once Intune
 *   lets it go. The Entra ID device is left alone unless the user asks for it in a confirmation of its own, off by
 *   default, that carries Microsoft's warning (deleting it can break the device's next Autopilot deployment).
 *
 * Last argument `{ confirmed, deleteEntraDevices }` answers the questions (scripts, tests).
 */
import * as vscode from 'vscode';
import { UserCancelledError } from '../common/errors';
import type { ExtensionServices } from '../services';
import { confirmPlan, planActs, planSummary, runChange, targetDevices, type ChangeCommandOptions, type ChangeCommandResult } from './deviceChanges';

export interface RemoveOptions extends ChangeCommandOptions {
  /** Retire only: also delete the Entra ID device objects (asked, off by default, when absent and not confirmed). */
  readonly deleteEntraDevices?: boolean;
}

type Removal = 'delete' | 'retire';

const TEXTS = {
  delete: () => ({
    pick: vscode.l10n.t('Delete Autopilot devices'),
    nothing: (summary: string) => vscode.l10n.t('Nothing to delete: {0}.', summary),
    question: (n: number) => (n === 1 ? vscode.l10n.t('Delete 1 Autopilot device registration?') : vscode.l10n.t('Delete {0} Autopilot device registrations?', n)),
    action: vscode.l10n.t('Delete'),
    note: vscode.l10n.t(
      'This removes the devices from Windows Autopilot only. It does not wipe or retire them, does not remove them from Intune (enrolled devices are skipped: use Retire…), and does not delete their Entra ID device objects. A deleted device can be imported again from its hardware hash.',
    ),
    progress: vscode.l10n.t('Deleting Autopilot devices'),
  }),
  retire: () => ({
    pick: vscode.l10n.t('Retire Autopilot devices'),
    nothing: (summary: string) => vscode.l10n.t('Nothing to retire: {0}.', summary),
    question: (n: number) => (n === 1 ? vscode.l10n.t('Retire 1 Autopilot device?') : vscode.l10n.t('Retire {0} Autopilot devices?', n)),
    action: vscode.l10n.t('Retire'),
    note: vscode.l10n.t(
      'Step 1 deletes each device from Intune (its managed device); step 2 deletes its Autopilot registration once Intune lets it go, which can take several minutes. The devices are not wiped, and their Entra ID device objects are left alone unless you choose "Retire and Delete Entra Devices…".',
    ),
    progress: vscode.l10n.t('Retiring Autopilot devices'),
  }),
};

/** The extra action of Retire…, behind its own question with Microsoft's warning; the answer is off unless chosen. */
async function confirmEntraDelete(count: number): Promise<void> {
  const confirm = vscode.l10n.t('Delete Entra Devices Too');
  const choice = await vscode.window.showWarningMessage(
    count === 1 ? vscode.l10n.t('Also delete the Entra ID device object of this device?') : vscode.l10n.t('Also delete the Entra ID device objects of these {0} devices?', count),
    {
      modal: true,
      detail: vscode.l10n.t(
        'Microsoft advises against it: for an Entra-joined device no extra step is needed (Entra removes the object itself when it should), deleting it by hand can make the device fail its next Autopilot deployment, and for a hybrid-joined device you delete the on-premises computer object instead. It runs as step 3, after the Autopilot registration is gone, and needs the Directory.AccessAsUser.All permission and an Entra role such as Intune Administrator or Cloud Device Administrator.',
      ),
    },
    confirm,
  );
  if (choice !== confirm) throw new UserCancelledError();
}

async function removeDevices(operation: Removal, services: ExtensionServices, clicked: unknown, selection: unknown, rawOptions: unknown): Promise<ChangeCommandResult> {
  const options = (rawOptions ?? {}) as RemoveOptions;
  const texts = TEXTS[operation]();
  const devices = await targetDevices(services.devices, clicked, selection, texts.pick);
  const lifecycle = await import('../import/lifecycle/api');
  const index = new lifecycle.RegisteredDeviceIndex(devices);
  const plan = lifecycle.planRemoval(devices.map((device) => device.serialNumber), index, { retire: operation === 'retire' });
  if (!planActs(plan, operation)) throw new Error(texts.nothing(planSummary(plan, operation)));
  const count = plan.counts.delete ?? 0;
  let deleteEntraDevices = operation === 'retire' && options.deleteEntraDevices === true;
  if (options.confirmed !== true) {
    const alsoEntra = vscode.l10n.t('Retire and Delete Entra Devices…');
    const choice = await confirmPlan(plan, operation, texts.question(count), texts.action, services.log, texts.note, operation === 'retire' ? [alsoEntra] : []);
    if (choice === alsoEntra) {
      await confirmEntraDelete(count);
      deleteEntraDevices = true;
    }
  }
  const items = lifecycle.changeItems(plan, index, operation);
  const source = devices.length === 1 ? devices[0]!.serialNumber : vscode.l10n.t('{0} devices in the Autopilot Devices view', devices.length);
  const run = await runChange(services, { operation, items, source, ...(deleteEntraDevices ? { deleteEntraDevices } : {}) }, texts.progress, options);
  return { plan, run };
}

export const deleteDevices = (services: ExtensionServices, clicked?: unknown, selection?: unknown, options?: unknown): Promise<ChangeCommandResult> =>
  removeDevices('delete', services, clicked, selection, options);

export const retireDevices = (services: ExtensionServices, clicked?: unknown, selection?: unknown, options?: unknown): Promise<ChangeCommandResult> =>
  removeDevices('retire', services, clicked, selection, options);
