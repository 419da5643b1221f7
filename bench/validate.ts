/**
 * `npm run bench:validate`: validation of 5,000 devices with real-size (~4 KB) hashes, as JSON and as CSV, against
 * plain `JSON.parse` of the JSON file's bytes measured in the same run. Time is the median of several warm runs with a
 * garbage collection before each; memory is the peak resident-set growth of a fresh process that reads the file and
 * validates it, divided by the file's size.
 *
 * The JSON payload is also validated with jsonc-parser's `parseTree` as its location step instead of the payload
 * layer's own scanner (bench/parseTreeLocations.ts), and the two location steps are timed on their own: the scanner
 * is kept only while `parseTree` misses the budget. Both give the same result on this file (checked before timing).
 *
 * With `--json`, the table goes to stderr and stdout carries one JSON document of the figures (for `npm run budgets`).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parseTree } from 'jsonc-parser';
import { hardwareHash } from '../test/unit/payload/fixtures';
import { devicesToJsonPayload, devicesToPortalCsv, parsePayload, readPayloadFile, type DeviceToImport, type ParsedPayload } from '../src/payload/api';
import { locateJson } from '../src/payload/jsonLocations';
import { decodeBytes, validateText } from '../src/payload/validatePayload';
import { locateWithParseTree } from './parseTreeLocations';

const DEVICES = 5000;
const RUNS = 9;

/** Whole validations, and (`locate-…`) the JSON location step alone on the decoded text. */
type Scenario = 'baseline' | 'json' | 'json-parseTree' | 'csv' | 'locate-scanner' | 'locate-parseTree' | 'parseTree-alone';

const collect = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function devices(): DeviceToImport[] {
  return Array.from({ length: DEVICES }, (_, index) => ({
    serialNumber: `PF${String(100000 + index)}`,
    // 2,950–3,049 bytes: about 4 KB of Base64, with all three padding lengths.
    hardwareIdentifier: hardwareHash(index + 1, 2950 + (index % 100)),
    ...(index % 3 === 0 ? { groupTag: 'Sales' } : {}),
    ...(index % 7 === 0 ? { assignedUserPrincipalName: `user${index}@contoso.com` } : {}),
  }));
}

function writeFiles(folder: string): { json: string; csv: string } {
  const all = devices();
  const json = path.join(folder, 'devices.autopilot.json');
  const csv = path.join(folder, 'devices.csv');
  fs.writeFileSync(json, devicesToJsonPayload(all));
  // The portal export splits at 500 rows; the benchmark wants one CSV, as Get-WindowsAutopilotInfo can write.
  fs.writeFileSync(csv, devicesToPortalCsv(all, DEVICES).files[0]!.bytes);
  return { json, csv };
}

/** The product's path (`parsePayload`: decode, then validate), with jsonc-parser's `parseTree` finding the locations. */
function validateWithParseTree(data: Uint8Array, file: string): ParsedPayload {
  const decoded = decodeBytes(data, file);
  return 'problems' in decoded ? decoded : validateText(decoded.text, file, decoded.encoding, decoded.earlier, undefined, locateWithParseTree);
}

function devicesIn(payload: ParsedPayload, file: string): number {
  if (payload.problems.length > 0) throw new Error(`${file}: ${payload.problems.length} problems, first ${payload.problems[0]!.code}`);
  return payload.devices.length;
}

