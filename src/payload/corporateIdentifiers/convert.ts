/**
 * Writing corporate-identifier CSVs: from devices that carry manufacturer, model and serial (a hardware-hash CSV with
 * those columns today; the registered Autopilot devices of a tenant later), and by splitting a file too large for
 * the portal. The path from classic Autopilot to device preparation.
 */
import * as l10n from '@vscode/l10n';
import { loosely, recogniseHeader } from '../csvColumns';
import { lineContentEnd, splitRows } from '../csvDocument';
import { isPlaceholderSerial } from '../deviceChecks';
import { LineIndex } from '../lineIndex';
import { encodeWindows1252 } from '../textDecoding';
import type { TextEncoding } from '../types';
import { identifierText, PORTAL_MAX_IDENTIFIER_BYTES, PORTAL_MAX_IDENTIFIER_ROWS, type CorporateIdentifier } from './identifier';
import { csvCell } from './read';
import { isIdentifierHeader } from './recognise';

/** What a device must say about itself to become a corporate identifier (a registered device, a CSV row). */
export interface DeviceDescription {
  readonly manufacturer?: string | null;
  readonly model?: string | null;
  readonly serialNumber?: string | null;
  /** 1-based line in its source file, when it came from one. */
  readonly line?: number;
}

export interface NotConverted {
  readonly serialNumber: string;
  readonly line?: number;
  readonly code: 'identifier-missing-value' | 'identifier-placeholder-serial';
  readonly reason: string;
}

export interface IdentifierConversion {
  /** In the order of the devices, each identifier once. */
  readonly identifiers: readonly CorporateIdentifier[];
  readonly notConverted: readonly NotConverted[];
  /** Serial numbers whose periods were removed, as the portal asks. */
  readonly periodsRemoved: number;
  /** Devices that repeated an identifier already written. */
  readonly repeats: number;
}

export interface IdentifierCsvFile {
  readonly text: string;
  readonly bytes: Uint8Array;
  readonly encoding: TextEncoding;
  readonly identifiers: number;
}

/**
 * The corporate identifiers of `devices`: values trimmed, periods removed from serial numbers ("Remove all periods …
 * from the serial number"), placeholder serials and devices without all three values refused, repeats dropped.
 * Manufacturer and model are kept exactly as the device reports them: a device is recognised only when they match.
 */
export function identifiersFromDevices(devices: readonly DeviceDescription[]): IdentifierConversion {
  const identifiers: CorporateIdentifier[] = [];
  const notConverted: NotConverted[] = [];
  const seen = new Set<string>();
  let periodsRemoved = 0;
  let repeats = 0;
  for (const device of devices) {
    const manufacturer = device.manufacturer?.trim() ?? '';
    const model = device.model?.trim() ?? '';
    const reported = device.serialNumber?.trim() ?? '';
    const where = device.line === undefined ? {} : { line: device.line };
    const missing = [!manufacturer && l10n.t('manufacturer'), !model && l10n.t('model'), !reported && l10n.t('serial number')].filter(Boolean);
    if (missing.length) {
      notConverted.push({ serialNumber: reported, ...where, code: 'identifier-missing-value', reason: l10n.t('No {0}: a corporate identifier needs manufacturer, model and serial number.', missing.join(', ')) });
      continue;
    }
    if (isPlaceholderSerial(reported)) {
      notConverted.push({
        serialNumber: reported,
        ...where,
        code: 'identifier-placeholder-serial',
        reason: l10n.t('"{0}" is a firmware placeholder: as an identifier it would mark every device of this model that reports it as corporate.', reported),
      });
      continue;
    }
    const serialNumber = reported.replace(/\./g, '');
    if (serialNumber !== reported) periodsRemoved += 1;
    const identifier = { manufacturer, model, serialNumber };
    const key = identifierText(identifier);
    if (seen.has(key)) {
      repeats += 1;
      continue;
    }
    seen.add(key);
    identifiers.push(identifier);
  }
  return { identifiers, notConverted, periodsRemoved, repeats };
}

/** Text in an encoding the reader of `decodePayloadBytes` recognises (UTF-16 with its byte-order mark). */
export function encodeText(text: string, encoding: TextEncoding): Uint8Array {
  switch (encoding) {
    case 'windows-1252': {
      const encoded = encodeWindows1252(text);
      if ('bytes' in encoded) return encoded.bytes;
      return encodeText(text, 'utf-8-bom');
    }
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'utf-8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'utf-16le':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'utf-16be':
      return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, 'utf16le').swap16()]);
  }
}

