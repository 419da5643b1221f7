/**
 * Validation against the bundled schema — the same file VS Code's JSON language features use for `*.autopilot.json` —
 * compiled once with Ajv. Nothing here restates a rule: problem codes, severities, messages and rename targets come
 * from the schema's own keywords (`errorMessage`, `patternErrorMessage`, `deprecationMessage`, `x-autopilot`).
 */
import * as l10n from '@vscode/l10n';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../../schemas/autopilot-import.schema.json';
import type { PayloadFix, PayloadProblem } from './types';
import { escapePointerToken, unescapePointerToken } from './jsonLocations';
import { editAt, problemAt, type SourceDocument, type TextSpan } from './sourceDocument';

interface Annotation {
  readonly code?: string;
  readonly severity?: 'error' | 'warning';
  readonly renameTo?: string;
}

type SchemaNode = Record<string, unknown>;

interface CompiledSchema {
  readonly validate: ValidateFunction;
  /** Effective `x-autopilot` of every schema object: severity is inherited down the schema tree, code and rename are not. */
  readonly annotations: WeakMap<object, Annotation>;
}

/** Editor-only keywords of VS Code's JSON schema dialect: descriptions for people, ignored by validation. */
export const EDITOR_KEYWORDS = [
  'markdownDescription',
  'markdownEnumDescriptions',
  'enumDescriptions',
  'defaultSnippets',
  'errorMessage',
  'patternErrorMessage',
  'doNotSuggest',
  'allowComments',
  'allowTrailingCommas',
  'x-autopilot',
];

/** Keywords that only summarise the errors of their subschemas, which are reported themselves. */
const SUMMARY_KEYWORDS = new Set(['if', 'then', 'else', 'allOf', 'anyOf', 'oneOf', '$ref']);

/** Problem codes by failing keyword, for schema nodes whose `x-autopilot` names none. */
export const SCHEMA_KEYWORD_CODES: Readonly<Record<string, string>> = {
  required: 'missing-property',
  additionalProperties: 'unknown-property',
  type: 'wrong-type',
  enum: 'unknown-value',
  minLength: 'empty-value',
  deprecationMessage: 'deprecated-property',
};

function collectAnnotations(node: unknown, inherited: Annotation, into: WeakMap<object, Annotation>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectAnnotations(item, inherited, into);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const own = ((node as SchemaNode)['x-autopilot'] ?? {}) as Annotation;
  const effective: Annotation = { ...(inherited.severity ? { severity: inherited.severity } : {}), ...own };
  into.set(node, effective);
  for (const [key, child] of Object.entries(node)) {
    if (key === 'x-autopilot' || key === 'defaultSnippets' || key === 'enum' || key === 'examples') continue;
    collectAnnotations(child, effective, into);
  }
}

/**
 * Compiles one of the bundled schema's definitions (`importPayload`, `deviceUpdate`) as every check of it does. The
 * schema's root tells update files from payloads for the editor's JSON features; the checks never use the root, so an
 * import can never pass as an update.
 */
export function compileDefinition(name: string): ValidateFunction {
  // `unicode: false` lets minLength count UTF-16 units: it only ever rejects empty strings, and counting code points
  // would walk every character of every 4 KB hash. (Ajv logs that option as deprecated, hence no logger.) The root's
  // test for a hash (`required` of keys it does not describe) is why `strictRequired` is off.
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true, unicode: false, logger: false });
  ajv.addVocabulary(EDITOR_KEYWORDS);
  // VS Code shows `deprecationMessage` whenever the property is present; do the same by letting it always fail.
  ajv.addKeyword({ keyword: 'deprecationMessage', schemaType: 'string', validate: () => false });
  ajv.addSchema(schema);
  return ajv.compile({ $ref: `${schema.$id}#/definitions/${name}` });
}

let compiled: CompiledSchema | undefined;

function compiledSchema(): CompiledSchema {
  if (!compiled) {
    const annotations = new WeakMap<object, Annotation>();
    collectAnnotations(schema, {}, annotations);
    compiled = { validate: compileDefinition('importPayload'), annotations };
  }
  return compiled;
}

