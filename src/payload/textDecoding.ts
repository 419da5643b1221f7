/**
 * Turns the bytes of a payload file into text, recognising what Windows tools write: UTF-8 with or without a BOM,
 * UTF-16 LE/BE with a BOM (Windows PowerShell 5.1's `Out-File`), and Windows-1252 ("ANSI", which the Intune portal
 * demands). Windows-1252 has its own table here because Node's decoders disagree across versions on what "latin1"
 * means, and the portal export needs the reverse direction anyway.
 */
import { isAscii, isUtf8 } from 'node:buffer';
import type { TextEncoding } from './types';

/** Windows-1252 differs from ISO-8859-1 only in 0x80–0x9F; the five unassigned bytes map to themselves (WHATWG). */
const WINDOWS_1252_HIGH = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
  0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
];
const FROM_WINDOWS_1252 = new Map(WINDOWS_1252_HIGH.map((codePoint, index) => [String.fromCharCode(0x80 + index), String.fromCharCode(codePoint)]));
const TO_WINDOWS_1252 = new Map(WINDOWS_1252_HIGH.map((codePoint, index) => [codePoint, 0x80 + index]));

export type DecodeFailure =
  | { readonly kind: 'binary'; readonly offset: number }
  | { readonly kind: 'invalid-utf8' }
  | { readonly kind: 'unsupported'; readonly name: string };

export interface DecodedText {
  readonly text: string;
  readonly encoding: TextEncoding;
  /** Set when a UTF-16 file had no byte-order mark and its byte order was inferred from the zero bytes. */
  readonly bomMissing?: boolean;
  /** Set when the file has a byte-order mark but an odd number of UTF-16 bytes: the last byte was dropped. */
  readonly truncated?: boolean;
}

function startsWith(bytes: Uint8Array, ...prefix: number[]): boolean {
  return prefix.every((byte, index) => bytes[index] === byte);
}

function decodeUtf16(bytes: Uint8Array, skip: number, bigEndian: boolean): { text: string; truncated: boolean } {
  const evenLength = skip + Math.floor((bytes.length - skip) / 2) * 2;
  const body = Buffer.from(bytes.buffer, bytes.byteOffset + skip, evenLength - skip);
  const littleEndian = bigEndian ? Buffer.from(body).swap16() : body;
  return { text: littleEndian.toString('utf16le'), truncated: evenLength !== bytes.length };
}

/** Infers UTF-16 without a BOM from where the zero bytes sit in the first few hundred bytes of mostly-ASCII text. */
function sniffUtf16(bytes: Uint8Array): 'le' | 'be' | undefined {
  const sample = Math.min(bytes.length - (bytes.length % 2), 512);
  if (sample < 4) return undefined;
  let zeroEven = 0;
  let zeroOdd = 0;
  for (let index = 0; index < sample; index += 2) {
    if (bytes[index] === 0) zeroEven += 1;
    if (bytes[index + 1] === 0) zeroOdd += 1;
  }
  const pairs = sample / 2;
  if (zeroOdd > pairs * 0.6 && zeroEven === 0) return 'le';
  if (zeroEven > pairs * 0.6 && zeroOdd === 0) return 'be';
  return undefined;
}

/** Control characters that never appear in a text payload (tab, line feed, form feed and carriage return are fine). */
function firstBinaryByte(bytes: Uint8Array): number {
  const zero = bytes.indexOf(0);
  if (zero !== -1) return zero;
  const sample = Math.min(bytes.length, 8192);
  let controls = 0;
  let first = -1;
  for (let index = 0; index < sample; index += 1) {
    const byte = bytes[index]!;
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d) {
      controls += 1;
      if (first === -1) first = index;
    }
  }
  return controls > Math.max(2, sample / 100) ? first : -1;
}

export function decodeWindows1252(bytes: Uint8Array): string {
  const latin1 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  return latin1.replace(/[\x80-\x9f]/g, (char) => FROM_WINDOWS_1252.get(char) ?? char);
}

/** Windows-1252 bytes for `text`, or the index of the first character "ANSI" cannot hold. */
export function encodeWindows1252(text: string): { bytes: Uint8Array } | { unmappableAt: number } {
  const bytes = new Uint8Array(text.length);
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    const byte = code < 0x80 || (code >= 0xa0 && code <= 0xff) ? code : TO_WINDOWS_1252.get(code);
    if (byte === undefined) return { unmappableAt: index };
    bytes[index] = byte;
  }
  return { bytes };
}

export function isWindows1252Safe(text: string): boolean {
  return 'bytes' in encodeWindows1252(text);
}

export function decodePayloadBytes(bytes: Uint8Array): DecodedText | DecodeFailure {
  if (startsWith(bytes, 0xff, 0xfe, 0x00, 0x00) || startsWith(bytes, 0x00, 0x00, 0xfe, 0xff)) {
    return { kind: 'unsupported', name: 'UTF-32' };
  }
  if (startsWith(bytes, 0xff, 0xfe)) return { ...decodeUtf16(bytes, 2, false), encoding: 'utf-16le' };
  if (startsWith(bytes, 0xfe, 0xff)) return { ...decodeUtf16(bytes, 2, true), encoding: 'utf-16be' };
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (startsWith(bytes, 0xef, 0xbb, 0xbf)) {
    const body = buffer.subarray(3);
    return isUtf8(body) ? { text: body.toString('utf8'), encoding: 'utf-8-bom' } : { kind: 'invalid-utf8' };
  }
  const order = sniffUtf16(bytes);
  if (order) return { ...decodeUtf16(bytes, 0, order === 'be'), encoding: order === 'le' ? 'utf-16le' : 'utf-16be', bomMissing: true };
  const binaryAt = firstBinaryByte(bytes);
  if (binaryAt !== -1) return { kind: 'binary', offset: binaryAt };
  // Plain ASCII (the usual payload) decodes several times faster through Node's ASCII path than through UTF-8's.
  if (isAscii(buffer)) return { text: buffer.toString('ascii'), encoding: 'utf-8' };
  if (isUtf8(buffer)) return { text: buffer.toString('utf8'), encoding: 'utf-8' };
  return { text: decodeWindows1252(bytes), encoding: 'windows-1252' };
}

export function isDecodeFailure(result: DecodedText | DecodeFailure): result is DecodeFailure {
  return 'kind' in result;
}