/**
 * Identifier files as the portal takes them: no header, one `Manufacturer,Model,Serial` per line, CRLF, at most
 * 5,000 lines each. ANSI (Windows-1252, what the portal reads for its CSV uploads) when every value fits, else UTF-8
 * with a byte-order mark; a value with a comma is quoted (how Intune reads that is not settled: the editor says so).
 */
export function identifiersToCsv(identifiers: readonly CorporateIdentifier[], maxRows = PORTAL_MAX_IDENTIFIER_ROWS): IdentifierCsvFile[] {
  const files: IdentifierCsvFile[] = [];
  for (let first = 0; first < identifiers.length; first += maxRows) {
    const chunk = identifiers.slice(first, first + maxRows);
    const text = chunk.map((identifier) => [identifier.manufacturer, identifier.model, identifier.serialNumber].map(csvCell).join(',')).join('\r\n') + '\r\n';
    const ansi = 'bytes' in encodeWindows1252(text);
    const encoding: TextEncoding = ansi ? 'windows-1252' : 'utf-8-bom';
    files.push({ text, bytes: encodeText(text, encoding), encoding, identifiers: chunk.length });
  }
  return files;
}

export class MissingColumnsError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(
      l10n.t(
        'The CSV has no {0} column. Converting needs the serial number, manufacturer and model of each device: Get-WindowsAutopilotInfo -Partner writes "Manufacturer name" and "Device model".',
        missing.join(', '),
      ),
    );
    this.name = 'MissingColumnsError';
  }
}

const MANUFACTURER_HEADERS = new Set(['manufacturer', 'manufacturername', 'make']);
const MODEL_HEADERS = new Set(['model', 'devicemodel', 'modelname']);

/**
 * The devices of a hardware-hash CSV that names manufacturer and model (the partner variant of
 * `Get-WindowsAutopilotInfo`, or an OEM's file). Throws `MissingColumnsError` when a column is missing.
 */
export function devicesOfHashCsv(text: string): DeviceDescription[] {
  const normalised = text.replace(/\r\n?/g, '\n');
  const lines = new LineIndex(normalised);
  const { rows } = splitRows(normalised, '\n');
  const header = rows[0]?.cells ?? [];
  const serial = header.findIndex((cell) => {
    const meaning = recogniseHeader(cell.trim())?.meaning;
    return meaning?.kind === 'field' && meaning.field === 'serialNumber';
  });
  const manufacturer = header.findIndex((cell) => MANUFACTURER_HEADERS.has(loosely(cell)));
  const model = header.findIndex((cell) => MODEL_HEADERS.has(loosely(cell)));
  const missing = [serial < 0 && 'Device Serial Number', manufacturer < 0 && 'Manufacturer name', model < 0 && 'Device model'].filter((name): name is string => Boolean(name));
  if (missing.length) throw new MissingColumnsError(missing);
  return rows
    .slice(1)
    .filter((row) => row.cells.some((cell) => cell.trim() !== ''))
    .map((row) => ({ serialNumber: row.cells[serial] ?? '', manufacturer: row.cells[manufacturer] ?? '', model: row.cells[model] ?? '', line: lines.positionAt(row.start).line }));
}

/**
 * An identifier file's lines in parts of at most `maxRows` lines and `maxBytes` bytes (UTF-8), each line kept as it
 * is written; header and empty lines are left out. The parts use the file's own line ending.
 */
export function splitIdentifierText(text: string, maxRows = PORTAL_MAX_IDENTIFIER_ROWS, maxBytes = PORTAL_MAX_IDENTIFIER_BYTES): string[] {
  const endings = new LineIndex(text).lineEndings();
  const newline = endings.firstOddLine === undefined ? endings.dominant : '\r\n';
  const normalised = endings.firstOddLine === undefined ? text : text.replace(/\r\n?/g, '\n');
  const { rows } = splitRows(normalised, endings.firstOddLine === undefined ? endings.dominant : '\n');
  const parts: string[] = [];
  let lines: string[] = [];
  let bytes = 0;
  for (const row of rows) {
    if (row.cells.every((cell) => cell.trim() === '') || isIdentifierHeader(row.cells)) continue;
    const line = normalised.slice(row.start, lineContentEnd(normalised, row)).replace(/^\uFEFF/, '');
    const size = Buffer.byteLength(line, 'utf8') + newline.length;
    if (lines.length && (lines.length >= maxRows || bytes + size > maxBytes)) {
      parts.push(lines.join(newline) + newline);
      lines = [];
      bytes = 0;
    }
    lines.push(line);
    bytes += size;
  }
  if (lines.length) parts.push(lines.join(newline) + newline);
  return parts;
}
