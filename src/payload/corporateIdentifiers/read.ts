/**
 * Reads a corporate-identifier CSV (no header, `Manufacturer,Model,Serial` per line) with the same Papa Parse row
 * reader as hardware-hash CSVs, and reports every problem at its line and column with a stable code.
 *
 * What the portal documents is an error or a warning as it says ("Don't add headers", "Remove all periods … from the
 * serial number", 5,000 rows or 5 MB per file). What no source settles — commas or semicolons, periods in the
 * manufacturer or model, which characters Intune accepts, quotation marks, blanks, case — is a warning that says so
 * (lifecycle facts §5, open question 6).
 */
import * as l10n from '@vscode/l10n';
import { parse as parseCsv } from 'papaparse';
import { cellSpans, lineContentEnd, splitRows, type Row } from '../csvDocument';
import { isPlaceholderSerial } from '../deviceChecks';
import { LineIndex } from '../lineIndex';
import { editAt, problemAt, type ProblemDetails, type TextSpan } from '../sourceDocument';
import type { PayloadProblem } from '../types';
import { identifierText, PORTAL_MAX_IDENTIFIER_BYTES, PORTAL_MAX_IDENTIFIER_ROWS, type CellColumns, type IdentifierField, type IdentifierLine } from './identifier';
import { isIdentifierHeader } from './recognise';

export interface IdentifierReadResult {
  readonly identifiers: IdentifierLine[];
  readonly problems: PayloadProblem[];
  /** Lines that hold something (identifiers, headers, broken lines), blank lines excepted. */
  readonly entries: number;
}

const FIELDS: readonly IdentifierField[] = ['manufacturer', 'model', 'serialNumber'];

function fieldName(field: IdentifierField): string {
  switch (field) {
    case 'manufacturer':
      return l10n.t('The manufacturer');
    case 'model':
      return l10n.t('The model');
    case 'serialNumber':
      return l10n.t('The serial number');
  }
}

