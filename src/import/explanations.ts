/**
 * Import errors in words, with the fix (facts page §2.1). Keys on the error name first (Graph always sends one for
 * the documented failures; numeric codes are documented only for 806 and 808), then on the code.
 */
import * as l10n from '@vscode/l10n';

/** Which failure this is, for callers that offer what helps (e.g. "show the registered device" for 806). */
export type ExplanationKind =
  | 'registered-here'
  | 'registered-elsewhere'
  | 'duplicate'
  | 'invalid-hash'
  | 'storage'
  | 'unpadded-hash'
  | 'record-deleted'
  | 'refused'
  | 'partial'
  | 'other';

export interface Explanation {
  readonly kind: ExplanationKind;
  /** A few words for a tree item or a table cell. */
  readonly title: string;
  /** What happened, in one or two sentences. */
  readonly detail: string;
  /** What to do about it, in words for a terminal and an editor alike (no commands, settings or flags). */
  readonly fix: string;
  /**
   * Whether sending the device again, as it is, can succeed: true for failures on Intune's side. False where only a
   * change elsewhere helps (the device is registered here or in another tenant, the hash in the file is wrong), so
   * no "retry" is offered for them.
   */
  readonly retryable: boolean;
}

export interface ExplainableDevice {
  readonly status: string;
  readonly errorCode: number;
  readonly errorName: string | null;
}

/** Name we give an import record that vanished while we were watching it (someone deleted it). */
export const RECORD_NOT_FOUND = 'ImportRecordNotFound';

/**
 * Which failure a device's result is: by Graph's error name first (it always names the documented failures), then
 * by code (only 806 and 808 are documented). Undefined for a device that did not fail.
 */
function classifyImportError(device: ExplainableDevice): ExplanationKind | undefined {
  if (device.status !== 'error' && device.status !== 'partial') return undefined;
  const name = device.errorName ?? '';
  if (device.errorCode === 806 || name === 'ZtdDeviceAlreadyAssigned') return 'registered-here';
  if (device.errorCode === 808 || name === 'ZtdDeviceAssignedToOtherTenant' || name === 'ZtdDeviceAssignedToAnotherTenant') return 'registered-elsewhere';
  if (name === 'ZtdDeviceDuplicated') return 'duplicate';
  if (name === 'InvalidZtdHardwareHash') return 'invalid-hash';
  if (name === 'StorageError') return 'storage';
  if (device.errorCode === 400 && /Edm\.Binary/.test(name)) return 'unpadded-hash';
  if (name === RECORD_NOT_FOUND) return 'record-deleted';
  if (device.errorCode >= 400 && device.errorCode < 500) return 'refused';
  if (device.status === 'partial') return 'partial';
  return 'other';
}

export function explainImportError(device: ExplainableDevice): Explanation | undefined {
  const kind = classifyImportError(device);
  return kind && { kind, ...WORDS[kind](device.errorCode, device.errorName ?? '') };
}

/** Each failure in words, with the fix and whether sending the device again can help (`retryable`). */
const WORDS: { readonly [K in ExplanationKind]: (code: number, name: string) => Omit<Explanation, 'kind'> } = {
  'registered-here': () => ({
    title: l10n.t('Already registered in this tenant (806)'),
    detail: l10n.t('The hardware hash matches a device that is already registered to this tenant.'),
    fix: l10n.t("Look the serial number up among registered Autopilot devices: if it is there, there is nothing to import (don't import it again; this failed import record can be deleted). If it isn't, delete this import record and import the device again."),
    retryable: false,
  }),
  'registered-elsewhere': () => ({
    title: l10n.t('Registered to another tenant (808)'),
    detail: l10n.t('The hardware hash matches a device that is registered to a different tenant (often a refurbished or resold device, or a replaced motherboard).'),
    fix: l10n.t('An administrator of the tenant that holds the device, or the reseller or OEM that registered it, must deregister it (Intune: Devices > Windows > Enrollment > Devices > Delete); then import it again. If that is not possible, open a Microsoft support case with the device CSV, proof of ownership (an invoice showing the serial number and your company name) and an Autopilot diagnostics file from Mdmdiagnosticstool.exe -area Autopilot -cab c:\\autopilot.cab. Importing it again before then fails the same way.'),
    retryable: false,
  }),
  duplicate: () => ({
    title: l10n.t('Duplicate hardware hash'),
    detail: l10n.t('The same hardware hash was uploaded more than once; only one copy is processed and the others get this error.'),
    fix: l10n.t('Check the result of the other copy of this device; remove duplicate rows before importing again.'),
    retryable: false,
  }),
  'invalid-hash': () => ({
    title: l10n.t('Invalid hardware hash'),
    detail: l10n.t('One or more fields in the hardware hash are invalid or empty; the hash must include the manufacturer and the serial number.'),
    fix: l10n.t('Capture the hash again on the device (Get-WindowsAutopilotInfo), and check that the board reports its manufacturer and serial number (wmic baseboard get manufacturer, serialnumber); then import the new hash.'),
    retryable: false,
  }),
  storage: () => ({
    title: l10n.t('Intune storage error'),
    detail: l10n.t('A generic error on the Intune side.'),
    fix: l10n.t('Retry the device later; if the error persists, contact Microsoft support.'),
    retryable: true,
  }),
  'unpadded-hash': () => ({
    title: l10n.t('Hardware hash is not padded Base64'),
    detail: l10n.t('Graph could not read the hardware hash: Autopilot expects padded standard Base64, but devices report it unpadded.'),
    fix: l10n.t('Add the missing "=" padding at the end of the hash in the file (its length must be a multiple of 4), then import the device again.'),
    retryable: false,
  }),
  'record-deleted': () => ({
    title: l10n.t('Import record deleted'),
    detail: l10n.t('The import record was deleted before it finished processing, so its result is unknown.'),
    fix: l10n.t('Look the serial number up among registered Autopilot devices; if it is not there, retry the device.'),
    retryable: true,
  }),
  refused: (code, name) => ({
    title: l10n.t('Refused by Graph ({0})', code),
    detail: l10n.t('Graph refused this device: {0}', name || l10n.t('no reason given')),
    fix: l10n.t('Correct the device in the file, then import it again.'),
    retryable: false,
  }),
  partial: (_code, name) => ({
    title: l10n.t('Partially imported'),
    detail: l10n.t('Intune reported the import as partial{0}.', name ? ` (${name})` : ''),
    fix: l10n.t('Check the device among registered Autopilot devices; retry it if it is missing.'),
    retryable: true,
  }),
  other: (code, name) => ({
    title: name ? l10n.t('Import failed: {0}', name) : l10n.t('Import failed ({0})', code),
    detail: l10n.t('Intune reported error {0}{1} for this device.', code, name ? ` (${name})` : ''),
    fix: l10n.t('Retry the device; if it fails again, check it in the Intune portal (Devices > Enrollment > Windows Autopilot devices) or contact Microsoft support.'),
    retryable: true,
  }),
};
