/**
 * A Windows corporate identifier (Autopilot device preparation): manufacturer, model and serial number, as
 * `Win32_ComputerSystem` and `Win32_BIOS` report them. Intune recognises an enrolling device as corporate only when
 * all three match (lifecycle facts §5.3).
 *
 * Graph's reference describes the `manufacturerModelSerial` value as semicolon-delimited, but the portal's CSV and
 * every client found in the field send `Manufacturer,Model,Serial` (§5.1): that is what this product sends too.
 */

export interface CorporateIdentifier {
  readonly manufacturer: string;
  readonly model: string;
  readonly serialNumber: string;
}

/** 1-based columns of a cell on its line (end exclusive), for hovers and messages that point back at the file. */
export interface CellColumns {
  readonly column: number;
  readonly endColumn: number;
}

/** An identifier as read from a file: its values, its 1-based line, and where its three cells sit on that line. */
export interface IdentifierLine extends CorporateIdentifier {
  readonly line: number;
  readonly cells: readonly [CellColumns, CellColumns, CellColumns];
}

export const IDENTIFIER_FIELDS = ['manufacturer', 'model', 'serialNumber'] as const;
export type IdentifierField = (typeof IDENTIFIER_FIELDS)[number];

/** The portal's limits for one corporate-identifier file: "up to 5,000 rows or 5 MB of data per file". */
export const PORTAL_MAX_IDENTIFIER_ROWS = 5000;
export const PORTAL_MAX_IDENTIFIER_BYTES = 5 * 1024 * 1024;

/** The file name that marks a corporate-identifier CSV whatever its content. */
export const IDENTIFIERS_FILE_SUFFIX = '.identifiers.csv';

/** `Manufacturer,Model,Serial`: the value sent as `importedDeviceIdentifier`. */
export function identifierText(identifier: CorporateIdentifier): string {
  return `${identifier.manufacturer},${identifier.model},${identifier.serialNumber}`;
}

/**
 * Splits an `importedDeviceIdentifier` back into its values: the serial is the last part and the model the one
 * before; whatever comes first is the manufacturer, commas included (`SAMSUNG ELECTRONICS CO., LTD.`).
 */
export function parseIdentifierText(text: string): CorporateIdentifier | undefined {
  const parts = text.split(',');
  if (parts.length < 3) return undefined;
  const serialNumber = parts.pop()!;
  const model = parts.pop()!;
  return { manufacturer: parts.join(','), model, serialNumber };
}

/**
 * How an identifier in Graph's answer is matched to one that was sent. How Intune stores and compares them is not
 * documented, so the match ignores what it might change: letter case, blanks around the values, and which of the two
 * separators (comma as sent, semicolon as Graph's reference describes) stands between them.
 */
export function identifierKey(text: string): string {
  return text.trim().toUpperCase().replace(/\s*[,;]\s*/g, ',');
}