/** The schema's property names for a device, which suggestions for unknown keys are drawn from. */
function suggestableNames(parentSchema: SchemaNode): string[] {
  const properties = (parentSchema.properties ?? {}) as Record<string, SchemaNode>;
  return Object.keys(properties).filter((name) => !properties[name]?.doNotSuggest && !properties[name]?.deprecationMessage && !name.startsWith('$'));
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** The known name an unknown key most likely means (same letters in another case, or a small typo). */
export function closestName(unknown: string, names: readonly string[]): string | undefined {
  const simplify = (name: string) => name.toLowerCase().replace(/[\s_.-]+/g, '');
  const wanted = simplify(unknown);
  let best: { name: string; distance: number } | undefined;
  for (const name of names) {
    const distance = editDistance(wanted, simplify(name));
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= Math.max(1, Math.floor(wanted.length / 4)) ? best.name : undefined;
}

function lastToken(pointer: string): string {
  return unescapePointerToken(pointer.slice(pointer.lastIndexOf('/') + 1));
}

function renameFix(document: SourceDocument, pointer: string, from: string, to: string, siblings: unknown): PayloadFix | undefined {
  if (document.format !== 'json') return undefined;
  if (siblings && typeof siblings === 'object' && to in siblings) return undefined; // renaming would duplicate a key
  const key = document.keySpan(pointer);
  return {
    title: l10n.t('Rename "{0}" to "{1}"', from, to),
    edits: [editAt(document.lines, { start: key.start + 1, end: key.end - 1 }, to)],
  };
}

function pointAtObject(document: SourceDocument, pointer: string): TextSpan {
  const key = document.keySpan(pointer);
  const value = document.valueSpan(pointer);
  // An object under a key is marked at its key; a list item at its opening brace.
  return key.start !== value.start ? key : { start: value.start, end: Math.min(value.end, value.start + 1) };
}

function describeProblem(error: ErrorObject, document: SourceDocument, annotation: Annotation): Omit<PayloadProblem, 'line' | 'column'> & { span: TextSpan } {
  const parent = (error.parentSchema ?? {}) as SchemaNode;
  const custom = typeof parent.errorMessage === 'string' ? parent.errorMessage : undefined;
  const code = annotation.code ?? SCHEMA_KEYWORD_CODES[error.keyword] ?? `schema-${error.keyword}`;
  const severity = annotation.severity ?? (error.keyword === 'deprecationMessage' ? 'warning' : 'error');
  const pointer = error.instancePath;
  const name = lastToken(pointer);
  switch (error.keyword) {
    case 'required': {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      return {
        severity,
        code,
        span: pointAtObject(document, pointer),
        message: l10n.t('Missing "{0}": add it (every device needs a serialNumber and a hardwareIdentifier).', missing),
      };
    }
    case 'additionalProperties': {
      const unknown = String((error.params as { additionalProperty: string }).additionalProperty);
      const propertyPointer = `${pointer}/${escapePointerToken(unknown)}`;
      const suggestion = closestName(unknown, suggestableNames(parent));
      const fix = suggestion ? renameFix(document, propertyPointer, unknown, suggestion, error.data) : undefined;
      return {
        severity,
        code,
        span: document.keySpan(propertyPointer),
        message: suggestion
          ? l10n.t('Unknown property "{0}": did you mean "{1}"?', unknown, suggestion)
          : l10n.t('Unknown property "{0}": Graph would refuse it. Use one of: {1}.', unknown, suggestableNames(parent).join(', ')),
        ...(fix ? { fix } : {}),
      };
    }
    case 'not':
    case 'deprecationMessage': {
      const message = error.keyword === 'not' ? custom : (parent.deprecationMessage as string);
      const fix = annotation.renameTo ? renameFix(document, pointer, name, annotation.renameTo, parentRecord(document, pointer)) : undefined;
      return {
        severity,
        code,
        span: document.keySpan(pointer),
        message: message ?? l10n.t('"{0}" is not allowed here: remove it.', name),
        ...(fix ? { fix } : {}),
      };
    }
    case 'pattern':
      return { severity, code, span: document.valueSpan(pointer), message: (parent.patternErrorMessage as string | undefined) ?? custom ?? l10n.t('"{0}" has the wrong format.', name) };
    case 'minItems':
      return { severity, code, span: document.keySpan(pointer), message: custom ?? l10n.t('The list has no devices: add at least one.') };
    case 'enum': {
      const allowed = ((error.params as { allowedValues?: unknown[] }).allowedValues ?? []).map((value) => JSON.stringify(value)).join(', ');
      return { severity, code, span: document.valueSpan(pointer), message: custom ?? l10n.t('{0} is not one of the values "{1}" takes: {2}.', JSON.stringify(error.data), name, allowed) };
    }
    case 'type': {
      const expected = String((error.params as { type: string }).type);
      return { severity, code, span: document.valueSpan(pointer), message: custom ?? l10n.t('"{0}" must be of type {1}.', name, expected) };
    }
    default:
      return { severity, code, span: document.valueSpan(pointer), message: custom ?? l10n.t('"{0}" {1}.', name, error.message ?? error.keyword) };
  }
}

/** The object that holds the property at `pointer`, read from the document's records. */
function parentRecord(document: SourceDocument, pointer: string): unknown {
  const tokens = pointer.split('/').slice(1, -1).map(unescapePointerToken);
  let node: unknown = document.schemaInput;
  for (const token of tokens) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[token];
  }
  return node;
}

export function schemaProblems(document: SourceDocument): PayloadProblem[] {
  const { validate, annotations } = compiledSchema();
  if (validate(document.schemaInput)) return [];
  const errors = (validate.errors ?? []).filter((error) => !SUMMARY_KEYWORDS.has(error.keyword));
  // One cause, one problem: a value of the wrong type fails every branch that expects a type, and a CSV-style key
  // ("Device Serial Number") is also why its Graph name is missing.
  const wrongType = new Set<string>();
  const renamedHere = new Set<string>();
  for (const error of errors) {
    const renameTo = annotations.get(error.parentSchema as object)?.renameTo;
    if (renameTo) renamedHere.add(`${error.instancePath.slice(0, error.instancePath.lastIndexOf('/'))}/${renameTo}`);
  }
  const problems: PayloadProblem[] = [];
  for (const error of errors) {
    if (error.keyword === 'type') {
      if (wrongType.has(error.instancePath)) continue;
      wrongType.add(error.instancePath);
    }
    if (error.keyword === 'required') {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      if (renamedHere.has(`${error.instancePath}/${escapePointerToken(missing)}`)) continue;
    }
    const annotation = annotations.get(error.parentSchema as object) ?? {};
    const { span, message, ...details } = describeProblem(error, document, annotation);
    const label = document.fieldLabel(error.instancePath);
    problems.push(problemAt(document.lines, span, { ...details, message: label ? `${label}: ${message}` : message, origin: 'schema' }));
  }
  return problems;
}
