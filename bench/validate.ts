/**
 * `npm run bench:validate`: validation of 5,000 devices with real-size (~4 KB) hashes, as JSON and as CSV, against
 * plain `JSON.parse` of the JSON file's bytes measured in the same run. Time is the median of several warm runs with a
 * garbage collection before each; memory is the peak resident-set growth of a fresh process that reads the file and
 * validates it, divided by the file's size.
 *
 * With `--json`, the table goes to stderr and stdout carries one JSON document of the figures (for `npm run budgets`).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { hardwareHash } from '../test/unit/payload/fixtures';
import { devicesToJsonPayload, devicesToPortalCsv, parsePayload, readPayloadFile, type DeviceToImport } from '../src/payload/api';

const DEVICES = 5000;
const RUNS = 9;

type Scenario = 'baseline' | 'json' | 'csv';

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

function run(scenario: Scenario, data: Buffer, file: string): number {
  if (scenario === 'baseline') return (JSON.parse(data.toString('utf8')) as { importedWindowsAutopilotDeviceIdentities: unknown[] }).importedWindowsAutopilotDeviceIdentities.length;
  const payload = parsePayload(data, file);
  if (payload.problems.length > 0) throw new Error(`${file}: ${payload.problems.length} problems, first ${payload.problems[0]!.code}`);
  return payload.devices.length;
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

function main(): void {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-bench-'));
  try {
    const files = writeFiles(folder);
    const data = { json: fs.readFileSync(files.json), csv: fs.readFileSync(files.csv) };
    const times: Record<Scenario, number[]> = { baseline: [], json: [], csv: [] };
    const scenarios: [Scenario, Buffer, string][] = [
      ['baseline', data.json, files.json],
      ['json', data.json, files.json],
      ['csv', data.csv, files.csv],
    ];
    for (const [scenario, bytesOf, file] of scenarios) run(scenario, bytesOf, file); // warm up: modules, schema compile, JIT
    for (let round = 0; round < RUNS; round += 1) {
      for (const [scenario, bytesOf, file] of scenarios) {
        collect();
        const started = process.hrtime.bigint();
        const count = run(scenario, bytesOf, file);
        times[scenario].push(Number(process.hrtime.bigint() - started) / 1e6);
        if (count !== DEVICES) throw new Error(`${scenario} read ${count} devices`);
      }
    }
    const memory = { baseline: measureInChild('baseline', files.json), json: measureInChild('json', files.json), csv: measureInChild('csv', files.csv) };
    const mb = (size: number) => size / (1024 * 1024);
    const baseline = median(times.baseline);
    const lines = [
      `Validate ${DEVICES} devices (~4 KB hashes): JSON ${mb(data.json.length).toFixed(1)} MB, CSV ${mb(data.csv.length).toFixed(1)} MB; ${os.cpus().length} cores, Node ${process.version}; median of ${RUNS} warm runs; fresh-process figures are the median of ${CHILD_RUNS} processes.`,
      '',
      '| what | median ms | ms per MB | × JSON.parse | read + first run in a fresh process, ms | peak memory ÷ file size |',
      '|---|---|---|---|---|---|',
    ];
    for (const [scenario, label, size] of [
      ['baseline', 'baseline: JSON.parse(bytes.toString()) of the JSON file', data.json.length],
      ['json', 'validate the JSON payload', data.json.length],
      ['csv', 'validate the CSV', data.csv.length],
    ] as const) {
      const time = median(times[scenario]);
      lines.push(
        `| ${label} | ${time.toFixed(1)} | ${(time / mb(size)).toFixed(2)} | ${(time / baseline).toFixed(2)}× | ${memory[scenario].elapsedMs.toFixed(0)} | ${(memory[scenario].growth / memory[scenario].size).toFixed(2)}× |`,
      );
    }
    const json = process.argv.includes('--json');
    (json ? process.stderr : process.stdout).write(`${lines.join('\n')}\n`);
    if (json) {
      const figures = (scenario: Scenario, size: number) => ({ timeRatio: median(times[scenario]) / baseline, memoryRatio: memory[scenario].growth / memory[scenario].size, msPerMb: median(times[scenario]) / mb(size) });
      process.stdout.write(`${JSON.stringify({ devices: DEVICES, runs: RUNS, cores: os.cpus().length, baselineMs: baseline, json: figures('json', data.json.length), csv: figures('csv', data.csv.length) })}\n`);
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
