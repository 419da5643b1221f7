/**
 * What the shared rules (schema and device checks) need from a parsed file, whatever its format: the device records
 * in file order, what the schema validates, and where in the text each record, key and value sits.
 */
import type { PayloadEdit, PayloadFix, PayloadFormat, PayloadProblem, ProblemOrigin } from './types';
import type { LineIndex } from './lineIndex';

/** Offsets into the decoded text; `end` is exclusive. */
export interface TextSpan {
  readonly start: number;
  readonly end: number;
}

export interface SourceDocument {
  readonly format: PayloadFormat;
  readonly lines: LineIndex;
  /** The device entries: JSON objects as written, CSV rows turned into device objects. */
  readonly records: readonly unknown[];
  /** The value the bundled schema validates (JSON: the whole document; CSV: the records). */
  readonly schemaInput: unknown;
  /** JSON Pointer of record `index` inside `schemaInput`. */
  recordPointer(index: number): string;
  /** Where record `index` sits (JSON: the item; CSV: the row without its line break). */
  recordSpan(index: number): TextSpan;
  /** Where the value at a pointer sits, or its enclosing record when the file has no text for it. */
  valueSpan(pointer: string): TextSpan;
  /** Where the property name at a pointer sits (CSV: the header cell), falling back to the value. */
  keySpan(pointer: string): TextSpan;
  /** The text between the quotes of a string value (CSV: the cell's content). */
  contentSpan(pointer: string): TextSpan;
  /** Offset of the character at `index` of the string value at `pointer`, accounting for escapes. */
  characterOffset(pointer: string, index: number): number;
  /** How to name the field at a pointer in a message when the file calls it differently (CSV: its column). */
  fieldLabel(pointer: string): string | undefined;
  /** What to delete to remove record `index` from the file, separator included. */
  recordRemovalSpan(index: number): TextSpan | undefined;
}

export interface ProblemDetails {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
  readonly origin: ProblemOrigin;
  readonly fix?: PayloadFix;
}

export function editAt(lines: LineIndex, span: TextSpan, newText: string): PayloadEdit {
  const start = lines.positionAt(span.start);
  const end = lines.positionAt(span.end);
  return { line: start.line, column: start.column, endLine: end.line, endColumn: end.column, newText };
}

/** A problem placed at a span of the text (an empty span marks a point, such as an empty CSV cell). */
export function problemAt(lines: LineIndex, span: TextSpan, details: ProblemDetails): PayloadProblem {
  const start = lines.positionAt(span.start);
  const end = lines.positionAt(Math.max(span.end, span.start));
  return {
    severity: details.severity,
    code: details.code,
    message: details.message,
    line: start.line,
    column: start.column,
    endLine: end.line,
    endColumn: end.column,
    origin: details.origin,
    ...(details.fix ? { fix: details.fix } : {}),
  };
}

/** A problem about the file as a whole, reported at its first character. */
export function problemAtStart(details: ProblemDetails): PayloadProblem {
  return {
    severity: details.severity,
    code: details.code,
    message: details.message,
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 1,
    origin: details.origin,
  };
}
