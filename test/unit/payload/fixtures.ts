/**
 * Test material for the payload layer: real-size hardware hashes, files encoded byte by byte in every encoding
 * Windows tools write, and fixtures whose expected problem position is marked in the text itself.
 */
import type { TextEncoding } from '../../../src/payload/api';

/** Deterministic bytes (xorshift), so hashes are real-size and distinct without being random between runs. */
export function pseudoRandomBytes(count: number, seed: number): Buffer {
  const bytes = Buffer.alloc(count);
  let state = seed >>> 0 || 1;
  for (let index = 0; index < count; index += 1) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    bytes[index] = state & 0xff;
  }
  return bytes;
}

/**
 * A hardware hash of the usual size: 3,000 bytes → 4,000 Base64 characters (no padding needed). Real hashes start
 * with `T0`; so do these, which also keeps a random `+` (a spreadsheet formula) out of the first character.
 */
export function hardwareHash(seed: number, bytes = 3000): string {
  return `T0${pseudoRandomBytes(bytes, seed).toString('base64').slice(2)}`;
}

export const HASH = hardwareHash(1);
export const HASH2 = hardwareHash(2);
/** 3,001 bytes end in `==`; without them the hash is what the device reports and Graph refuses. */
export const PADDED_HASH = hardwareHash(3, 3001);
export const UNPADDED_HASH = PADDED_HASH.replace(/=+$/, '');

/** Windows-1252 for the characters the fixtures use above U+007F, written out independently of the code under test. */
const WINDOWS_1252: Record<string, number> = { '€': 0x80, '’': 0x92, '“': 0x93, '”': 0x94, '–': 0x96, 'ü': 0xfc, 'ö': 0xf6, 'é': 0xe9, 'ß': 0xdf };

export const ENCODINGS: readonly TextEncoding[] = ['utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be', 'windows-1252'];

/** The bytes a Windows tool would write for `text` in `encoding`, produced one code unit at a time. */
export function encodeAs(text: string, encoding: TextEncoding): Buffer {
  const bytes: number[] = [];
  switch (encoding) {
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'utf-8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'utf-16le':
      bytes.push(0xff, 0xfe);
      for (let index = 0; index < text.length; index += 1) {
        const unit = text.charCodeAt(index);
        bytes.push(unit & 0xff, unit >> 8);
      }
      return Buffer.from(bytes);
    case 'utf-16be':
      bytes.push(0xfe, 0xff);
      for (let index = 0; index < text.length; index += 1) {
        const unit = text.charCodeAt(index);
        bytes.push(unit >> 8, unit & 0xff);
      }
      return Buffer.from(bytes);
    case 'windows-1252':
      for (const char of text) {
        const code = char.charCodeAt(0);
        const byte = code < 0x80 ? code : WINDOWS_1252[char];
        if (byte === undefined) throw new Error(`fixture character ${char} has no Windows-1252 byte here`);
        bytes.push(byte);
      }
      return Buffer.from(bytes);
  }
}

/** What a file in this encoding is reported as: pure ASCII cannot be told apart from UTF-8, so it is reported as such. */
export function reportedEncoding(text: string, encoding: TextEncoding): TextEncoding {
  return encoding === 'windows-1252' && [...text].every((char) => char.charCodeAt(0) < 0x80) ? 'utf-8' : encoding;
}

export const MARK = '‸';

/** Removes the single `‸` from a fixture and says which 1-based line and column it stood at. */
export function marked(textWithMark: string): { text: string; line: number; column: number } {
  const at = textWithMark.indexOf(MARK);
  if (at === -1 || textWithMark.indexOf(MARK, at + 1) !== -1) throw new Error('a fixture needs exactly one mark');
  const before = textWithMark.slice(0, at);
  const lines = before.split(/\r\n|\n|\r/);
  return { text: before + textWithMark.slice(at + 1), line: lines.length, column: lines[lines.length - 1]!.length + 1 };
}

export const CSV_HEADER_3 = 'Device Serial Number,Windows Product ID,Hardware Hash';
export const CSV_HEADER_4 = `${CSV_HEADER_3},Group Tag`;
export const CSV_HEADER_5 = `${CSV_HEADER_4},Assigned User`;
