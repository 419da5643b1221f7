/**
 * Reads a JSON payload: the native `JSON.parse` when the file is strict JSON (the fast, common case), jsonc-parser
 * when it has comments, trailing commas or syntax errors; either way one structural scan for the locations.
 */
import * as l10n from '@vscode/l10n';
import { parse as parseTolerantly, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { PayloadProblem } from './types';
import { firstTooDeep, locate, locateJson, MAX_NESTING_DEPTH, type JsonLocations, type JsonSpan, type LocatedValue } from './jsonLocations';
import { LineIndex } from './lineIndex';
import { IMPORT_BODY_KEY } from './payloadShape';
import { editAt, problemAt, type SourceDocument, type TextSpan } from './sourceDocument';


export interface JsonReadResult {
  /** Absent when a syntax error leaves the content uncertain: then only the syntax problem is reported. */
  readonly document?: SourceDocument;
  readonly problems: PayloadProblem[];
}

function previousSignificant(text: string, before: number): number {
  let at = before - 1;
  while (at >= 0 && /\s/.test(text[at]!)) at -= 1;
  return at;
}

function syntaxProblems(text: string, lines: LineIndex, errors: readonly ParseError[]): { problems: PayloadProblem[]; fatal: boolean } {
  const problems: PayloadProblem[] = [];
  let fatal = false;
  for (const error of errors) {
    const closer = text[error.offset];
    const comma = previousSignificant(text, error.offset);
    if ((closer === '}' || closer === ']') && text[comma] === ',') {
      problems.push(
        problemAt(lines, { start: comma, end: comma + 1 }, {
          severity: 'error',
          code: 'json-trailing-comma',
          origin: 'syntax',
          message: l10n.t('Trailing comma: remove the comma before "{0}" (JSON allows no comma after the last item).', closer),
          fix: { title: l10n.t('Remove the trailing comma'), edits: [editAt(lines, { start: comma, end: comma + 1 }, '')] },
        }),
      );
      continue;
    }
    if (fatal) continue; // After the first real syntax error the rest is usually its echo.
    fatal = true;
    problems.push(
      problemAt(lines, { start: error.offset, end: error.offset + Math.max(error.length, 1) }, {
        severity: 'error',
        code: 'json-syntax',
        origin: 'syntax',
        message: l10n.t('Not valid JSON here ({0}): fix the syntax so the devices can be read.', printParseErrorCode(error.error)),
      }),
    );
  }
  return { problems, fatal };
}

class JsonSourceDocument implements SourceDocument {
  readonly format = 'json';
  readonly records: readonly unknown[];
  private readonly listPointer: string | undefined;

  constructor(
    private readonly text: string,
    readonly lines: LineIndex,
    readonly schemaInput: unknown,
    private readonly locations: JsonLocations,
  ) {
    if (Array.isArray(schemaInput)) {
      this.records = schemaInput;
      this.listPointer = '';
    } else if (schemaInput !== null && typeof schemaInput === 'object') {
      const body = (schemaInput as Record<string, unknown>)[IMPORT_BODY_KEY];
      if (body === undefined) {
        this.records = [schemaInput];
        this.listPointer = undefined;
      } else {
        this.records = Array.isArray(body) ? body : [];
        this.listPointer = `/${IMPORT_BODY_KEY}`;
      }
    } else {
      this.records = [];
      this.listPointer = undefined;
    }
  }

  recordPointer(index: number): string {
    return this.listPointer === undefined ? '' : `${this.listPointer}/${index}`;
  }

  private nodes: readonly LocatedValue[] | undefined;

  /** The located items of the device list, or the single device. */
  private recordNodes(): readonly LocatedValue[] {
    if (!this.nodes) {
      const items = this.listPointer === undefined ? undefined : locate(this.locations.root, this.listPointer)?.children;
      this.nodes = this.listPointer === undefined ? (this.locations.root ? [this.locations.root] : []) : Array.isArray(items) ? items : [];
    }
    return this.nodes;
  }

  recordSpan(index: number): TextSpan {
    const node = this.recordNodes()[index];
    return node ? { start: node.start, end: node.end } : this.valueSpan(this.recordPointer(index));
  }

  /** The span at a pointer, or at the nearest enclosing value the scan indexed. */
  private spanOf(pointer: string): JsonSpan {
    return locate(this.locations.root, pointer) ?? { start: 0, end: Math.min(1, this.text.length), keyStart: -1, keyEnd: -1 };
  }

  valueSpan(pointer: string): TextSpan {
    const { start, end } = this.spanOf(pointer);
    return { start, end };
  }

  keySpan(pointer: string): TextSpan {
    const span = this.spanOf(pointer);
    return span.keyStart === -1 ? { start: span.start, end: span.end } : { start: span.keyStart, end: span.keyEnd };
  }

  contentSpan(pointer: string): TextSpan {
    const { start, end } = this.spanOf(pointer);
    return this.text.charCodeAt(start) === 0x22 && end - start >= 2 ? { start: start + 1, end: end - 1 } : { start, end };
  }

  characterOffset(pointer: string, index: number): number {
    const content = this.contentSpan(pointer);
    if (!this.text.substring(content.start, content.end).includes('\\')) return content.start + index;
    // Escapes make raw offsets and character indexes differ: \uXXXX is six characters of text for one of value.
    let at = content.start;
    for (let remaining = index; remaining > 0 && at < content.end; remaining -= 1) {
      at += this.text[at] !== '\\' ? 1 : this.text[at + 1] === 'u' ? 6 : 2;
    }
    return at;
  }

  fieldLabel(): undefined {
    return undefined;
  }

  recordRemovalSpan(index: number): TextSpan | undefined {
    if (this.listPointer === undefined || this.records.length < 2) return undefined;
    const items = this.recordNodes();
    const own = items[index];
    if (!own) return undefined;
    // Take the comma before the item (or, for the first item, the one after it) along with the item.
    const neighbour = index > 0 ? items[index - 1] : items[1];
    if (!neighbour) return undefined;
    return index > 0 ? { start: neighbour.end, end: own.end } : { start: own.start, end: neighbour.start };
  }
}

/**
 * Finds where a JSON text's values sit: `locateJson`, the payload layer's own scanner. bench/validate.ts passes
 * jsonc-parser's `parseTree` in its place to measure the two against each other.
 */
export type JsonLocator = (text: string) => JsonLocations;

export function readJsonDocument(text: string, locateValues: JsonLocator = locateJson): JsonReadResult {
  const lines = new LineIndex(text);
  let value: unknown;
  const problems: PayloadProblem[] = [];
  try {
    value = JSON.parse(text);
  } catch {
    // jsonc-parser recurses once per level: refuse what would overflow it before it runs.
    const deep = firstTooDeep(text);
    if (deep !== undefined) return { problems: [tooDeep(lines, deep)] };
    const errors: ParseError[] = [];
    value = parseTolerantly(text, errors, { allowTrailingComma: false, disallowComments: false, allowEmptyContent: true });
    const syntax = syntaxProblems(text, lines, errors);
    problems.push(...syntax.problems);
    if (syntax.fatal) return { problems };
  }
  const locations = locateValues(text);
  // The schema validator recurses once per level too; strict JSON is measured by the location scan it needs anyway.
  if (locations.tooDeepAt !== undefined) return { problems: [tooDeep(lines, locations.tooDeepAt)] };
  for (const duplicate of locations.duplicateKeys) {
    const key = text.slice(duplicate.keyStart, duplicate.keyEnd);
    problems.push(
      problemAt(lines, { start: duplicate.keyStart, end: duplicate.keyEnd }, {
        severity: 'error',
        code: 'json-duplicate-key',
        origin: 'syntax',
        message: l10n.t('Duplicate key {0}: it replaces the one on line {1}. Keep only one.', key, lines.positionAt(duplicate.firstKeyStart).line),
      }),
    );
  }
  return { document: new JsonSourceDocument(text, lines, value, locations), problems };
}

function tooDeep(lines: LineIndex, at: number): PayloadProblem {
  return problemAt(lines, { start: at, end: at + 1 }, {
    severity: 'error',
    code: 'json-too-deep',
    origin: 'syntax',
    message: l10n.t('The JSON nests more than {0} levels deep here; a device payload needs five at most. Check that this is the file with the devices.', MAX_NESTING_DEPTH),
  });
}
