/**
 * The payload layer's public surface: the import engine, the CLI and the editor features use only these names.
 * Reading a payload never throws for bad input: every defect comes back as a problem with a place in the file.
 */
import * as fs from 'node:fs/promises';

// The conversions and the body key are light (no parser or schema behind them), so they are re-exported as they are.
export { IMPORT_BODY_KEY } from './payloadShape';
export { devicesToJsonPayload, devicesToPortalCsv, PORTAL_MAX_ROWS, type PortalCsvExport, type PortalCsvFile, type RefusedDevice } from './convert';

export type {
  DeviceToImport,
  ParsedPayload,
  PayloadEdit,
  PayloadFix,
  PayloadFormat,
  PayloadProblem,
  ProblemOrigin,
  TextEncoding,
} from './types';
export { MAX_PAYLOAD_BYTES } from './types';
import { MAX_PAYLOAD_BYTES, type ParsedPayload, type PayloadFormat, type TextEncoding } from './types';
// Corporate identifiers: the light parts (the reader and the conversions load with the validator, on first use).
export type { CorporateIdentifier, IdentifierLine } from './corporateIdentifiers/identifier';
export { IDENTIFIERS_FILE_SUFFIX, PORTAL_MAX_IDENTIFIER_ROWS, identifierText, parseIdentifierText } from './corporateIdentifiers/identifier';

/** How many devices a file describes: hardware-hash devices, or corporate identifiers. */
export function deviceCount(payload: ParsedPayload): number {
  return payload.identifiers?.length ?? payload.devices.length;
}

export function hasErrors(payload: ParsedPayload): boolean {
  return payload.problems.some((problem) => problem.severity === 'error');
}

/**
 * The validator pulls in Ajv, Papa Parse, jsonc-parser and the compiled schema: load it on first use, so that code
 * which merely imports this module (the extension at activation) stays light.
 */
function validator(): typeof import('./validatePayload') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./validatePayload');
}

export function parsePayload(bytes: Uint8Array, fileName: string): ParsedPayload {
  return validator().validateBytes(bytes, fileName);
}

/** Validates text that is already decoded, such as an open editor's contents (`format` forces how it is read). */
export function parsePayloadText(text: string, fileName: string, encoding: TextEncoding = 'utf-8', format?: PayloadFormat): ParsedPayload {
  return validator().validateText(text, fileName, encoding, [], format);
}

/** How a file system reports a file: enough to refuse a huge one before reading it. */
export interface PayloadFileAccess {
  /** Size in bytes, or undefined when the path is not a regular file. Throws like `fs.stat` when it does not exist. */
  size(): Promise<number | undefined>;
  read(): Promise<Uint8Array>;
}

/** Reads a payload through any file system (Node's, or VS Code's for remote workspaces); never throws. */
export async function readPayload(fileName: string, access: PayloadFileAccess, format?: PayloadFormat): Promise<ParsedPayload> {
  const validation = validator();
  const reason = (error: unknown) => (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
  let size: number | undefined;
  try {
    size = await access.size();
  } catch (error) {
    return validation.unreadable(fileName, reason(error));
  }
  if (size === undefined) return validation.unreadable(fileName, 'not-a-file');
  if (size > MAX_PAYLOAD_BYTES) return validation.tooLarge(fileName, size);
  let decoded: import('./validatePayload').DecodedPayload;
  try {
    // Decode inside the callback so that no frame of this function holds the bytes while the text is parsed.
    decoded = await access.read().then((bytes) => validation.decodeBytes(bytes, fileName));
  } catch (error) {
    return validation.unreadable(fileName, reason(error));
  }
  return 'problems' in decoded ? decoded : validation.validateText(decoded.text, fileName, decoded.encoding, decoded.earlier, format);
}

export function readPayloadFile(path: string, format?: PayloadFormat): Promise<ParsedPayload> {
  return readPayload(path, {
    size: async () => {
      const stat = await fs.stat(path);
      return stat.isFile() ? stat.size : undefined;
    },
    read: () => fs.readFile(path),
  }, format);
}
