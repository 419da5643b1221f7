/**
 * Hostile payloads for the fuzz tests: valid files in every shape and encoding Windows tools write, then mangled the
 * way files get mangled (a byte flipped, a download cut short, a quote or NUL typed in, a BOM pasted mid-file, a cell
 * grown huge), plus plain noise and pathological structure. Everything is driven by fast-check's seeded generator, so
 * a failure replays with `AUTOPILOT_FUZZ_SEED=<seed>`.
 */
import * as fc from 'fast-check';
import type { TextEncoding } from '../../../src/payload/api';
import { CSV_HEADER_3, CSV_HEADER_4, CSV_HEADER_5, encodeAs, ENCODINGS, pseudoRandomBytes } from '../payload/fixtures';

/** The seed every property runs with; set `AUTOPILOT_FUZZ_SEED` to replay the seed a failure printed. */
export const FUZZ_SEED = Number(process.env.AUTOPILOT_FUZZ_SEED ?? 7_2024_11);
/** Scales the number of cases (e.g. `AUTOPILOT_FUZZ_SCALE=10` for a long local run). */
export const FUZZ_SCALE = Number(process.env.AUTOPILOT_FUZZ_SCALE ?? 1);

export function runs(count: number): number {
  return Math.max(1, Math.round(count * FUZZ_SCALE));
}

export interface FuzzFile {
  readonly fileName: string;
  readonly bytes: Uint8Array;
  /** How it was made, for the failure message. */
  readonly recipe: string;
}

/** A generated file that prints as its recipe and first bytes, not as a megabyte of numbers, when a property fails. */
function fuzzFile(fileName: string, bytes: Uint8Array, recipe: string): FuzzFile {
  const head = Buffer.from(bytes.subarray(0, 120)).toString('latin1');
  return { fileName, bytes, recipe, [fc.toStringMethod]: () => `${recipe}; ${fileName}, ${bytes.length} bytes: ${JSON.stringify(head)}…` } as FuzzFile;
}

const PARTNER_HEADER = `${CSV_HEADER_3},Manufacturer name,Device model`;

interface FuzzDevice {
  serialNumber: string;
  hardwareIdentifier: string;
  productKey?: string;
  groupTag?: string;
  assignedUserPrincipalName?: string;
}

