/**
 * Reads a hardware-hash CSV with Papa Parse, recognises the header variants, turns each data row into a device
 * object for the shared rules, and reports the CSV-only defects (header, cell count, quotes, line endings, empty rows).
 */
import * as l10n from '@vscode/l10n';
import { parse as parseCsv } from 'papaparse';
import type { PayloadProblem } from './types';
import { PORTAL_COLUMNS, recogniseHeader, type CsvField } from './csvColumns';
import { LineIndex } from './lineIndex';
import { editAt, problemAt, type ProblemDetails, type SourceDocument, type TextSpan } from './sourceDocument';

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

const EXPECTED_HEADER = PORTAL_COLUMNS.map((column) => column.header).join(',');

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

export function splitRows(text: string, newline: '\r\n' | '\n' | '\r'): { rows: Row[]; quoteErrors: { offset: number; code: string }[] } {
  const rows: Row[] = [];
  const quoteErrors: { offset: number; code: string }[] = [];
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

function isBlank(row: Row): boolean {
  return row.cells.every((cell) => cell.trim() === '');
}

/** A header this reader does not know: say what is expected, and spot the usual wrong delimiters. */
function headerProblem(first: Row | undefined, lines: LineIndex): PayloadProblem {
  const firstCell = first?.cells[0] ?? '';
  const otherDelimiter = [';', '\t'].find((delimiter) => firstCell.includes(delimiter) && recogniseHeader(firstCell.split(delimiter)[0]!.trim()));
  const message = otherDelimiter
    ? l10n.t(
        'The columns are separated by "{0}", not commas. Save the file as comma-separated (Intune expects: {1}).',
        otherDelimiter === '\t' ? 'Tab' : otherDelimiter,
        EXPECTED_HEADER,
      )
    : l10n.t('The first line is not an Autopilot CSV header. Start the file with: {0} (Group Tag and Assigned User are optional).', EXPECTED_HEADER);
  const identifiers = first?.cells.length === 3 ? ` ${l10n.t('For a corporate-identifier file (Manufacturer,Model,Serial on each line, no header), name it *.identifiers.csv.')}` : '';
  return problemAt(lines, { start: 0, end: first ? lineContentEnd(lines.text, first) : 0 }, { severity: 'error', code: 'csv-header', origin: 'check', message: message + identifiers });
}

export function readCsvDocument(rawText: string): CsvReadResult {
  const problems: PayloadProblem[] = [];
  const endings = new LineIndex(rawText).lineEndings();
  // Papa Parse splits on one kind of line break; normalise a mixed file (same lines and columns, other offsets).
  const text = endings.firstOddLine === undefined ? rawText : rawText.replace(/\r\n?/g, '\n');
  const lines = endings.firstOddLine === undefined ? new LineIndex(rawText) : new LineIndex(text);
  const report = (span: TextSpan, details: ProblemDetails) => problems.push(problemAt(lines, span, details));
  if (endings.firstOddLine !== undefined) {
    const oddLineEnd = lines.lineStart(endings.firstOddLine + 1) - 1;
    report({ start: oddLineEnd, end: oddLineEnd }, {
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
  }
  const { rows, quoteErrors } = splitRows(text, endings.firstOddLine === undefined ? endings.dominant : '\n');
  const header = rows[0];
  const recognised = header?.cells.map((cell) => recogniseHeader(cell));
  if (!header || !recognised?.some((column) => column?.meaning.kind === 'field')) {
    problems.push(headerProblem(header, lines));
    return { problems };
  }

  const columns = new Map<CsvField, number>();
  const headerCells = cellSpans(text, header);
  recognised.forEach((column, index) => {
    const span = headerCells[index] ?? { start: 0, end: 0 };
    const cell = header.cells[index]!;
    if (!column) {
      report(span, {
        severity: 'warning',
        code: 'csv-extra-column',
        origin: 'check',
        message: l10n.t('Unknown column "{0}": Autopilot Devices ignores it, and the Intune portal refuses files with extra columns. Remove it.', cell),
      });
      return;
    }
    const { meaning, exact } = column;
    if (meaning.kind === 'partner') {
      report(span, {
        severity: 'warning',
        code: 'csv-partner-column',
        origin: 'check',
        message: l10n.t('"{0}" is a partner (CSP) column: Intune\'s import has no place for it, so it is not sent. With both manufacturer and model, "Autopilot: Write Corporate Identifiers from Hardware-Hash CSV" makes corporate identifiers of them.', meaning.header),
      });
      return;
    }
    const field: CsvField = meaning.kind === 'field' ? meaning.field : 'groupTag';
    if (columns.has(field)) {
      report(span, {
        severity: 'error',
        code: 'csv-duplicate-column',
        origin: 'check',
        message: l10n.t('Column "{0}" appears twice: remove one of them so each value has one place.', cell),
      });
      return;
    }
    columns.set(field, index);
    if (meaning.kind === 'legacy-group-tag') {
      report(span, {
        severity: 'warning',
        code: 'csv-legacy-column',
        origin: 'check',
        message: l10n.t('"{0}" is the old name of the group tag column: rename it to "Group Tag".', cell),
        fix: { title: l10n.t('Rename the column to "Group Tag"'), edits: [editAt(lines, span, 'Group Tag')] },
      });
    } else if (!exact) {
      report(span, {
        severity: 'warning',
        code: 'csv-header-case',
        origin: 'check',
        message: l10n.t('Write the column as "{0}": the Intune portal matches headers exactly, including case and spaces.', meaning.header),
        fix: { title: l10n.t('Rename the column to "{0}"', meaning.header), edits: [editAt(lines, span, meaning.header)] },
      });
    }
  });
  for (const field of ['serialNumber', 'hardwareIdentifier'] as const) {
    if (!columns.has(field)) {
      const header = PORTAL_COLUMNS.find((column) => column.field === field)!.header;
      report({ start: 0, end: 0 }, {
        severity: 'error',
        code: 'csv-missing-column',
        origin: 'check',
        message: l10n.t('The header has no "{0}" column: add it (Intune expects: {1}).', header, EXPECTED_HEADER),
      });
    }
  }

  const dataRows: Row[] = [];
  const records: Record<string, string>[] = [];
  const blankRows: Row[] = [];
  for (const row of rows.slice(1)) {
    if (isBlank(row)) {
      blankRows.push(row);
      continue;
    }
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
  const document = new CsvSourceDocument(text, lines, dataRows, records, columns);

  for (const row of blankRows) {
    report({ start: row.start, end: lineContentEnd(text, row) }, {
      severity: 'warning',
      code: 'csv-empty-row',
      origin: 'check',
      message: l10n.t('Empty line: Autopilot Devices skips it, but the Intune portal may refuse the file. Remove it.'),
      fix: { title: l10n.t('Remove the empty line'), edits: [editAt(lines, { start: row.start, end: row.next }, '')] },
    });
  }
  dataRows.forEach((row, index) => {
    const expected = header.cells.length;
    if (row.cells.length > expected) {
      report(document.rowCell(index, expected), {
        severity: 'error',
        code: 'csv-extra-cells',
        origin: 'check',
        message: l10n.t(
          'This line has {0} cells but the header has {1}: a value probably contains a comma. Remove the comma or the extra cells.',
          row.cells.length,
          expected,
        ),
      });
    } else if (row.cells.length < expected) {
      report(document.rowCell(index, row.cells.length), {
        severity: 'warning',
        code: 'csv-missing-cells',
        origin: 'check',
        message: l10n.t('This line has {0} cells but the header has {1}: add the missing commas so every column lines up.', row.cells.length, expected),
      });
    }
  });

  for (const error of quoteErrors.slice(0, 1)) {
    report({ start: error.offset, end: error.offset + 1 }, {
      severity: 'error',
      code: 'csv-unbalanced-quotes',
      origin: 'check',
      message: l10n.t('A quotation mark here is never closed or sits inside a value, so the cells after it cannot be read reliably. Remove it.'),
    });
  }
  const firstQuote = text.indexOf('"');
  if (firstQuote !== -1 && quoteErrors.length === 0) {
    report({ start: firstQuote, end: firstQuote + 1 }, {
      severity: 'warning',
      code: 'csv-quotes',
      origin: 'check',
      message: l10n.t(
        'The file uses quotation marks. Autopilot Devices reads them, but the Intune portal refuses them: remove them before uploading this file in the portal.',
      ),
    });
  }
  return { document, problems };
}
