/**
 * Reads a hardware-hash CSV's header row: which device field each column carries, and what about the header the
 * Intune portal would refuse or Graph cannot take (unknown, partner, repeated, renamed or mis-cased columns, missing
 * required ones).
 */
import * as l10n from '@vscode/l10n';
import type { PayloadProblem } from './types';
import { PORTAL_COLUMNS, recogniseHeader, type ColumnMeaning, type CsvField } from './csvColumns';
import type { LineIndex } from './lineIndex';
import { editAt, problemAt, type ProblemDetails, type TextSpan } from './sourceDocument';

const EXPECTED_HEADER = PORTAL_COLUMNS.map((column) => column.header).join(',');

export interface CsvHeader {
  /** The column index of each device field the file has (the first column, when a field repeats). */
  readonly columns: ReadonlyMap<CsvField, number>;
  readonly problems: PayloadProblem[];
}

type RecognisedColumn = NonNullable<ReturnType<typeof recogniseHeader>>;

/** The device field a column fills; the legacy OrderID column fills the group tag, partner columns fill nothing. */
function fieldOf(meaning: ColumnMeaning): CsvField | undefined {
  if (meaning.kind === 'field') return meaning.field;
  return meaning.kind === 'legacy-group-tag' ? 'groupTag' : undefined;
}

/**
 * The header's columns and problems, or undefined when no cell names a device field: then the first line is not a
 * header at all, and per-column problems would only bury the one that matters (see `unusableHeaderProblem`).
 * `cellSpans` are where the header's cells sit in the text, in the same order as `cells`.
 */
export function readHeader(cells: readonly string[], cellSpans: readonly TextSpan[], lines: LineIndex): CsvHeader | undefined {
  const recognised = cells.map((cell) => recogniseHeader(cell));
  if (!recognised.some((column) => column?.meaning.kind === 'field')) return undefined;
  const columns = new Map<CsvField, number>();
  const problems: PayloadProblem[] = [];
  recognised.forEach((column, index) => {
    const span = cellSpans[index] ?? { start: 0, end: 0 };
    const field = column && fieldOf(column.meaning);
    const repeated = field !== undefined && columns.has(field);
    if (field !== undefined && !repeated) columns.set(field, index);
    const problem = headerCellProblem(cells[index]!, column, repeated, lines, span);
    if (problem) problems.push(problemAt(lines, span, problem));
  });
  return { columns, problems: [...problems, ...missingColumnProblems(columns, lines)] };
}

/** What is wrong with one header cell, if anything: at most one problem per cell, the one that matters most. */
function headerCellProblem(cell: string, column: RecognisedColumn | undefined, repeated: boolean, lines: LineIndex, span: TextSpan): ProblemDetails | undefined {
  if (!column) {
    return {
      severity: 'warning',
      code: 'csv-extra-column',
      origin: 'check',
      message: l10n.t('Unknown column "{0}": Autopilot Devices ignores it, and the Intune portal refuses files with extra columns. Remove it.', cell),
    };
  }
  const { meaning, exact } = column;
  if (meaning.kind === 'partner') {
    return {
      severity: 'warning',
      code: 'csv-partner-column',
      origin: 'check',
      message: l10n.t('"{0}" is a partner (CSP) column: Intune\'s import has no place for it, so it is not sent. With both manufacturer and model, "Autopilot: Write Corporate Identifiers from Hardware-Hash CSV" makes corporate identifiers of them.', meaning.header),
    };
  }
  if (repeated) {
    return {
      severity: 'error',
      code: 'csv-duplicate-column',
      origin: 'check',
      message: l10n.t('Column "{0}" appears twice: remove one of them so each value has one place.', cell),
    };
  }
  if (meaning.kind === 'legacy-group-tag') {
    return {
      severity: 'warning',
      code: 'csv-legacy-column',
      origin: 'check',
      message: l10n.t('"{0}" is the old name of the group tag column: rename it to "Group Tag".', cell),
      fix: { title: l10n.t('Rename the column to "Group Tag"'), edits: [editAt(lines, span, 'Group Tag')] },
    };
  }
  if (!exact) {
    return {
      severity: 'warning',
      code: 'csv-header-case',
      origin: 'check',
      message: l10n.t('Write the column as "{0}": the Intune portal matches headers exactly, including case and spaces.', meaning.header),
      fix: { title: l10n.t('Rename the column to "{0}"', meaning.header), edits: [editAt(lines, span, meaning.header)] },
    };
  }
  return undefined;
}

/** Graph needs a serial and a hash for every device; a missing column is reported at line 1, as the terminal promises. */
function missingColumnProblems(columns: ReadonlyMap<CsvField, number>, lines: LineIndex): PayloadProblem[] {
  return (['serialNumber', 'hardwareIdentifier'] as const)
    .filter((field) => !columns.has(field))
    .map((field) =>
      problemAt(lines, { start: 0, end: 0 }, {
        severity: 'error',
        code: 'csv-missing-column',
        origin: 'check',
        message: l10n.t(
          'The header has no "{0}" column: add it (Intune expects: {1}).',
          PORTAL_COLUMNS.find((column) => column.field === field)!.header,
          EXPECTED_HEADER,
        ),
      }),
    );
}

/**
 * The one problem of a file whose first line is not a header this reader knows (`firstLine` is where that line sits):
 * say what is expected, and spot the usual wrong delimiters, since a semicolon- or tab-separated export is the most
 * common reason.
 */
export function unusableHeaderProblem(firstCells: readonly string[], firstLine: TextSpan, lines: LineIndex): PayloadProblem {
  const firstCell = firstCells[0] ?? '';
  const otherDelimiter = [';', '\t'].find((delimiter) => firstCell.includes(delimiter) && recogniseHeader(firstCell.split(delimiter)[0]!.trim()));
  const message = otherDelimiter
    ? l10n.t(
        'The columns are separated by "{0}", not commas. Save the file as comma-separated (Intune expects: {1}).',
        otherDelimiter === '\t' ? 'Tab' : otherDelimiter,
        EXPECTED_HEADER,
      )
    : l10n.t('The first line is not an Autopilot CSV header. Start the file with: {0} (Group Tag and Assigned User are optional).', EXPECTED_HEADER);
  const identifiers = firstCells.length === 3 ? ` ${l10n.t('For a corporate-identifier file (Manufacturer,Model,Serial on each line, no header), name it *.identifiers.csv.')}` : '';
  return problemAt(lines, firstLine, { severity: 'error', code: 'csv-header', origin: 'check', message: message + identifiers });
}
