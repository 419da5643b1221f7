/**
 * How runs and devices of the Recent Imports tree are classified for display, and which actions each allows. The
 * actions become `contextValue` capability flags (`autopilotDevice;retry;deleteRecord;`) that the manifest's menus
 * match with regular expressions, so a menu entry never appears on an item it cannot act on. Pure and vscode-free.
 */
import { explainImportError } from '../import/explanations';
import type { DeviceView } from '../import/runState';
import { registrationsAwaited, type RunEntry } from '../import/vscode/importsModel';

export type DeviceDisplayState = 'queued' | 'not-sent' | 'processing' | 'complete' | 'registered' | 'partial' | 'error';

export type RunDisplayState = 'sending' | 'stopping' | 'processing' | 'interrupted' | 'complete' | 'failed';

export function deviceDisplayState(device: DeviceView, entry: RunEntry): DeviceDisplayState {
  switch (device.status) {
    case 'complete':
      return device.registered ? 'registered' : 'complete';
    case 'error':
      return 'error';
    case 'partial':
      return 'partial';
    default:
      if (device.sent) return 'processing';
      return entry.activity === 'sending' ? 'queued' : 'not-sent';
  }
}

export function runDisplayState(entry: RunEntry): RunDisplayState {
  if (entry.activity === 'sending') return 'sending';
  if (entry.activity === 'stopping') return 'stopping';
  const { phase, counts } = entry.view;
  // Devices left unsent by a cancel, a crash or an error: the run waits for "Continue Import".
  if (phase === 'sending') return 'interrupted';
  if (phase === 'processing') return 'processing';
  return counts.error + counts.partial > 0 ? 'failed' : 'complete';
}

export type DeviceCapability = 'copySerial' | 'showRecord' | 'findRegistered' | 'retry' | 'deleteRecord';
export type RunCapability = 'retry' | 'deleteRecords' | 'continue' | 'stop' | 'forget' | 'refresh';

function busy(entry: RunEntry): boolean {
  return entry.activity !== 'idle';
}

/**
 * A retry sends a failed device again as it is, so it is offered only where that can succeed (a failure on Intune's
 * side), not for 806, 808 or a hash that is wrong in the file: those need something else (see the explanation).
 */
export function canRetryDevice(device: DeviceView): boolean {
  return (device.status === 'error' || device.status === 'partial') && explainImportError(device)?.retryable !== false;
}

/** Only decided records are deleted: deleting one Intune is still processing would lose its result. */
export function canDeleteRecord(device: DeviceView): boolean {
  return device.sent && device.id !== null && !device.recordDeleted && (device.status === 'complete' || device.status === 'error' || device.status === 'partial');
}

export function deviceCapabilities(device: DeviceView, entry: RunEntry): DeviceCapability[] {
  const capabilities: DeviceCapability[] = ['copySerial', 'showRecord', 'findRegistered'];
  if (!busy(entry) && canRetryDevice(device)) capabilities.push('retry');
  if (!busy(entry) && canDeleteRecord(device)) capabilities.push('deleteRecord');
  return capabilities;
}

export function runCapabilities(entry: RunEntry): RunCapability[] {
  const { view } = entry;
  const capabilities: RunCapability[] = [];
  if (entry.activity === 'sending') capabilities.push('stop');
  if (busy(entry)) return capabilities;
  if (view.devices.some(canRetryDevice)) capabilities.push('retry');
  if (view.devices.some(canDeleteRecord)) capabilities.push('deleteRecords');
  if (view.phase === 'sending') capabilities.push('continue');
  if (view.phase !== 'finished' || registrationsAwaited(view) > 0) capabilities.push('refresh');
  capabilities.push('forget');
  return capabilities;
}

/** `autopilotRun;retry;forget;`: the kind first, then one flag per action, each closed by `;` for exact matching. */
export function contextValue(kind: 'autopilotRun' | 'autopilotDevice', capabilities: readonly string[]): string {
  return `${[kind, ...capabilities].join(';')};`;
}
