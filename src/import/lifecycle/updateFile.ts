/**
 * Update files (SPEC 6.2): a CSV with a `Serial Number` column and any of `Group Tag`, `Display Name`, `Assigned
 * User`, or JSON `[{"serialNumber","groupTag","displayName","userPrincipalName"}]`. An absent column or an empty cell
 * leaves the device's value as it is. Each row is checked against the bundled schema's `deviceUpdate` definition (the
 * display-name rule lives there, with the import rules), and every problem names its line.
 */
import * as fs from 'node:fs/promises';
import type { ErrorObject, ValidateFunction } from 'ajv';
import * as l10n from '@vscode/l10n';
import { parse as parseCsv } from 'papaparse';
import { parseTree, findNodeAtLocation, type Node } from 'jsonc-parser';
import { compileDefinition } from '../../payload/schemaRules';
import { decodePayloadBytes, isDecodeFailure } from '../../payload/textDecoding';
import { serialKey } from '../../graph/serialFilter';
import { columnField } from './updateShape';

export { UPDATABLE_FIELDS, listsSerials, looksLikeUpdateFile, type UpdatableField } from './updateShape';

export interface DeviceUpdate {
  readonly serialNumber: string;
  readonly groupTag?: string;
  readonly displayName?: string;
  readonly userPrincipalName?: string;
  /** 1-based line of the row (CSV) or of the object (JSON). */
  readonly line: number;
}

export interface UpdateProblem {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly message: string;
  readonly line: number;
  /** A rule of the bundled schema, or JSON syntax: what VS Code's JSON features also check in `*.autopilot.json`. */
  readonly origin?: 'schema' | 'syntax';
}

export interface UpdateFile {
  readonly path: string;
  readonly updates: DeviceUpdate[];
  readonly problems: UpdateProblem[];
}

let validateUpdate: ValidateFunction | undefined;

/** The schema's `deviceUpdate` rule, compiled once, as the import rules are. */
function updateValidator(): ValidateFunction {
  validateUpdate ??= compileDefinition('deviceUpdate');
  return validateUpdate;
}

function problemOf(error: ErrorObject, line: number): UpdateProblem {
  const node = (error.parentSchema ?? {}) as Record<string, unknown>;
  const annotation = (node['x-autopilot'] ?? {}) as { code?: string; severity?: 'error' | 'warning' };
  const field = error.instancePath.replace(/^\//, '') || String((error.params as { missingProperty?: string }).missingProperty ?? '');
  const message =
    (error.keyword === 'pattern' && typeof node.patternErrorMessage === 'string' ? node.patternErrorMessage : undefined) ??
    (typeof node.errorMessage === 'string' ? node.errorMessage : undefined) ??
    (error.keyword === 'additionalProperties'
      ? l10n.t('Unknown property "{0}": an update may set groupTag, displayName and userPrincipalName.', String((error.params as { additionalProperty?: string }).additionalProperty))
      : `${field} ${error.message ?? ''}`.trim());
  const code = annotation.code ?? (error.keyword === 'required' ? 'missing-property' : error.keyword === 'additionalProperties' ? 'unknown-property' : 'invalid-value');
  return { severity: annotation.severity ?? 'error', code, message, line, origin: 'schema' };
}

/** Checks rows against the schema and for repeated serials; empty strings were already dropped ("leave as is"). */
function check(rows: readonly DeviceUpdate[], problems: UpdateProblem[]): void {
  const validate = updateValidator();
  const seen = new Map<string, number>();
  for (const row of rows) {
    const { line, ...properties } = row;
    if (!validate(properties)) for (const error of validate.errors ?? []) if (error.keyword !== '$ref') problems.push(problemOf(error, line));
    const key = serialKey(row.serialNumber);
    const first = seen.get(key);
    if (key && first !== undefined) problems.push({ severity: 'warning', code: 'duplicate-serial', message: l10n.t('Serial number {0} was already on line {1}; only the first is applied.', row.serialNumber, first), line });
    else if (key) seen.set(key, line);
  }
}

function present(value: unknown): string | undefined {
  if (typeof value !== 'string') return value === undefined || value === null ? undefined : String(value);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function readCsv(text: string, problems: UpdateProblem[]): DeviceUpdate[] {
  const parsed = parseCsv<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: false });
  const [header, ...rows] = parsed.data;
  if (!header) {
    problems.push({ severity: 'error', code: 'empty-file', message: l10n.t('The file is empty.'), line: 1 });
    return [];
  }
  const fields = header.map((cell) => columnField(cell.trim()));
  if (!fields.includes('serialNumber')) {
    problems.push({ severity: 'error', code: 'missing-column', message: l10n.t('The header needs a "Serial Number" column, plus any of "Group Tag", "Display Name", "Assigned User".'), line: 1 });
    return [];
  }
  const updates: DeviceUpdate[] = [];
  rows.forEach((cells, index) => {
    const line = index + 2;
    if (cells.every((cell) => !cell.trim())) return;
    const update: Record<string, unknown> = { line };
    fields.forEach((field, column) => {
      const value = present(cells[column]);
      if (field && value !== undefined) update[field] = value;
    });
    if (update.serialNumber === undefined) problems.push({ severity: 'error', code: 'missing-property', message: l10n.t('This row has no serial number.'), line });
    else updates.push(update as unknown as DeviceUpdate);
  });
  if (!updates.length && !problems.length) problems.push({ severity: 'error', code: 'empty-file', message: l10n.t('The file has a header but no devices.'), line: 1 });
  return updates;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let at = text.indexOf('\n'); at >= 0 && at < offset; at = text.indexOf('\n', at + 1)) line++;
  return line;
}

