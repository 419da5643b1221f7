/** `autopilot-devices validate <file>... [--json]` — exit 1 exactly when some file has an error. */
import { counted } from '../common/counts';
import { hasErrors, readPayloadFile, type ParsedPayload } from '../payload/api';

export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

function summary(payload: ParsedPayload): string {
  const errors = payload.problems.filter((problem) => problem.severity === 'error').length;
  const warnings = payload.problems.length - errors;
  return [counted.devices(payload.devices.length), counted.errors(errors), counted.warnings(warnings)].join(', ');
}

export async function validateCommand(files: readonly string[], options: { json: boolean }, out: CliOutput): Promise<number> {
  const results: { path: string; payload: ParsedPayload }[] = [];
  for (const path of files) {
    results.push({ path, payload: await readPayloadFile(path) });
  }
  if (options.json) {
    const document = {
      files: results.map(({ path, payload }) => ({
        path,
        format: payload.format,
        encoding: payload.encoding,
        devices: payload.devices.length,
        problems: payload.problems.map(({ severity, code, message, line, column }) => ({ severity, code, message, line, column })),
      })),
    };
    out.stdout(`${JSON.stringify(document)}\n`);
  } else {
    for (const { path, payload } of results) {
      for (const p of payload.problems) out.stdout(`${path}:${p.line}:${p.column}: ${p.severity} ${p.code}: ${p.message}\n`);
      out.stdout(`${path}: ${summary(payload)} (${payload.format}, ${payload.encoding})\n`);
    }
  }
  return results.some(({ payload }) => hasErrors(payload)) ? 1 : 0;
}