/** Serials and tags as people type them, including the characters CSV and JSON care about. */
const cellText = fc.stringMatching(/^[A-Za-z0-9 ._\-"',;\\/{}[\]:äéü€’]{0,24}$/);

const device: fc.Arbitrary<FuzzDevice> = fc.record(
  {
    // Serials stay readable so that an unmutated file always yields its devices; the other cells carry the hostility.
    serialNumber: fc.stringMatching(/^[A-Z0-9][A-Z0-9-]{0,19}$/),
    // Small hashes keep the run fast; a few are full size, and some are cut so their padding is wrong.
    hardwareIdentifier: fc
      .tuple(fc.oneof({ weight: 5, arbitrary: fc.integer({ min: 1, max: 400 }) }, { weight: 1, arbitrary: fc.constant(3000) }), fc.integer({ min: 1, max: 1e9 }), fc.boolean())
      .map(([size, seed, unpadded]) => {
        const hash = `T0${pseudoRandomBytes(size + 2, seed).toString('base64').slice(2)}`;
        return unpadded ? hash.replace(/=+$/, '') : hash;
      }),
    productKey: fc.stringMatching(/^[0-9]{5}-[0-9]{5}-[0-9]{5}-[A-Z0-9]{5}$/),
    groupTag: cellText,
    assignedUserPrincipalName: fc.oneof(fc.constant('user@contoso.com'), cellText),
  },
  { requiredKeys: ['serialNumber', 'hardwareIdentifier'] },
);

function csvCell(value: string | undefined, quoteAll: boolean): string {
  const text = value ?? '';
  return quoteAll || /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

type Shape = 'csv3' | 'csv4' | 'csv5' | 'partner' | 'json-array' | 'json-seed' | 'json-import' | 'json-single';

function render(shape: Shape, devices: readonly FuzzDevice[], quoteAll: boolean, eol: string): { text: string; fileName: string } {
  const csv = (header: string, cells: (d: FuzzDevice) => (string | undefined)[]) => ({
    fileName: 'AutopilotHWID.csv',
    text: [header, ...devices.map((d) => cells(d).map((cell) => csvCell(cell, quoteAll)).join(','))].join(eol) + eol,
  });
  switch (shape) {
    case 'csv3':
      return csv(CSV_HEADER_3, (d) => [d.serialNumber, d.productKey, d.hardwareIdentifier]);
    case 'csv4':
      return csv(CSV_HEADER_4, (d) => [d.serialNumber, d.productKey, d.hardwareIdentifier, d.groupTag]);
    case 'csv5':
      return csv(CSV_HEADER_5, (d) => [d.serialNumber, d.productKey, d.hardwareIdentifier, d.groupTag, d.assignedUserPrincipalName]);
    case 'partner':
      return csv(PARTNER_HEADER, (d) => [d.serialNumber, d.productKey, d.hardwareIdentifier, 'Contoso', 'Model 7']);
    case 'json-array':
      return { fileName: 'devices.autopilot.json', text: JSON.stringify(devices, null, 2).replace(/\n/g, eol) };
    case 'json-import':
      return { fileName: 'devices.autopilot.json', text: JSON.stringify({ importedWindowsAutopilotDeviceIdentities: devices }, null, 2).replace(/\n/g, eol) };
    case 'json-single':
      return { fileName: 'device.json', text: JSON.stringify(devices[0] ?? {}, null, 2).replace(/\n/g, eol) };
    case 'json-seed':
      // The seed's example request body, placeholder status and deprecated orderIdentifier included.
      return {
        fileName: 'seed.autopilot.json',
        text: JSON.stringify(
          devices.map((d) => ({
            '@odata.type': '#microsoft.graph.importedWindowsAutopilotDeviceIdentity',
            orderIdentifier: d.groupTag ?? 'Order Identifier value',
            serialNumber: d.serialNumber,
            productKey: d.productKey ?? 'Product Key value',
            importId: 'Import Id value',
            hardwareIdentifier: d.hardwareIdentifier,
            state: { '@odata.type': 'microsoft.graph.importedWindowsAutopilotDeviceIdentityState', deviceImportStatus: 'String', deviceRegistrationId: 'x', deviceErrorCode: 0, deviceErrorName: '' },
          })),
          null,
          2,
        ).replace(/\n/g, eol),
      };
  }
}

/** Encodes like a Windows tool would; text Windows-1252 cannot hold falls back to UTF-8 (as Notepad would). */
function encode(text: string, encoding: TextEncoding): Uint8Array {
  try {
    return encodeAs(text, encoding);
  } catch {
    return encodeAs(text, 'utf-8');
  }
}

export const validFile: fc.Arbitrary<FuzzFile & { shape: Shape; encoding: TextEncoding }> = fc
  .record({
    shape: fc.constantFrom<Shape>('csv3', 'csv4', 'csv5', 'partner', 'json-array', 'json-seed', 'json-import', 'json-single'),
    devices: fc.array(device, { minLength: 1, maxLength: 6 }),
    quoteAll: fc.boolean(),
    eol: fc.constantFrom('\r\n', '\n'),
    encoding: fc.constantFrom(...ENCODINGS),
  })
  .map(({ shape, devices, quoteAll, eol, encoding }) => {
    const { text, fileName } = render(shape, devices, quoteAll, eol);
    return Object.assign(fuzzFile(fileName, encode(text, encoding), `${shape} ${encoding} ${devices.length} device(s)`), { shape, encoding });
  });

/** Byte sequences that break parsers: quotes, separators, line ends, NULs, BOMs of every kind, brackets. */
const HOSTILE_SNIPPETS: readonly number[][] = [
  [0x22],
  [0x2c],
  [0x0a],
  [0x0d],
  [0x0d, 0x0a],
  [0x00],
  [0x00, 0x00],
  [0xef, 0xbb, 0xbf],
  [0xff, 0xfe],
  [0xfe, 0xff],
  [0x7b],
  [0x7d],
  [0x5b],
  [0x5d],
  [0x3a],
  [0x5c],
  [0x3b],
  [0x09],
  [0x22, 0x22, 0x22],
  [0xc3],
  [0xe2, 0x82],
  [0xd8, 0x00],
  [0xdc, 0x00],
];

type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; snippet: number }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'duplicate'; at: number; length: number }
  | { kind: 'huge-cell'; at: number; length: number; byte: number }
  | { kind: 'bom'; at: number; bom: number };

const position = fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: position }),
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: position, snippet: fc.integer({ min: 0, max: HOSTILE_SNIPPETS.length - 1 }) }) },
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: position, length: fc.integer({ min: 1, max: 400 }) }),
  fc.record({ kind: fc.constant('huge-cell' as const), at: position, length: fc.integer({ min: 10_000, max: 300_000 }), byte: fc.constantFrom(0x41, 0x20, 0x2c, 0x22, 0x0a, 0x7b, 0x5b) }),
  fc.record({ kind: fc.constant('bom' as const), at: position, bom: fc.integer({ min: 0, max: 2 }) }),
);

