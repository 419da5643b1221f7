/**
 * The payload layer's public surface: the import engine, the CLI and the editor features use only these names.
 * (First version: JSON payloads with shape checks only. CSV, encodings and the schema-driven validation build on it.)
 */
import * as fs from 'node:fs/promises';

export type PayloadFormat = 'json' | 'csv';
export type TextEncoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface PayloadProblem {
  readonly severity: 'error' | 'warning';
  /** Stable identifier scripts and quick fixes key on, e.g. `hash-padding`. */
  readonly code: string;
  /** Says what is wrong and what to do about it. */
  readonly message: string;
  /** 1-based position of the offending key, value or CSV cell. */
  readonly line: number;
  readonly column: number;
  readonly endLine?: number;
  readonly endColumn?: number;
}

/** One device as the engine sends it: the writable properties of `importedWindowsAutopilotDeviceIdentity`. */
export interface DeviceToImport {
  readonly serialNumber: string;
  readonly hardwareIdentifier: string;
  readonly groupTag?: string;
  readonly productKey?: string;
  readonly assignedUserPrincipalName?: string;
  readonly importId?: string;
  /** 1-based line where the device starts in its source file, for messages that point back at it. */
  readonly line?: number;
}

export interface ParsedPayload {
  readonly format: PayloadFormat;
  readonly encoding: TextEncoding;
  readonly devices: readonly DeviceToImport[];
  readonly problems: readonly PayloadProblem[];
}

export function hasErrors(payload: ParsedPayload): boolean {
  return payload.problems.some((problem) => problem.severity === 'error');
}

function problemAtStart(code: string, message: string): PayloadProblem {
  return { severity: 'error', code, message, line: 1, column: 1 };
}

function devicesOf(document: unknown): unknown[] | undefined {
  if (Array.isArray(document)) return document;
  if (document && typeof document === 'object') {
    const body = (document as Record<string, unknown>).importedWindowsAutopilotDeviceIdentities;
    return Array.isArray(body) ? body : [document];
  }
  return undefined;
}

function optionalString(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function parsePayload(bytes: Uint8Array, _fileName: string): ParsedPayload {
  const text = Buffer.from(bytes).toString('utf8').replace(/^\uFEFF/, '');
  const encoding: TextEncoding = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 'utf-8-bom' : 'utf-8';
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    return { format: 'json', encoding, devices: [], problems: [problemAtStart('json-syntax', `Not valid JSON: ${(error as Error).message}`)] };
  }
  const items = devicesOf(document);
  if (!items) {
    return { format: 'json', encoding, devices: [], problems: [problemAtStart('payload-shape', 'Expected a device object, an array of devices, or an import body.')] };
  }
  const devices: DeviceToImport[] = [];
  const problems: PayloadProblem[] = [];
  items.forEach((item, index) => {
    const record = (item ?? {}) as Record<string, unknown>;
    const serialNumber = optionalString(record, 'serialNumber');
    const hardwareIdentifier = optionalString(record, 'hardwareIdentifier');
    if (!serialNumber || !hardwareIdentifier) {
      problems.push(problemAtStart('required-property', `Device ${index + 1} needs both serialNumber and hardwareIdentifier.`));
      return;
    }
    devices.push({
      serialNumber,
      hardwareIdentifier,
      groupTag: optionalString(record, 'groupTag') ?? optionalString(record, 'orderIdentifier'),
      productKey: optionalString(record, 'productKey'),
      assignedUserPrincipalName: optionalString(record, 'assignedUserPrincipalName'),
      importId: optionalString(record, 'importId'),
    });
  });
  if (items.length === 0) problems.push(problemAtStart('empty-payload', 'The payload contains no devices.'));
  return { format: 'json', encoding, devices, problems };
}

export async function readPayloadFile(path: string): Promise<ParsedPayload> {
  return parsePayload(await fs.readFile(path), path);
}
