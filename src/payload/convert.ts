/**
 * Conversions between the two payload formats: devices → the import-action JSON body, and devices → the CSV the
 * Intune portal accepts (exact header, no quotes, Windows-1252, CRLF, at most 500 rows per file). Both keep every
 * device they can carry and name each one they cannot.
 */
import * as l10n from '@vscode/l10n';
import type { DeviceToImport } from './types';
import { portalColumnsFor } from './csvColumns';
import { isPaddedBase64 } from './hardwareHash';
import { IMPORT_BODY_KEY } from './payloadShape';
import { encodeWindows1252 } from './textDecoding';

/** "Up to 500 devices can be manually registered via a CSV file uploaded through the portal." */
export const PORTAL_MAX_ROWS = 500;

export interface RefusedDevice {
  readonly serialNumber: string;
  /** Line of the device in its source file, when known. */
  readonly line?: number;
  readonly code: string;
  readonly reason: string;
}

export interface PortalCsvFile {
  /** The file's bytes, Windows-1252 ("ANSI") as the portal demands. */
  readonly bytes: Uint8Array;
  readonly text: string;
  readonly devices: number;
}

export interface PortalCsvExport {
  readonly files: readonly PortalCsvFile[];
  readonly refused: readonly RefusedDevice[];
}

const JSON_FIELDS = ['serialNumber', 'hardwareIdentifier', 'productKey', 'groupTag', 'assignedUserPrincipalName', 'importId'] as const;

/** The devices as `{ "importedWindowsAutopilotDeviceIdentities": [ … ] }`, two-space indented, one property per line. */
export function devicesToJsonPayload(devices: readonly DeviceToImport[]): string {
  const items = devices.map((device) => {
    const item: Record<string, string> = {};
    for (const field of JSON_FIELDS) {
      const value = device[field];
      if (value !== undefined && value !== '') item[field] = value;
    }
    return item;
  });
  return `${JSON.stringify({ [IMPORT_BODY_KEY]: items }, null, 2)}\n`;
}

/** Why the portal could not take this value, or undefined when it can. */
function portalObjection(value: string, column: string): { code: string; reason: string } | undefined {
  if (/[",\r\n]/.test(value)) {
    return {
      code: 'portal-separator',
      reason: l10n.t('{0} contains a comma, quotation mark or line break, which the portal CSV cannot hold (it allows no quotes).', column),
    };
  }
  if (/^[=+\-@\t]/.test(value)) {
    return {
      code: 'portal-formula',
      reason: l10n.t('{0} starts with "{1}", which a spreadsheet would run as a formula.', column, value[0] === '\t' ? 'Tab' : value[0]!),
    };
  }
  if ('unmappableAt' in encodeWindows1252(value)) {
    return { code: 'portal-not-ansi', reason: l10n.t('{0} has characters that ANSI (Windows-1252) cannot hold, and the portal only reads ANSI.', column) };
  }
  return undefined;
}

export function devicesToPortalCsv(devices: readonly DeviceToImport[], maxRowsPerFile = PORTAL_MAX_ROWS): PortalCsvExport {
  const accepted: DeviceToImport[] = [];
  const refused: RefusedDevice[] = [];
  const allColumns = portalColumnsFor({ groupTag: true, assignedUser: true });
  for (const device of devices) {
    const where = device.line === undefined ? {} : { line: device.line };
    if (!isPaddedBase64(device.hardwareIdentifier)) {
      refused.push({
        serialNumber: device.serialNumber,
        ...where,
        code: 'portal-hash',
        reason: l10n.t('The hardware hash is not padded Base64: add the missing "=" padding at its end first.'),
      });
      continue;
    }
    const objection = allColumns
      .map((column) => portalObjection(device[column.field] ?? '', column.header))
      .find((found) => found !== undefined);
    if (objection) {
      refused.push({ serialNumber: device.serialNumber, ...where, ...objection });
      continue;
    }
    accepted.push(device);
  }

  const columns = portalColumnsFor({
    groupTag: accepted.some((device) => device.groupTag),
    assignedUser: accepted.some((device) => device.assignedUserPrincipalName),
  });
  const header = columns.map((column) => column.header).join(',');
  const files: PortalCsvFile[] = [];
  for (let first = 0; first < accepted.length; first += maxRowsPerFile) {
    const chunk = accepted.slice(first, first + maxRowsPerFile);
    const rows = chunk.map((device) => columns.map((column) => device[column.field] ?? '').join(','));
    const text = `${[header, ...rows].join('\r\n')}\r\n`;
    const encoded = encodeWindows1252(text);
    // Every value was checked above, and the header is ASCII, so the whole text encodes.
    if (!('bytes' in encoded)) throw new Error('portal CSV text is not Windows-1252');
    files.push({ bytes: encoded.bytes, text, devices: chunk.length });
  }
  return { files, refused };
}