function readJson(text: string, problems: UpdateProblem[]): DeviceUpdate[] {
  const errors: { error: number; offset: number }[] = [];
  const tree: Node | undefined = parseTree(text, errors as never, { allowTrailingComma: true });
  if (!tree || errors.length) {
    problems.push({ severity: 'error', code: 'invalid-json', message: l10n.t('The file is not valid JSON.'), line: errors[0] ? lineOf(text, errors[0].offset) : 1, origin: 'syntax' });
    return [];
  }
  const list = tree.type === 'array' ? tree : findNodeAtLocation(tree, ['devices']);
  if (!list || list.type !== 'array') {
    problems.push({ severity: 'error', code: 'wrong-type', message: l10n.t('An update file holds an array of devices: [{"serialNumber", "groupTag", "displayName", "userPrincipalName"}].'), line: 1 });
    return [];
  }
  const updates: DeviceUpdate[] = [];
  for (const item of list.children ?? []) {
    const line = lineOf(text, item.offset);
    if (item.type !== 'object') {
      problems.push({ severity: 'error', code: 'wrong-type', message: l10n.t('Each device is an object with serialNumber and the properties to change.'), line });
      continue;
    }
    const update: Record<string, unknown> = { line };
    for (const property of item.children ?? []) {
      const [key, value] = property.children ?? [];
      if (!key || typeof key.value !== 'string') continue;
      const text = value?.type === 'string' ? present(value.value) : value?.value;
      if (text !== undefined) update[key.value] = text;
    }
    if (update.serialNumber === undefined) problems.push({ severity: 'error', code: 'missing-property', message: l10n.t('This device has no serialNumber.'), line });
    else updates.push(update as unknown as DeviceUpdate);
  }
  return updates;
}

/** Reads an update file's text: CSV unless it looks like JSON (by name or first character). */
export function parseUpdateText(text: string, path: string): UpdateFile {
  const problems: UpdateProblem[] = [];
  const json = /\.json$/i.test(path) || /^\s*[[{]/.test(text);
  const updates = json ? readJson(text, problems) : readCsv(text, problems);
  check(updates, problems);
  return { path, updates, problems };
}

/** Reads and checks an update file (UTF-8 with or without BOM, UTF-16, or Windows-1252, as payloads may be). */
export async function readUpdateFile(path: string): Promise<UpdateFile> {
  const decoded = decodePayloadBytes(await fs.readFile(path));
  if (isDecodeFailure(decoded)) {
    return { path, updates: [], problems: [{ severity: 'error', code: 'encoding', message: l10n.t('The file is not text this tool can read ({0}).', decoded.kind), line: 1 }] };
  }
  return parseUpdateText(decoded.text, path);
}