/** A value as a CSV cell: bare when it can be, quoted (quotes doubled) when it holds a separator or a quote. */
export function csvCell(value: string): string {
  return /[",;\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Where the first C0 control character or DEL sits in a value, or -1. */
function firstControlCharacter(value: string): number {
  for (let index = 0; index < value.length; index++) {
    const code = value.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return index;
  }
  return -1;
}

interface Cell {
  readonly value: string;
  readonly span: TextSpan;
  readonly quoted: boolean;
}

class IdentifierReader {
  readonly problems: PayloadProblem[] = [];
  readonly identifiers: IdentifierLine[] = [];
  entries = 0;
  private readonly seen = new Map<string, number>();
  private readonly seenLoosely = new Map<string, number>();
  /**
   * Unsettled rules that a whole column may break (every "Dell Inc." of a Dell fleet): reported once per value, where
   * it first appears, with how many lines have it.
   */
  private readonly perValue = new Map<string, { span: TextSpan; lines: number; details: (lines: number) => ProblemDetails }>();
  private readonly unneededQuotes: TextSpan[] = [];
  private firstQuote: TextSpan | undefined;
  private tooManyReported = false;

  constructor(
    private readonly text: string,
    private readonly lines: LineIndex,
  ) {}

  private report(span: TextSpan, details: ProblemDetails): void {
    this.problems.push(problemAt(this.lines, span, details));
  }

  private columns(span: TextSpan): CellColumns {
    return { column: this.lines.positionAt(span.start).column, endColumn: this.lines.positionAt(span.end).column };
  }

  read(row: Row): void {
    const lineEnd = lineContentEnd(this.text, row);
    const lineSpan = { start: row.start, end: Math.max(row.start, lineEnd) };
    const removeLine = (title: string) => ({ title, edits: [editAt(this.lines, { start: row.start, end: row.next }, '')] });
    if (row.cells.every((cell) => cell.trim() === '')) {
      this.report(lineSpan, {
        severity: 'warning',
        code: 'identifiers-empty-line',
        origin: 'check',
        message: l10n.t('Empty line: Autopilot Devices skips it, but the Intune portal may refuse the file. Remove it.'),
        fix: removeLine(l10n.t('Remove the empty line')),
      });
      return;
    }
    this.entries += 1;
    const semicolons = row.cells.length === 1 && this.text.slice(row.start, lineEnd).includes(';');
    const cells = this.cellsOf(row, semicolons ? ';' : ',');
    if (isIdentifierHeader(cells.map((cell) => cell.value))) {
      this.report(lineSpan, {
        severity: 'error',
        code: 'identifiers-header',
        origin: 'check',
        message: l10n.t('This is a header line. Corporate-identifier files have none ("Don\'t add headers", says the Intune portal): every line is one device, Manufacturer,Model,Serial.'),
        fix: removeLine(l10n.t('Remove the header line')),
      });
      return;
    }
    if (semicolons) this.reportSemicolons(cells, lineSpan);
    if (cells.length !== 3) {
      this.reportColumnCount(cells, lineEnd);
      return;
    }
    let usable = true;
    cells.forEach((cell, index) => (usable = this.checkCell(cell, FIELDS[index]!) && usable));
    if (!usable) return;
    const [manufacturer, model, serialNumber] = cells.map((cell) => cell.value) as [string, string, string];
    const line = this.lines.positionAt(row.start).line;
    this.identifiers.push({ manufacturer, model, serialNumber, line, cells: [this.columns(cells[0]!.span), this.columns(cells[1]!.span), this.columns(cells[2]!.span)] });
    this.checkRepeats(identifierText({ manufacturer, model, serialNumber }), line, lineSpan, removeLine(l10n.t('Remove the repeated line')));
    if (this.identifiers.length === PORTAL_MAX_IDENTIFIER_ROWS + 1) this.reportTooMany(lineSpan);
  }

  private cellsOf(row: Row, delimiter: ',' | ';'): Cell[] {
    const values = delimiter === ',' ? row.cells : parseCsv<string[]>(this.text.slice(row.start, lineContentEnd(this.text, row)), { delimiter: ';', quoteChar: '"' }).data[0] ?? [];
    const spans = cellSpans(this.text, row, delimiter);
    return values.map((value, index) => {
      const span = spans[index] ?? { start: lineContentEnd(this.text, row), end: lineContentEnd(this.text, row) };
      const quoted = this.text.charCodeAt(span.start) === 0x22;
      return { value, span, quoted };
    });
  }

  private reportSemicolons(cells: readonly Cell[], lineSpan: TextSpan): void {
    const canUseCommas = cells.length === 3 && cells.every((cell) => !cell.value.includes(','));
    this.report(lineSpan, {
      severity: 'warning',
      code: 'identifiers-semicolon',
      origin: 'check',
      message: l10n.t(
        'The values are separated by semicolons. Graph\'s reference describes the identifier as semicolon-delimited, but the Intune portal and every known client use commas, and which one Intune expects is not settled. Autopilot Devices reads this line and sends it comma-separated.',
      ),
      ...(canUseCommas ? { fix: { title: l10n.t('Separate the values with commas'), edits: [editAt(this.lines, lineSpan, cells.map((cell) => csvCell(cell.value)).join(','))] } } : {}),
    });
  }

  private reportColumnCount(cells: readonly Cell[], lineEnd: number): void {
    const span = cells.length > 3 ? { start: cells[3]!.span.start, end: lineEnd } : { start: lineEnd, end: lineEnd };
    this.report(span, {
      severity: 'error',
      code: 'identifiers-columns',
      origin: 'check',
      message:
        cells.length > 3
          ? l10n.t(
              'This line has {0} values; a corporate identifier has three: Manufacturer,Model,Serial. A value probably contains a comma (as "SAMSUNG ELECTRONICS CO., LTD." does): put that value in quotation marks, or remove the extra values.',
              cells.length,
            )
          : l10n.t('This line has {0} of the three values a corporate identifier needs: Manufacturer,Model,Serial. Add the missing ones.', cells.length),
    });
  }

  /** Checks one value; false when the line cannot be an identifier (an empty value). */
  private checkCell(cell: Cell, field: IdentifierField): boolean {
    const { value, span } = cell;
    const name = fieldName(field);
    if (value.trim() === '') {
      this.report(span, {
        severity: 'error',
        code: 'identifiers-empty-value',
        origin: 'check',
        message: l10n.t('{0} is empty: a device is recognised only when manufacturer, model and serial number all match what it reports.', name),
      });
      return false;
    }
    if (cell.quoted) {
      this.firstQuote ??= { start: span.start, end: span.start + 1 };
      if (!/[",;\r\n]/.test(value)) this.unneededQuotes.push(span);
    }
    if (value !== value.trim()) {
      this.report(span, {
        severity: 'warning',
        code: 'identifiers-whitespace',
        origin: 'check',
        message: l10n.t('{0} starts or ends with blanks. Whether Intune ignores them when it matches a device is not documented; trim them unless the device reports them.', name),
        fix: { title: l10n.t('Trim the blanks'), edits: [editAt(this.lines, span, csvCell(value.trim()))] },
      });
    }
    const controlAt = firstControlCharacter(value);
    if (controlAt >= 0) {
      const at = this.characterAt(cell, controlAt);
      this.report({ start: at, end: at + 1 }, {
        severity: 'error',
        code: 'identifiers-control-character',
        origin: 'check',
        message: l10n.t('{0} contains a control character (U+{1}), such as a tab or a line break inside quotation marks: no device reports one. Remove it.', name, value.charCodeAt(controlAt).toString(16).toUpperCase().padStart(4, '0')),
      });
    } else {
      const unusual = /[^\x20-\x7e]|"/.exec(value);
      if (unusual) {
        const at = this.characterAt(cell, unusual.index);
        this.oncePerValue('identifiers-character', value, { start: at, end: at + 1 }, (lines) => ({
          severity: 'warning',
          code: 'identifiers-character',
          origin: 'check',
          message: `${this.subject(name, value, l10n.t('contains "{0}"', unusual[0]!), lines)} ${l10n.t(
            'Which characters Intune accepts in a corporate identifier is not documented (Microsoft\'s examples use letters, digits and spaces); if Graph refuses it, the import reports it for this line.',
          )}`,
        }));
      }
    }
    if (value.includes(',')) {
      this.report(span, {
        severity: 'warning',
        code: 'identifiers-comma-in-value',
        origin: 'check',
        message: l10n.t(
          '{0} contains a comma, and the identifier is sent comma-separated (Manufacturer,Model,Serial), as every known client sends it. Whether Intune tells this comma from the separators is not settled (Graph\'s reference describes semicolons). Keep the value as the device reports it.',
          name,
        ),
      });
    }
    if (field === 'serialNumber') this.checkSerial(cell);
    else if (value.includes('.')) {
      this.oncePerValue('identifiers-period', value, span, (lines) => ({
        severity: 'warning',
        code: 'identifiers-period',
        origin: 'check',
        message: `${this.subject(name, value, l10n.t('contains a period'), lines)} ${l10n.t(
          'Whether Intune accepts periods in the manufacturer and model is not documented; a device is recognised only when all three values match what it reports, so keep the value exactly as the device reports it (stripping the period, as one community script did, stops the match).',
        )}`,
      }));
    }
    return true;
  }

  private oncePerValue(code: string, value: string, span: TextSpan, details: (lines: number) => ProblemDetails): void {
    const key = `${code}\n${value}`;
    const known = this.perValue.get(key);
    if (known) known.lines += 1;
    else this.perValue.set(key, { span, lines: 1, details });
  }

  /** `The model "Akoya Für" contains "ü" (on 12 lines).` */
  private subject(name: string, value: string, what: string, lines: number): string {
    return lines === 1 ? l10n.t('{0} "{1}" {2}.', name, value, what) : l10n.t('{0} "{1}" {2} (on {3} lines).', name, value, what, lines);
  }

  private checkSerial(cell: Cell): void {
    const { value, span } = cell;
    if (value.includes('.')) {
      this.report(span, {
        severity: 'error',
        code: 'identifiers-serial-period',
        origin: 'check',
        message: l10n.t('The serial number contains a period. The Intune portal says: "Remove all periods, if applicable, from the serial number." (A serial with a period has failed whole uploads.)'),
        fix: { title: l10n.t('Remove the periods from the serial number'), edits: [editAt(this.lines, span, csvCell(value.replace(/\./g, '')))] },
      });
    }
    if (isPlaceholderSerial(value)) {
      this.report(span, {
        severity: 'warning',
        code: 'identifiers-placeholder-serial',
        origin: 'check',
        message: l10n.t('"{0}" is a firmware placeholder, not a real serial number: every device of this model that reports it would count as corporate. Ask the OEM for a BIOS with the serial set.', value.trim()),
      });
    }
  }

  private checkRepeats(text: string, line: number, lineSpan: TextSpan, fix: { title: string; edits: ReturnType<typeof editAt>[] }): void {
    const first = this.seen.get(text);
    if (first !== undefined) {
      this.report(lineSpan, {
        severity: 'warning',
        code: 'identifiers-duplicate',
        origin: 'check',
        message: l10n.t('Line {0} has the same identifier: it is sent once. The Intune portal "only compares the first duplicate of each identifier". Remove this line.', first),
        fix,
      });
      return;
    }
    this.seen.set(text, line);
    const loose = text.toUpperCase();
    const similar = this.seenLoosely.get(loose);
    if (similar !== undefined) {
      this.report(lineSpan, {
        severity: 'warning',
        code: 'identifiers-duplicate-case',
        origin: 'check',
        message: l10n.t('Line {0} has the same identifier in other letter case. Whether Intune matches identifiers case-insensitively is not documented: keep the one the device reports.', similar),
      });
    } else {
      this.seenLoosely.set(loose, line);
    }
  }

  private reportTooMany(lineSpan: TextSpan): void {
    if (this.tooManyReported) return;
    this.tooManyReported = true;
    this.report(lineSpan, {
      severity: 'warning',
      code: 'identifiers-too-many-rows',
      origin: 'check',
      message: l10n.t(
        'From this line on the file has more than {0} identifiers, the most the Intune portal takes in one file. Autopilot Devices imports all of them in chunks; to upload in the portal, split the file.',
        PORTAL_MAX_IDENTIFIER_ROWS.toLocaleString('en-US'),
      ),
      fix: { title: l10n.t('Split into files of at most {0} identifiers', PORTAL_MAX_IDENTIFIER_ROWS.toLocaleString('en-US')), edits: [], action: 'split-identifier-file' },
    });
  }

  /** The offset of character `index` of a cell's value (inside its quotes, past doubled quotes). */
  private characterAt(cell: Cell, index: number): number {
    let at = cell.span.start + (cell.quoted ? 1 : 0);
    for (let remaining = index; remaining > 0 && at < cell.span.end; remaining -= 1) {
      at += cell.quoted && this.text.charCodeAt(at) === 0x22 && this.text.charCodeAt(at + 1) === 0x22 ? 2 : 1;
    }
    return at;
  }

  /** The problems reported once: those per value, quotation marks, size. */
  finish(quoteError: number | undefined): void {
    for (const { span, lines, details } of this.perValue.values()) this.report(span, details(lines));
    if (this.firstQuote) {
      const edits = this.unneededQuotes.map((span) => editAt(this.lines, span, this.text.slice(span.start + 1, span.end - 1)));
      this.report(this.firstQuote, {
        severity: 'warning',
        code: 'identifiers-quotes',
        origin: 'check',
        message: l10n.t(
          'The file puts values in quotation marks. Autopilot Devices reads them and sends the values without them, but whether the Intune portal accepts quotation marks in a corporate-identifier file is not documented (its hardware-hash CSV refuses them).',
        ),
        ...(edits.length ? { fix: { title: l10n.t('Remove the quotation marks the values do not need'), edits } } : {}),
      });
    }
    if (quoteError !== undefined) {
      this.report({ start: quoteError, end: quoteError + 1 }, {
        severity: 'error',
        code: 'identifiers-unbalanced-quotes',
        origin: 'check',
        message: l10n.t('A quotation mark here is never closed or sits inside a value, so the values after it cannot be read reliably. Remove it.'),
      });
    }
    const bytes = Buffer.byteLength(this.text, 'utf8');
    if (bytes > PORTAL_MAX_IDENTIFIER_BYTES) {
      this.report({ start: 0, end: 0 }, {
        severity: 'warning',
        code: 'identifiers-file-too-large',
        origin: 'check',
        message: l10n.t('The file holds {0} MB; the Intune portal takes at most 5 MB per file. Autopilot Devices imports it in chunks; to upload in the portal, split the file.', (bytes / (1024 * 1024)).toFixed(1)),
        fix: { title: l10n.t('Split into files of at most {0} identifiers', PORTAL_MAX_IDENTIFIER_ROWS.toLocaleString('en-US')), edits: [], action: 'split-identifier-file' },
      });
    }
    if (this.identifiers.length === 0 && !this.problems.some((problem) => problem.severity === 'error')) {
      this.report({ start: 0, end: 0 }, {
        severity: 'error',
        code: 'identifiers-none',
        origin: 'check',
        message: l10n.t('The file has no corporate identifier: write one device per line as Manufacturer,Model,Serial.'),
      });
    }
  }
}

export function readIdentifierDocument(rawText: string): IdentifierReadResult {
  const endings = new LineIndex(rawText).lineEndings();
  // Papa Parse splits on one kind of line break; a mixed file is read with them made the same (same lines, columns).
  const text = endings.firstOddLine === undefined ? rawText : rawText.replace(/\r\n?/g, '\n');
  const lines = endings.firstOddLine === undefined ? new LineIndex(rawText) : new LineIndex(text);
  const { rows, quoteErrors } = splitRows(text, endings.firstOddLine === undefined ? endings.dominant : '\n');
  const reader = new IdentifierReader(text, lines);
  for (const row of rows) reader.read(row);
  reader.finish(quoteErrors[0]?.offset);
  return { identifiers: reader.identifiers, problems: reader.problems, entries: reader.entries };
}