function applyMutation(bytes: Buffer, m: Mutation): Buffer {
  const at = Math.floor(m.at * (bytes.length + 1));
  switch (m.kind) {
    case 'flip': {
      if (bytes.length === 0) return bytes;
      const copy = Buffer.from(bytes);
      const index = Math.min(at, copy.length - 1);
      copy[index] = copy[index]! ^ (1 << m.bit);
      return copy;
    }
    case 'truncate':
      return bytes.subarray(0, at);
    case 'insert':
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(HOSTILE_SNIPPETS[m.snippet]!), bytes.subarray(at)]);
    case 'delete':
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length)]);
    case 'duplicate':
      return Buffer.concat([bytes.subarray(0, at + m.length), bytes.subarray(at)]);
    case 'huge-cell':
      return Buffer.concat([bytes.subarray(0, at), Buffer.alloc(m.length, m.byte), bytes.subarray(at)]);
    case 'bom':
      return Buffer.concat([bytes.subarray(0, at), Buffer.from([[0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff]][m.bom]!), bytes.subarray(at)]);
  }
}

export const mutatedFile: fc.Arbitrary<FuzzFile> = fc
  .tuple(validFile, fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([file, mutations, swapName]) => {
    const bytes = mutations.reduce<Buffer>((current, m) => applyMutation(current, m), Buffer.from(file.bytes));
    // Now and then a CSV is named .json and the other way round, as users do.
    const fileName = swapName ? (file.fileName.endsWith('.csv') ? 'devices.autopilot.json' : 'hashes.csv') : file.fileName;
    return fuzzFile(fileName, bytes, `${file.recipe}, ${mutations.map((m) => JSON.stringify(m)).join(' + ')}${swapName ? ', renamed' : ''}`);
  });

const anyName = fc.constantFrom('x.csv', 'x.json', 'x.autopilot.json', 'x.txt', 'x');

export const noiseFile: fc.Arbitrary<FuzzFile> = fc.oneof(
  fc.record({ fileName: anyName, bytes: fc.uint8Array({ maxLength: 2048 }) }).map((f) => fuzzFile(f.fileName, f.bytes, 'random bytes')),
  fc.record({ fileName: anyName, text: fc.string({ unit: 'binary', maxLength: 512 }) }).map(({ fileName, text }) => fuzzFile(fileName, Buffer.from(text, 'utf8'), 'random text')),
  fc
    .record({ fileName: anyName, text: fc.string({ unit: fc.constantFrom('"', ',', '\n', '\r', '{', '}', '[', ']', ':', 'a', '1', ' ', '\\', '\0'), maxLength: 400 }) })
    .map(({ fileName, text }) => fuzzFile(fileName, Buffer.from(text, 'utf8'), 'structural characters')),
);

/** Structure no tool writes but an attacker or a broken script might: deep nesting, endless columns, huge counts. */
export const pathologicalFile: fc.Arbitrary<FuzzFile> = fc.oneof(
  fc.record({ depth: fc.integer({ min: 1, max: 100_000 }), open: fc.constantFrom('[', '{"a":', '{"importedWindowsAutopilotDeviceIdentities":'), close: fc.boolean() }).map(({ depth, open, close }) => {
    const closer = open === '[' ? ']' : '}';
    return fuzzFile('deep.autopilot.json', Buffer.from(open.repeat(depth) + (close ? closer.repeat(depth) : '')), `JSON nested ${depth} deep (${open})`);
  }),
  fc
    .integer({ min: 1, max: 20_000 })
    .map((columns) => fuzzFile('wide.csv', Buffer.from(`${CSV_HEADER_3}${',x'.repeat(columns)}\r\nPF-1,,T0AAAA${',y'.repeat(columns)}\r\n`), `CSV with ${columns} extra columns`)),
  fc.integer({ min: 1, max: 20_000 }).map((rows) => fuzzFile('rows.csv', Buffer.from(`${CSV_HEADER_3}\r\n${',,\r\n'.repeat(rows)}`), `CSV with ${rows} empty rows`)),
  fc.integer({ min: 1, max: 200_000 }).map((length) => fuzzFile('quote.csv', Buffer.from(`${CSV_HEADER_3}\r\n"${'a'.repeat(length)}`), `CSV with an unclosed ${length}-character quote`)),
  fc
    .integer({ min: 1, max: 5_000 })
    .map((count) => fuzzFile('keys.autopilot.json', Buffer.from(`[{${Array.from({ length: count }, (_, i) => `"k${i}":${i}`).join(',')}}]`), `JSON object with ${count} unknown keys`)),
  fc
    .integer({ min: 1, max: 5_000 })
    .map((count) => fuzzFile('dupe.autopilot.json', Buffer.from(`[{${Array(count).fill('"serialNumber":"A"').join(',')}}]`), `JSON object with the same key ${count} times`)),
);
