/**
 * Reads a hardware-hash CSV with Papa Parse, recognises the header variants, turns each data row into a device
 * object for the shared rules, and reports the CSV-only defects (header, cell count, quotes, line endings, empty rows).
 */
import * as l10n from '@vscode/l10n';
import { parse as parseCsv } from 'papaparse';
import type { PayloadProblem } from './types';
import { PORTAL_COLUMNS, type CsvField } from './csvColumns';
import { readHeader, unusableHeaderProblem } from './csvHeader';
import { LineIndex, type LineEnding } from './lineIndex';
import { editAt, problemAt, type SourceDocument, type TextSpan } from './sourceDocument';

export interface CsvReadResult {
  /** Absent when the header is unusable: then nothing else can be said about the rows. */
  readonly document?: SourceDocument;
  readonly problems: PayloadProblem[];
}

export interface Row {
  readonly cells: string[];
  /** Offset of the row's first character, and of the character after its line break. */
  readonly start: number;
  readonly next: number;
}

/**
 * Start offsets of a row's cells (CSV: quoted cells may hold commas, doubled quotes and line breaks). Papa Parse
 * reports rows, not cell positions, so this locates cells in one row's text; it runs only for rows with a problem.
 */
export function cellSpans(text: string, row: Row, delimiter = ','): TextSpan[] {
  const spans: TextSpan[] = [];
  const end = Math.max(row.start, lineContentEnd(text, row));
  let at = row.start;
  for (;;) {
    const start = at;
    if (text.charCodeAt(at) === 0x22) {
      at += 1;
      for (;;) {
        const quote = text.indexOf('"', at);
        if (quote === -1 || quote >= end) {
          at = end;
          break;
        }
        if (text.charCodeAt(quote + 1) === 0x22) at = quote + 2;
        else {
          at = quote + 1;
          break;
        }
      }
    }
    const comma = text.indexOf(delimiter, at);
    const cellEnd = comma === -1 || comma >= end ? end : comma;
    spans.push({ start, end: cellEnd });
    if (cellEnd === end) return spans;
    at = cellEnd + 1;
  }
}

export function lineContentEnd(text: string, row: Row): number {
  let end = row.next;
  if (text.charCodeAt(end - 1) === 0x0a) end -= 1;
  if (text.charCodeAt(end - 1) === 0x0d) end -= 1;
  return end;
}

class CsvSourceDocument implements SourceDocument {
  readonly format = 'csv';
  private readonly cellCache = new Map<number, TextSpan[]>();

  constructor(
    private readonly text: string,
    readonly lines: LineIndex,
    private readonly rows: readonly Row[],
    readonly records: readonly Record<string, string>[],
    private readonly columns: ReadonlyMap<CsvField, number>,
  ) {}

  get schemaInput(): unknown {
    return this.records;
  }

  recordPointer(index: number): string {
    return `/${index}`;
  }

  recordSpan(index: number): TextSpan {
    const row = this.rows[index];
    return row ? { start: row.start, end: lineContentEnd(this.text, row) } : { start: 0, end: 0 };
  }

  private cellsOf(rowIndex: number): TextSpan[] {
    let spans = this.cellCache.get(rowIndex);
    if (!spans) {
      spans = cellSpans(this.text, this.rows[rowIndex]!);
      this.cellCache.set(rowIndex, spans);
    }
    return spans;
  }

  /** Pointers are `/<record>/<field>`; the list itself is the file's start, a record or unknown field its whole row. */
  private cellAt(pointer: string): TextSpan {
    const [, recordToken, field] = pointer.split('/');
    const record = Number(recordToken);
    const row = recordToken === undefined || !Number.isInteger(record) ? undefined : this.rows[record];
    if (!row) return { start: 0, end: 0 };
    const column = field === undefined ? undefined : this.columns.get(field as CsvField);
    if (column === undefined) return { start: row.start, end: lineContentEnd(this.text, row) };
    return this.rowCell(record, column);
  }

  valueSpan(pointer: string): TextSpan {
    return this.cellAt(pointer);
  }

  keySpan(pointer: string): TextSpan {
    return this.cellAt(pointer);
  }

  contentSpan(pointer: string): TextSpan {
    const cell = this.cellAt(pointer);
    const quoted = this.text.charCodeAt(cell.start) === 0x22 && cell.end - cell.start >= 2 && this.text.charCodeAt(cell.end - 1) === 0x22;
    return quoted ? { start: cell.start + 1, end: cell.end - 1 } : cell;
  }