/** Runs a scenario once; returns how many devices it read (the location steps: how many they located). */
function run(scenario: Scenario, data: Buffer, file: string, text: string): number {
  switch (scenario) {
    case 'baseline':
      return (JSON.parse(data.toString('utf8')) as { importedWindowsAutopilotDeviceIdentities: unknown[] }).importedWindowsAutopilotDeviceIdentities.length;
    case 'json':
    case 'csv':
      return devicesIn(parsePayload(data, file), file);
    case 'json-parseTree':
      return devicesIn(validateWithParseTree(data, file), file);
    case 'locate-scanner':
    case 'locate-parseTree': {
      const list = (scenario === 'locate-scanner' ? locateJson : locateWithParseTree)(text).root?.children;
      const items = list instanceof Map ? list.get('importedWindowsAutopilotDeviceIdentities')?.children : undefined;
      return Array.isArray(items) ? items.length : 0;
    }
    case 'parseTree-alone':
      return parseTree(text)?.children?.[0]?.children?.[1]?.children?.length ?? 0;
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Child-process mode: read one file the way a user of each approach would (`readFileSync` + `JSON.parse`, or the
 * payload layer's `readPayloadFile`), and report the time and the peak memory growth as JSON.
 */
async function measureOnce(scenario: Scenario, file: string): Promise<void> {
  collect();
  const before = process.memoryUsage().rss;
  const started = process.hrtime.bigint();
  const count =
    scenario === 'baseline'
      ? (JSON.parse(fs.readFileSync(file, 'utf8')) as { importedWindowsAutopilotDeviceIdentities: unknown[] }).importedWindowsAutopilotDeviceIdentities.length
      : scenario === 'json-parseTree'
        ? // As `readPayloadFile` does it: decode inside the callback, so that the bytes can go before the text is parsed.
          (await fs.promises.readFile(file).then((bytes) => validateWithParseTree(bytes, file))).devices.length
        : (await readPayloadFile(file)).devices.length;
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  const peak = process.resourceUsage().maxRSS * 1024;
  if (count !== DEVICES) throw new Error(`${scenario} read ${count} devices`);
  process.stdout.write(JSON.stringify({ elapsedMs, growth: peak - before, size: fs.statSync(file).size }));
}

const CHILD_RUNS = 5;

/** The median time and memory growth of several fresh processes. */
function measureInChild(scenario: Scenario, file: string): { elapsedMs: number; growth: number; size: number } {
  const runs = Array.from({ length: CHILD_RUNS }, () => {
    const child = spawnSync(process.execPath, ['--expose-gc', __filename, '--once', scenario, file], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`child ${scenario} failed: ${child.stderr}`);
    return JSON.parse(child.stdout) as { elapsedMs: number; growth: number; size: number };
  });
  return {
    elapsedMs: median(runs.map((run) => run.elapsedMs)),
    growth: median(runs.map((run) => run.growth)),
    size: runs[0]!.size,
  };
}

interface Figures {
  readonly timeRatio: number;
  readonly memoryRatio: number;
  readonly msPerMb: number;
}

function main(): void {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-bench-'));
  try {
    const files = writeFiles(folder);
    const data = { json: fs.readFileSync(files.json), csv: fs.readFileSync(files.csv) };
    const jsonText = data.json.toString('utf8');
    // The comparison is fair only if both location steps lead to the same result, problems and positions included.
    if (!isDeepStrictEqual(validateWithParseTree(data.json, files.json), parsePayload(data.json, files.json))) {
      throw new Error('validation with parseTree locations differs from validation with the scanner');
    }
    const scenarios: [Scenario, Buffer, string][] = [
      ['baseline', data.json, files.json],
      ['json', data.json, files.json],
      ['json-parseTree', data.json, files.json],
      ['csv', data.csv, files.csv],
      ['locate-scanner', data.json, files.json],
      ['locate-parseTree', data.json, files.json],
      ['parseTree-alone', data.json, files.json],
    ];
    const times = Object.fromEntries(scenarios.map(([scenario]) => [scenario, [] as number[]])) as Record<Scenario, number[]>;
    for (const [scenario, bytesOf, file] of scenarios) run(scenario, bytesOf, file, jsonText); // warm up: modules, schema compile, JIT
    for (let round = 0; round < RUNS; round += 1) {
      for (const [scenario, bytesOf, file] of scenarios) {
        collect();
        const started = process.hrtime.bigint();
        const count = run(scenario, bytesOf, file, jsonText);
        times[scenario].push(Number(process.hrtime.bigint() - started) / 1e6);
        if (count !== DEVICES) throw new Error(`${scenario} read ${count} devices`);
      }
    }
    const memory = {
      baseline: measureInChild('baseline', files.json),
      json: measureInChild('json', files.json),
      'json-parseTree': measureInChild('json-parseTree', files.json),
      csv: measureInChild('csv', files.csv),
    };
    const mb = (size: number) => size / (1024 * 1024);
    const baseline = median(times.baseline);
    const lines = [
      `Validate ${DEVICES} devices (~4 KB hashes): JSON ${mb(data.json.length).toFixed(1)} MB, CSV ${mb(data.csv.length).toFixed(1)} MB; ${os.cpus().length} cores, Node ${process.version}; median of ${RUNS} warm runs; fresh-process figures are the median of ${CHILD_RUNS} processes.`,
      '',
      '| what | median ms | ms per MB | × JSON.parse | read + first run in a fresh process, ms | peak memory ÷ file size |',
      '|---|---|---|---|---|---|',
    ];
    const rows: [Scenario, string, number][] = [
      ['baseline', 'baseline: JSON.parse(bytes.toString()) of the JSON file', data.json.length],
      ['json', 'validate the JSON payload (locations: our scanner)', data.json.length],
      ['json-parseTree', "validate the JSON payload, locations from jsonc-parser's parseTree", data.json.length],
      ['csv', 'validate the CSV', data.csv.length],
      ['locate-scanner', 'location step alone: our scanner', data.json.length],
      ['locate-parseTree', 'location step alone: parseTree (with the depth check it needs first)', data.json.length],
      ['parseTree-alone', 'parseTree by itself (no depth check, no conversion)', data.json.length],
    ];
    for (const [scenario, label, size] of rows) {
      const time = median(times[scenario]);
      const fresh = scenario in memory ? memory[scenario as keyof typeof memory] : undefined;
      lines.push(
        `| ${label} | ${time.toFixed(1)} | ${(time / mb(size)).toFixed(2)} | ${(time / baseline).toFixed(2)}× | ${fresh ? fresh.elapsedMs.toFixed(0) : '–'} | ${fresh ? `${(fresh.growth / fresh.size).toFixed(2)}×` : '–'} |`,
      );
    }
    const json = process.argv.includes('--json');
    (json ? process.stderr : process.stdout).write(`${lines.join('\n')}\n`);
    if (json) {
      const figures = (scenario: keyof typeof memory, size: number): Figures => ({
        timeRatio: median(times[scenario]) / baseline,
        memoryRatio: memory[scenario].growth / memory[scenario].size,
        msPerMb: median(times[scenario]) / mb(size),
      });
      const stepRatio = (scenario: Scenario) => median(times[scenario]) / baseline;
      process.stdout.write(
        `${JSON.stringify({
          devices: DEVICES,
          runs: RUNS,
          cores: os.cpus().length,
          baselineMs: baseline,
          json: figures('json', data.json.length),
          jsonParseTree: figures('json-parseTree', data.json.length),
          csv: figures('csv', data.csv.length),
          locationStep: { scannerRatio: stepRatio('locate-scanner'), parseTreeRatio: stepRatio('locate-parseTree'), parseTreeAloneRatio: stepRatio('parseTree-alone') },
        })}\n`,
      );
    }
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--once') {
  measureOnce(process.argv[3] as Scenario, process.argv[4]!).catch((error: unknown) => {
    process.stderr.write(String(error));
    process.exitCode = 1;
  });
} else {
  main();
}
