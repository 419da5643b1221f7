/**
 * The whole read of a payload file: bytes → text → JSON or CSV document → schema rules → device checks → devices.
 * Loaded on first use (see `api.ts`); every failure becomes a problem, never an exception.
 */
import * as path from 'node:path';
import * as l10n from '@vscode/l10n';
import { MAX_PAYLOAD_BYTES, type DeviceToImport, type ParsedPayload, type PayloadFormat, type PayloadProblem, type TextEncoding } from './types';
import { isIdentifierFile } from './corporateIdentifiers/recognise';
import { readIdentifierDocument } from './corporateIdentifiers/read';
import { readCsvDocument } from './csvDocument';
import { deviceProblems } from './deviceChecks';
import { readJsonDocument, type JsonLocator } from './jsonDocument';
import { schemaProblems } from './schemaRules';
import { problemAtStart, type SourceDocument } from './sourceDocument';
import { decodePayloadBytes, isDecodeFailure } from './textDecoding';

function formatFor(fileName: string, text: string): PayloadFormat {
  if (isIdentifierFile(fileName, text)) return 'corporate-identifiers';
  const extension = path.extname(fileName).toLowerCase();
  if (extension === '.csv') return 'csv';
  if (extension === '.json' || extension === '.jsonc') return 'json';
  const first = text.trimStart()[0];
  return first === '{' || first === '[' ? 'json' : 'csv';
}

function fileProblem(format: PayloadFormat, encoding: TextEncoding, problem: { code: string; message: string }): ParsedPayload {
  return { format, encoding, devices: [], entries: 0, problems: [problemAtStart({ severity: 'error', origin: 'check', ...problem })] };
}

function megabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

export function tooLarge(fileName: string, size: number): ParsedPayload {
  return fileProblem(formatFor(fileName, ''), 'utf-8', {
    code: 'file-too-large',
    message: l10n.t(
      'The file is {0} MB; Autopilot Devices reads payloads of up to {1} MB (about 15,000 devices). Split it into smaller files.',
      megabytes(size),
      megabytes(MAX_PAYLOAD_BYTES),
    ),
  });
}

export function unreadable(fileName: string, reason: string): ParsedPayload {
  const message =
    // Node's error codes, and VS Code's FileSystemError codes for the same cases.
    reason === 'ENOENT' || reason === 'FileNotFound'
      ? l10n.t('The file does not exist: check the path.')
      : reason === 'not-a-file' || reason === 'EISDIR' || reason === 'FileIsADirectory'
        ? l10n.t('This is a folder, not a payload file: name a .csv or .json file.')
        : reason === 'EACCES' || reason === 'EPERM' || reason === 'NoPermissions'
          ? l10n.t('The file cannot be read: permission denied.')
          : l10n.t('The file cannot be read ({0}).', reason);
  return fileProblem(formatFor(fileName, ''), 'utf-8', { code: 'file-unreadable', message });
}