  characterOffset(pointer: string, index: number): number {
    const content = this.contentSpan(pointer);
    let at = content.start;
    for (let remaining = index; remaining > 0 && at < content.end; remaining -= 1) {
      at += this.text.charCodeAt(at) === 0x22 && this.text.charCodeAt(at + 1) === 0x22 ? 2 : 1;
    }
    return at;
  }

  fieldLabel(pointer: string): string | undefined {
    const field = pointer.split('/')[2];
    const column = PORTAL_COLUMNS.find((candidate) => candidate.field === field);
    return column ? l10n.t('Column "{0}"', column.header) : undefined;
  }

  recordRemovalSpan(index: number): TextSpan | undefined {
    const row = this.rows[index];
    return row ? { start: row.start, end: row.next } : undefined;
  }

  /** A data row's cell, for cell-count problems. */
  rowCell(rowIndex: number, column: number): TextSpan {
    const end = lineContentEnd(this.text, this.rows[rowIndex]!);
    return this.cellsOf(rowIndex)[column] ?? { start: end, end };
  }
}

/** A quotation mark Papa Parse could not pair, at the mark itself. */
interface QuoteError {
  readonly offset: number;
  readonly code: string;
}

export function splitRows(text: string, newline: LineEnding): { rows: Row[]; quoteErrors: QuoteError[] } {
  const rows: Row[] = [];
  const quoteErrors: QuoteError[] = [];
  // Papa Parse drops a byte-order mark left at the start of the text (a file saved with two) and counts its offsets
  // from after it; shift them back so that every position is one in this text.
  const skipped = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let start = skipped;
  parseCsv<string[]>(text, {
    delimiter: ',',
    newline,
    quoteChar: '"',
    escapeChar: '"',
    skipEmptyLines: false,
    step: (result) => {
      const next = result.meta.cursor + skipped;
      // Papa Parse reports one more empty row after a final line break; it is not a line of the file.
      if (!(start === text.length && result.data.length === 1 && result.data[0] === '')) {
        rows.push({ cells: result.data, start, next });
      }
      for (const error of result.errors) {
        // Papa Parse points just past the offending quotation mark; report the mark itself.
        if (error.type === 'Quotes') quoteErrors.push({ offset: Math.max(start, text.lastIndexOf('"', (error.index === undefined ? start : error.index + skipped) - 1)), code: error.code });
      }
      start = next;
    },
  });
  return { rows, quoteErrors };
}

/**
 * The text Papa Parse can split, and where its offsets sit. Papa Parse splits on one kind of line break, so a file
 * that mixes them is read with every break turned into `\n` (same lines and columns, other offsets) and gets one
 * warning, since the Intune portal wants Windows line endings.
 */
function withOneKindOfLineBreak(rawText: string): { text: string; lines: LineIndex; newline: LineEnding; problems: PayloadProblem[] } {
  const rawLines = new LineIndex(rawText);
  const endings = rawLines.lineEndings();
  if (endings.firstOddLine === undefined) return { text: rawText, lines: rawLines, newline: endings.dominant, problems: [] };
  const text = rawText.replace(/\r\n?/g, '\n');
  const lines = new LineIndex(text);
  const oddLineEnd = lines.lineStart(endings.firstOddLine + 1) - 1;
  const mixed = problemAt(lines, { start: oddLineEnd, end: oddLineEnd }, {
    severity: 'warning',
    code: 'csv-mixed-line-endings',
    origin: 'check',
    message: l10n.t(
      'The file mixes line endings ({0} CRLF, {1} LF, {2} CR); this line differs. Autopilot Devices reads it, but save it with Windows (CRLF) line endings before uploading it to the Intune portal.',
      endings.crlf,
      endings.lf,
      endings.cr,
    ),
  });
  return { text, lines, newline: '\n', problems: [mixed] };
}

function isBlank(row: Row): boolean {
  return row.cells.every((cell) => cell.trim() === '');
}

/** Each non-blank row after the header as a device object, by the header's columns; blank rows are set aside. */
function deviceRows(rows: readonly Row[], columns: ReadonlyMap<CsvField, number>): { dataRows: Row[]; records: Record<string, string>[]; blankRows: Row[] } {
  const dataRows: Row[] = [];
  const records: Record<string, string>[] = [];
  const blankRows: Row[] = [];
  for (const row of rows) {
    if (isBlank(row)) {
      blankRows.push(row);
      continue;
    }
    // Serial and hash are always present, empty when missing, so the schema names them rather than the row.
    const record: Record<string, string> = {
      serialNumber: row.cells[columns.get('serialNumber') ?? -1] ?? '',
      hardwareIdentifier: row.cells[columns.get('hardwareIdentifier') ?? -1] ?? '',
    };
    for (const field of ['productKey', 'groupTag', 'assignedUserPrincipalName'] as const) {
      const value = row.cells[columns.get(field) ?? -1];
      if (value) record[field] = value;
    }
    dataRows.push(row);
    records.push(record);
  }
  return { dataRows, records, blankRows };
}

