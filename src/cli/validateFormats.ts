/**
 * `validate --format github|sarif` (SPEC section 6.4): the same problems as `--json`, shaped for where reviewers look.
 *
 * - `github`: one workflow command per problem (`::error file=…,line=…,col=…,title=<code>::<message>`, `::warning …`
 *   for warnings), so GitHub Actions pins each problem to its line in the pull request's diff. Workflow commands have
 *   their own escaping: in the message `%`, CR and LF become `%25`, `%0D`, `%0A`; in a property value `:` and `,`
 *   also become `%3A` and `%2C` (they separate properties).
 * - `sarif`: one SARIF 2.1.0 log for code-scanning tools (GitHub code scanning, Azure DevOps, IDE viewers), with one
 *   rule per problem code and file locations relative to the working directory.
 */
import * as path from 'node:path';
import type * as Sarif from 'sarif';
import type { ParsedPayload, PayloadProblem } from '../payload/api';

export type ValidateFormat = 'text' | 'json' | 'github' | 'sarif';
export const VALIDATE_FORMATS: readonly ValidateFormat[] = ['text', 'json', 'github', 'sarif'];

export interface ValidatedFile {
  /** The path as given on the command line. */
  readonly path: string;
  readonly payload: ParsedPayload;
}

/** Escapes the message part of a workflow command (after `::`). */
export function escapeCommandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a property value of a workflow command (`file=…`, `title=…`). */
export function escapeCommandProperty(text: string): string {
  return escapeCommandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * A path as annotations and SARIF want it: relative to the working directory (a workflow's checkout) when the file
 * lies inside it, with forward slashes on every OS.
 */
export function reportedPath(file: string, cwd: string): string {
  const absolute = path.resolve(cwd, file);
  const relative = path.relative(cwd, absolute);
  const inside = relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
  return (inside ? relative : absolute).split(path.sep).join('/');
}

function annotation(file: string, problem: PayloadProblem): string {
  const properties = [
    `file=${escapeCommandProperty(file)}`,
    `line=${problem.line}`,
    `col=${problem.column}`,
    `title=${escapeCommandProperty(problem.code)}`,
  ].join(',');
  return `::${problem.severity} ${properties}::${escapeCommandData(problem.message)}\n`;
}

/** Every problem of every file as a workflow annotation, one per line. */
export function githubAnnotations(files: readonly ValidatedFile[], cwd: string): string {
  return files.flatMap(({ path: file, payload }) => payload.problems.map((problem) => annotation(reportedPath(file, cwd), problem))).join('');
}

const README_PROBLEMS = 'https://github.com/autopilot-devices/vscode-autopilot-devices#write-and-check-device-payloads';

function fileUri(absolute: string): string {
  return `file://${absolute.startsWith('/') ? '' : '/'}${encodeURI(absolute)}`;
}

/** A SARIF 2.1.0 log of the problems; `%SRCROOT%` is the working directory. */
export function sarifLog(files: readonly ValidatedFile[], cwd: string, version: string): Sarif.Log {
  const rules: Sarif.ReportingDescriptor[] = [];
  const ruleIndex = new Map<string, number>();
  const ruleFor = (problem: PayloadProblem): number => {
    let index = ruleIndex.get(problem.code);
    if (index === undefined) {
      index = rules.length;
      ruleIndex.set(problem.code, index);
      rules.push({
        id: problem.code,
        name: problem.code.replace(/-(\w)/g, (_, letter: string) => letter.toUpperCase()),
        shortDescription: { text: `Autopilot payload problem: ${problem.code}` },
        helpUri: README_PROBLEMS,
        defaultConfiguration: { level: problem.severity },
      });
    }
    return index;
  };
  const artifacts: Sarif.Artifact[] = [];
  const results: Sarif.Result[] = [];
  files.forEach(({ path: file, payload }, artifactIndex) => {
    const uri = reportedPath(file, cwd);
    const relative = !path.isAbsolute(uri) && !/^[A-Za-z]:\//.test(uri);
    const where: Sarif.ArtifactLocation = relative ? { uri: encodeURI(uri), uriBaseId: '%SRCROOT%' } : { uri: fileUri(uri) };
    const location: Sarif.ArtifactLocation = { ...where, index: artifactIndex };
    artifacts.push({ location: where, encoding: payload.encoding, sourceLanguage: payload.format });
    for (const problem of payload.problems) {
      const region: Sarif.Region = { startLine: problem.line, startColumn: problem.column };
      if (problem.endLine !== undefined && problem.endColumn !== undefined && (problem.endLine > problem.line || problem.endColumn > problem.column)) {
        region.endLine = problem.endLine;
        region.endColumn = problem.endColumn;
      }
      results.push({
        ruleId: problem.code,
        ruleIndex: ruleFor(problem),
        level: problem.severity,
        message: { text: problem.message },
        locations: [{ physicalLocation: { artifactLocation: location, region } }],
      });
    }
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'autopilot-devices', version, informationUri: README_PROBLEMS.replace(/#.*$/, ''), rules } },
        originalUriBaseIds: { '%SRCROOT%': { uri: `${fileUri(cwd.split(path.sep).join('/'))}/` } },
        artifacts,
        results,
        // Columns count UTF-16 code units, as JavaScript strings (and VS Code) do.
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
}
