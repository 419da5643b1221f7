/**
 * Which files are corporate-identifier CSVs: those named `*.identifiers.csv`, and other `.csv` files whose first lines
 * read as `Manufacturer,Model,Serial` (a header naming those columns, or three values starting with a PC maker's
 * name). A hardware-hash CSV (its header names the hash or the serial-number column) never is one, and neither is
 * any three-column CSV about something else.
 */
import { recogniseHeader } from '../csvColumns';
import { IDENTIFIERS_FILE_SUFFIX } from './identifier';

/** How many non-blank lines the content check reads. */
const SAMPLE_LINES = 10;

/**
 * Header words of an identifier CSV, loosely: the portal says "Don't add headers", but spreadsheets and exports add
 * them anyway. Index 0 manufacturer, 1 model, 2 serial.
 */
const HEADER_WORDS: readonly RegExp[] = [
  /^(manufacturer|make|vendor|oem)(name)?$/,
  /^(device)?(model|product|modelname|productname)$/,
  /^(device)?(serial|serialnumber|serialno|sn|biosserialnumber)$/,
];

/**
 * The first word of what PC makers (and hypervisors) write into `Win32_ComputerSystem.Manufacturer`, lower case:
 * `Microsoft Corporation`, `Dell Inc.`, `HP`, `LENOVO`, `ASUSTeK COMPUTER INC.`, `VMware, Inc.`, …
 */
const MANUFACTURER_WORDS = new Set([
  'acer',
  'apple',
  'asus',
  'asustek',
  'dell',
  'dynabook',
  'framework',
  'fujitsu',
  'getac',
  'gigabyte',
  'google',
  'hewlett-packard',
  'hp',
  'huawei',
  'innotek',
  'intel',
  'lenovo',
  'lg',
  'medion',
  'micro-star',
  'microsoft',
  'msi',
  'panasonic',
  'parallels',
  'qemu',
  'razer',
  'samsung',
  'toshiba',
  'vaio',
  'vmware',
  'xiaomi',
]);

function loosely(cell: string): string {
  return cell
    .trim()
    .replace(/^"|"$/g, '')
    .toLowerCase()
    .replace(/[\s_.#-]+/g, '');
}

/** The cells of one line, split on commas, or on semicolons when the line has no comma at all. */
function roughCells(line: string): string[] {
  return line.includes(',') || !line.includes(';') ? line.split(',') : line.split(';');
}

/** Whether a line is an identifier header (`Manufacturer,Model,Serial Number` and its loose variants). */
export function isIdentifierHeader(cells: readonly string[]): boolean {
  if (cells.length !== 3) return false;
  return cells.filter((cell, index) => HEADER_WORDS[index]!.test(loosely(cell))).length >= 2;
}

/** Whether a line starts with a PC maker's name, as the manufacturer of an identifier does. */
export function startsWithManufacturer(cells: readonly string[]): boolean {
  const first = cells[0]?.trim().replace(/^"/, '').toLowerCase().split(/[\s,.]+/)[0] ?? '';
  return MANUFACTURER_WORDS.has(first);
}

export function hasIdentifiersName(fileName: string): boolean {
  return fileName.toLowerCase().endsWith(IDENTIFIERS_FILE_SUFFIX);
}

/** Whether the first lines of `text` read as a corporate-identifier CSV (see the module comment). */
export function looksLikeIdentifiers(text: string): boolean {
  const lines = text
    .slice(0, 8192)
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\n|\r/)
    .filter((line) => line.trim() !== '')
    .slice(0, SAMPLE_LINES);
  if (lines.length === 0) return false;
  const rows = lines.map(roughCells);
  // A hardware-hash CSV names its serial-number or hash column in the header.
  const hashHeader = rows[0]!.some((cell) => {
    const meaning = recogniseHeader(cell.trim().replace(/^"|"$/g, ''))?.meaning;
    return meaning?.kind === 'field' && (meaning.field === 'serialNumber' || meaning.field === 'hardwareIdentifier');
  });
  if (hashHeader) return false;
  if (isIdentifierHeader(rows[0]!)) return true;
  const threeValues = rows.filter((cells) => cells.length === 3).length;
  return threeValues * 2 >= rows.length && rows.some((cells) => cells.length === 3 && startsWithManufacturer(cells));
}

/** Whether a file is read as corporate identifiers: by its name, or (for a `.csv`) by its content. */
export function isIdentifierFile(fileName: string, text: string): boolean {
  if (hasIdentifiersName(fileName)) return true;
  return fileName.toLowerCase().endsWith('.csv') && looksLikeIdentifiers(text);
}