function emptyRowProblem(text: string, lines: LineIndex, row: Row): PayloadProblem {
  return problemAt(lines, { start: row.start, end: lineContentEnd(text, row) }, {
    severity: 'warning',
    code: 'csv-empty-row',
    origin: 'check',
    message: l10n.t('Empty line: Autopilot Devices skips it, but the Intune portal may refuse the file. Remove it.'),
    fix: { title: l10n.t('Remove the empty line'), edits: [editAt(lines, { start: row.start, end: row.next }, '')] },
  });
}

/**
 * Rows with more or fewer cells than the header. More is an error (a value probably holds a comma, so the columns
 * after it are shifted); fewer is a warning, since the missing trailing cells are read as empty.
 */
function cellCountProblems(document: CsvSourceDocument, dataRows: readonly Row[], expected: number): PayloadProblem[] {
  const problems: PayloadProblem[] = [];
  dataRows.forEach((row, index) => {
    if (row.cells.length > expected) {
      problems.push(
        problemAt(document.lines, document.rowCell(index, expected), {
          severity: 'error',
          code: 'csv-extra-cells',
          origin: 'check',
          message: l10n.t(
            'This line has {0} cells but the header has {1}: a value probably contains a comma. Remove the comma or the extra cells.',
            row.cells.length,
            expected,
          ),
        }),
      );
    } else if (row.cells.length < expected) {
      problems.push(
        problemAt(document.lines, document.rowCell(index, row.cells.length), {
          severity: 'warning',
          code: 'csv-missing-cells',
          origin: 'check',
          message: l10n.t('This line has {0} cells but the header has {1}: add the missing commas so every column lines up.', row.cells.length, expected),
        }),
      );
    }
  });
  return problems;
}

/**
 * Only the first unbalanced quote is an error: after it Papa Parse's cells are guesses, so later ones are echoes.
 * Balanced quotes are read but the portal refuses them, so their first one gets a warning.
 */
function quoteProblems(text: string, lines: LineIndex, quoteErrors: readonly QuoteError[]): PayloadProblem[] {
  const unbalanced = quoteErrors[0];
  if (unbalanced) {
    return [
      problemAt(lines, { start: unbalanced.offset, end: unbalanced.offset + 1 }, {
        severity: 'error',
        code: 'csv-unbalanced-quotes',
        origin: 'check',
        message: l10n.t('A quotation mark here is never closed or sits inside a value, so the cells after it cannot be read reliably. Remove it.'),
      }),
    ];
  }
  const firstQuote = text.indexOf('"');
  if (firstQuote === -1) return [];
  return [
    problemAt(lines, { start: firstQuote, end: firstQuote + 1 }, {
      severity: 'warning',
      code: 'csv-quotes',
      origin: 'check',
      message: l10n.t(
        'The file uses quotation marks. Autopilot Devices reads them, but the Intune portal refuses them: remove them before uploading this file in the portal.',
      ),
    }),
  ];
}

export function readCsvDocument(rawText: string): CsvReadResult {
  const { text, lines, newline, problems } = withOneKindOfLineBreak(rawText);
  const { rows, quoteErrors } = splitRows(text, newline);
  const headerRow = rows[0];
  const header = headerRow && readHeader(headerRow.cells, cellSpans(text, headerRow), lines);
  if (!headerRow || !header) {
    const firstLine = { start: 0, end: headerRow ? lineContentEnd(text, headerRow) : 0 };
    return { problems: [...problems, unusableHeaderProblem(headerRow?.cells ?? [], firstLine, lines)] };
  }
  const { dataRows, records, blankRows } = deviceRows(rows.slice(1), header.columns);
  const document = new CsvSourceDocument(text, lines, dataRows, records, header.columns);
  // Array literals, not push(...): a fuzzed file with 100,000 empty header cells has as many problems, too many arguments.
  return {
    document,
    problems: [
      ...problems,
      ...header.problems,
      ...blankRows.map((row) => emptyRowProblem(text, lines, row)),
      ...cellCountProblems(document, dataRows, headerRow.cells.length),
      ...quoteProblems(text, lines, quoteErrors),
    ],
  };
}
