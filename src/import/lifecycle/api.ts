/**
 * After the import: the vscode-free surface the terminal command and the VS Code face share. Load it lazily from the
 * extension (it pulls in the schema validator and the CSV parser through the update files).
 *
 * - `RegisteredDeviceCache` (one per tenant): `load({ onPage, signal })` lists once in the background and shares the
 *   listing; `refresh()`; `find(serial)`; `update()`/`forget()` after a change.
 * - Plans: `planImport`, `planUpdate`, `planRemoval` (delete/retire/add-to-group) from the cache's index.
 * - `readUpdateFile` / `parseUpdateText` for update files (CSV or JSON), problems with lines.
 * - `DeviceChangeEngine`: `start({ operation, items, source, group })`, `resume(runId)`, `unfinishedRuns()`, with
 *   `onProgress` and an `AbortSignal`; `changeItems(plan, index)` turns a confirmed plan into its items.
 * - `waitForProfiles` follows devices until their profile is assigned.
 */
import type { ChangeItem, ChangeOperation } from './changeRun';
import type { Plan } from './plan';
import type { RegisteredDeviceIndex } from './registeredDevices';

export * from './changeEngine';
export * from './changeRun';
export * from './plan';
export * from './profileWait';
export * from './registeredDevices';
export * from './updateFile';

/**
 * The journal items for a confirmed plan: every device the plan found (duplicates left out), with what the plan
 * already knows as its outcome so that nothing is sent for it (unchanged, not found, still enrolled).
 */
export function changeItems(plan: Plan, registered: RegisteredDeviceIndex, operation: ChangeOperation): ChangeItem[] {
  return plan.devices
    .filter((device) => device.action !== 'duplicate')
    .map((device): ChangeItem => {
      const summary = device.registeredId ? registered.get(device.registeredId) : undefined;
      const planned = device.action === 'unchanged' ? 'unchanged' : device.action === 'not-found' || !summary ? 'not-found' : device.action === 'still-enrolled' && operation === 'delete' ? 'still-enrolled' : undefined;
      return {
        serialNumber: device.serialNumber,
        id: summary?.id ?? null,
        ...(device.changes ? { changes: device.changes } : {}),
        azureActiveDirectoryDeviceId: summary?.azureActiveDirectoryDeviceId ?? null,
        managedDeviceId: summary?.managedDeviceId ?? null,
        ...(planned ? { planned } : {}),
      };
    });
}
