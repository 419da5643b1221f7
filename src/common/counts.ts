/**
 * A number with its noun, in the singular for one ("1 warning", never "1 warnings"). Each form is its own string so
 * translations can follow their language's rules.
 */
import * as l10n from '@vscode/l10n';

export const counted = {
  devices: (n: number): string => (n === 1 ? l10n.t('1 device') : l10n.t('{0} devices', n)),
  failedDevices: (n: number): string => (n === 1 ? l10n.t('1 failed device') : l10n.t('{0} failed devices', n)),
  errors: (n: number): string => (n === 1 ? l10n.t('1 error') : l10n.t('{0} errors', n)),
  warnings: (n: number): string => (n === 1 ? l10n.t('1 warning') : l10n.t('{0} warnings', n)),
  rows: (n: number): string => (n === 1 ? l10n.t('1 row') : l10n.t('{0} rows', n)),
  importRecords: (n: number): string => (n === 1 ? l10n.t('1 import record') : l10n.t('{0} import records', n)),
};
