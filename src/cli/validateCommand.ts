/**
 * `autopilot-devices validate <file>... [--json | --format text|json|github|sarif]` — exit 1 exactly when some file
 * has an error. Only the report goes to stdout; with `github` and `sarif` a one-line summary goes to stderr.
 */
import { counted } from '../common/counts';
import { deviceCount, hasErrors, readPayloadFile, type ParsedPayload } from '../payload/api';
import { githubAnnotations, sarifLog, type ValidateFormat, type ValidatedFile } from './validateFormats';

export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

export interface ValidateOptions {
  readonly format: ValidateFormat;
  /** Where relative paths in annotations and SARIF are rooted (the workflow's checkout). */
  readonly cwd?: string;
  /** The tool version SARIF names. */
  readonly version?: string;
}

function summary(payload: ParsedPayload): string {
  const errors = payload.problems.filter((problem) => problem.severity === 'error').length;
  const warnings = payload.problems.length - errors;
  return [counted.devices(deviceCount(payload)), counted.errors(errors), counted.warnings(warnings)].join(', ');
}

function jsonDocument(results: readonly ValidatedFile[]): unknown {
  return {
    files: results.map(({ path, payload }) => ({
      path,
      format: payload.format,
      encoding: payload.encoding,
      devices: deviceCount(payload),
      problems: payload.problems.map(({ severity, code, message, line, column }) => ({ severity, code, message, line, column })),
    })),
  };
}

export async function validateCommand(files: readonly string[], options: ValidateOptions, out: CliOutput): Promise<number> {
  const results: ValidatedFile[] = [];
  for (const path of files) {
    results.push({ path, payload: await readPayloadFile(path) });
  }
  const cwd = options.cwd ?? process.cwd();
  switch (options.format) {
    case 'json':
      out.stdout(`${JSON.stringify(jsonDocument(results))}\n`);
      break;
    case 'github':
      out.stdout(githubAnnotations(results, cwd));
      for (const { path, payload } of results) out.stderr(`${path}: ${summary(payload)}\n`);
      break;
    case 'sarif':
      out.stdout(`${JSON.stringify(sarifLog(results, cwd, options.version ?? '0.0.0'), null, 2)}\n`);
      for (const { path, payload } of results) out.stderr(`${path}: ${summary(payload)}\n`);
      break;
    case 'text':
      for (const { path, payload } of results) {
        for (const p of payload.problems) out.stdout(`${path}:${p.line}:${p.column}: ${p.severity} ${p.code}: ${p.message}\n`);
        out.stdout(`${path}: ${summary(payload)} (${payload.format}, ${payload.encoding})\n`);
      }
      break;
  }
  return results.some(({ payload }) => hasErrors(payload)) ? 1 : 0;
}
