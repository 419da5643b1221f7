/**
 * The plan before an import in VS Code, the same plan as `autopilot-devices plan` and `import --skip-registered`
 * (`planImport`): which devices are new, which are registered in this tenant already (sending them ends in 806), and
 * which repeat an earlier line of the file. When the plan has something to say, the user chooses: skip those and
 * import the new ones, import everything anyway, or cancel. A plan of only new devices imports without a question.
 */
import * as vscode from 'vscode';
import { counted } from '../common/counts';
import { UserCancelledError, isUserCancelled } from '../common/errors';
import type { Plan, RegisteredDeviceIndex } from '../import/lifecycle/api';
import type { DeviceToImport } from '../payload/api';
import type { ExtensionServices } from '../services';
import { planDetail } from './deviceChanges';

/** Up to this many devices are looked up serial by serial (fresh, even for one registered since the list was read). */
const LOOKED_UP_ONE_BY_ONE = 25;

export interface ImportPlanOutcome {
  readonly plan: Plan;
  /** What is sent: every device, or only those the plan calls `import`. */
  readonly devices: readonly DeviceToImport[];
  readonly skipped: number;
}

async function registeredFor(services: ExtensionServices, devices: readonly DeviceToImport[]): Promise<RegisteredDeviceIndex> {
  const { RegisteredDeviceIndex } = await import('../import/lifecycle/api');
  if (devices.length > LOOKED_UP_ONE_BY_ONE) return services.devices.service.index();
  const index = new RegisteredDeviceIndex();
  const serials = [...new Set(devices.map((device) => device.serialNumber))];
  for (const serial of serials) for (const device of await services.devices.service.find(serial)) index.add(device);
  return index;
}

/**
 * Plans the import against the tenant's registered devices and, when some would fail with 806 or repeat, asks.
 * `skipRegistered` answers ahead (true: skip them; false: send everything). If the tenant cannot be read, the import
 * goes ahead unplanned (the log says why): the import itself then reports what Intune says.
 */
export async function planImportInVsCode(services: ExtensionServices, name: string, devices: readonly DeviceToImport[], skipRegistered?: boolean): Promise<ImportPlanOutcome> {
  const { planImport } = await import('../import/lifecycle/api');
  let plan: Plan;
  try {
    const registered = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Checking which devices of {0} are registered already…', name) }, () => registeredFor(services, devices));
    plan = planImport(devices, registered);
  } catch (error) {
    if (isUserCancelled(error)) throw error;
    services.log.warn(`Could not plan the import of ${name} (importing without a plan): ${error instanceof Error ? error.message : String(error)}`);
    return { plan: { devices: [], counts: {} }, devices, skipped: 0 };
  }
  const registeredHere = plan.counts['skip-registered'] ?? 0;
  const duplicated = plan.counts.duplicate ?? 0;
  const detail = planDetail(plan, 'import', services.log, undefined, true);
  if (registeredHere + duplicated === 0) return { plan, devices, skipped: 0 };

  const fresh = devices.filter((_, index) => plan.devices[index]!.action === 'import');
  let skip = skipRegistered;
  if (skip === undefined) {
    const count = (n: number) => n.toLocaleString(vscode.env.language);
    const parts = [
      vscode.l10n.t('{0} new', count(fresh.length)),
      ...(registeredHere ? [registeredHere === 1 ? vscode.l10n.t('1 already registered here (it would fail with 806; skip it?)') : vscode.l10n.t('{0} already registered here (they would fail with 806; skip them?)', count(registeredHere))] : []),
      ...(duplicated ? [vscode.l10n.t('{0} duplicated in the file', count(duplicated))] : []),
    ];
    const skipChoice = vscode.l10n.t('Import {0} New Only', count(fresh.length));
    const allChoice = vscode.l10n.t('Import All {0}', count(devices.length));
    // With nothing new, skipping leaves nothing to do: Cancel says that.
    const choices = fresh.length ? [skipChoice, allChoice] : [allChoice];
    const choice = await vscode.window.showWarningMessage(vscode.l10n.t('{0}: {1}', name, parts.join(', ')), { modal: true, detail }, ...choices);
    if (choice === undefined) throw new UserCancelledError();
    skip = choice === skipChoice;
  }
  if (!skip) return { plan, devices, skipped: 0 };
  services.log.info(`Skipping ${devices.length - fresh.length} of ${devices.length} devices of ${name}: already registered here or repeated`);
  return { plan, devices: fresh, skipped: devices.length - fresh.length };
}

/** Said when the plan left nothing to send. */
export function nothingLeftToImport(name: string, skipped: number): string {
  return vscode.l10n.t('Nothing imported from {0}: its {1} are registered here already or repeated.', name, counted.devices(skipped));
}