function optional(record: Record<string, unknown>, field: string): string | undefined {
  const value = record[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The devices the engine can send: every record with a serial number and a hash, in file order. */
function devicesOf(document: SourceDocument): DeviceToImport[] {
  const devices: DeviceToImport[] = [];
  document.records.forEach((entry, index) => {
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return;
    const record = entry as Record<string, unknown>;
    const serialNumber = optional(record, 'serialNumber');
    const hardwareIdentifier = optional(record, 'hardwareIdentifier');
    if (serialNumber === undefined || hardwareIdentifier === undefined) return;
    // The deprecated orderIdentifier is what groupTag used to be called; Graph v1.0 only knows groupTag.
    const groupTag = optional(record, 'groupTag') ?? optional(record, 'orderIdentifier');
    const productKey = optional(record, 'productKey');
    const assignedUserPrincipalName = optional(record, 'assignedUserPrincipalName');
    const importId = optional(record, 'importId');
    devices.push({
      serialNumber,
      hardwareIdentifier,
      ...(groupTag !== undefined ? { groupTag } : {}),
      ...(productKey !== undefined ? { productKey } : {}),
      ...(assignedUserPrincipalName !== undefined ? { assignedUserPrincipalName } : {}),
      ...(importId !== undefined ? { importId } : {}),
      line: document.lines.positionAt(document.recordSpan(index).start).line,
    });
  });
  return devices;
}

function byPosition(a: PayloadProblem, b: PayloadProblem): number {
  return a.line - b.line || a.column - b.column;
}

/** `locateJsonValues` is for the benchmark that compares location steps; everything else leaves it out. */
/**
 * `format` reads the file as that format whatever its name and content say (a command that knows what it wants);
 * `locateJsonValues` is for the benchmark that compares location steps, everything else leaves it out.
 */
export function validateText(
  text: string,
  fileName: string,
  encoding: TextEncoding,
  earlier: readonly PayloadProblem[] = [],
  format = formatFor(fileName, text),
  locateJsonValues?: JsonLocator,
): ParsedPayload {
  if (text.trim() === '') {
    const problems = [
      ...earlier,
      problemAtStart({
        severity: 'error',
        code: 'file-empty',
        origin: 'check',
        message:
          format === 'csv'
            ? l10n.t('The file is empty: it needs the header line and one line per device.')
            : format === 'corporate-identifiers'
              ? l10n.t('The file is empty: write one device per line as Manufacturer,Model,Serial.')
              : l10n.t('The file is empty: write a device ({"serialNumber": …, "hardwareIdentifier": …}), an array of devices, or an import body.'),
      }),
    ];
    return { format, encoding, devices: [], entries: 0, problems };
  }
  if (format === 'corporate-identifiers') {
    const read = readIdentifierDocument(text);
    return { format, encoding, devices: [], entries: read.entries, identifiers: read.identifiers, problems: [...earlier, ...read.problems].sort(byPosition) };
  }
  const read = format === 'csv' ? readCsvDocument(text) : readJsonDocument(text, locateJsonValues);
  const problems = [...earlier, ...read.problems];
  const document = read.document;
  if (!document) return { format, encoding, devices: [], entries: 0, problems: problems.sort(byPosition) };
  problems.push(...schemaProblems(document), ...deviceProblems(document));
  return { format, encoding, devices: devicesOf(document), entries: document.records.length, problems: problems.sort(byPosition) };
}

/** Decoded text and any encoding problems, or the whole (failed) result when the bytes are not a readable text. */
export type DecodedPayload = ParsedPayload | { readonly text: string; readonly encoding: TextEncoding; readonly earlier: PayloadProblem[] };

/**
 * The bytes → text step on its own, so that a caller which read the file can let go of the bytes before the text is
 * parsed: holding both, and the parsed values, would cost a third more memory at the peak.
 */
export function decodeBytes(bytes: Uint8Array, fileName: string): DecodedPayload {
  if (bytes.length > MAX_PAYLOAD_BYTES) return tooLarge(fileName, bytes.length);
  const decoded = decodePayloadBytes(bytes);
  if (isDecodeFailure(decoded)) {
    const format = formatFor(fileName, '');
    switch (decoded.kind) {
      case 'binary':
        return fileProblem(format, 'utf-8', {
          code: 'file-binary',
          message: l10n.t(
            'This is not a text file (byte {0} is a control character): choose the CSV or JSON file that holds the hardware hashes.',
            decoded.offset + 1,
          ),
        });
      case 'invalid-utf8':
        return fileProblem(format, 'utf-8-bom', {
          code: 'encoding-invalid',
          message: l10n.t('The file starts with a UTF-8 byte-order mark but is not valid UTF-8: save it again as UTF-8 or ANSI.'),
        });
      case 'unsupported':
        return fileProblem(format, 'utf-8', {
          code: 'encoding-unsupported',
          message: l10n.t('The file is encoded as {0}: save it as UTF-8, UTF-16 or ANSI.', decoded.name),
        });
    }
  }
  const earlier: PayloadProblem[] = [];
  if (decoded.bomMissing) {
    earlier.push(
      problemAtStart({
        severity: 'warning',
        code: 'encoding-no-bom',
        origin: 'check',
        message: l10n.t('The file is UTF-16 without a byte-order mark; it was read as {0}. Save it with a BOM or as UTF-8 so every tool reads it the same way.', decoded.encoding),
      }),
    );
  }
  if (decoded.truncated) {
    earlier.push(
      problemAtStart({
        severity: 'error',
        code: 'encoding-truncated',
        origin: 'check',
        message: l10n.t('The UTF-16 file ends in half a character: it was probably cut off. Export it again.'),
      }),
    );
  }
  return { text: decoded.text, encoding: decoded.encoding, earlier };
}

export function validateBytes(bytes: Uint8Array, fileName: string): ParsedPayload {
  const decoded = decodeBytes(bytes, fileName);
  return 'problems' in decoded ? decoded : validateText(decoded.text, fileName, decoded.encoding, decoded.earlier);
}
