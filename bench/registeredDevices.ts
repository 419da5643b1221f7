/**
 * `npm run bench:devices`: list 20,000 registered Autopilot devices from the Graph emulator (Intune's inclusive serial
 * cursor, 1,000 a page, latency per request) the way the Autopilot Devices view and `autopilot-devices devices` do
 * (RegisteredDeviceCache: beta, de-duplicated, first page shown at once), against a baseline in the same run that
 * does what Get-AutopilotDevice does: follow `@odata.nextLink` with no `$top` and keep every row it is given.
 *
 * Budget (issue 12): at most 21 requests for 20,000 devices, and the first page after one request.
 *
 *   npm run bench:devices -- [--devices 20000] [--latency 250] [--json]
 */
import { AutopilotGraph } from '../src/graph/autopilot';
import { GraphClient } from '../src/graph/client';
import { RegisteredDeviceCache } from '../src/import/lifecycle/registeredDevices';
import { DEFAULT_TENANT_ID } from '../test/emulator/auth';
import { seedFleet } from '../test/emulator/fleet';
import { startGraphEmulator } from '../test/emulator/server';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

const DEVICES = option('devices', 20_000);
const LATENCY_MS = option('latency', 250);
const JSON_OUTPUT = process.argv.includes('--json');
const say = (line: string) => (JSON_OUTPUT ? process.stderr : process.stdout).write(`${line}\n`);

/** Heap in use after full collections (run with --expose-gc; several passes so garbage of earlier phases is gone). */
function heapMb(): number {
  for (let pass = 0; pass < 4; pass++) (global as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

/** The baseline: follow nextLink, keep every row (the inclusive cursor's repeats included). */
async function listLikeGetAutopilotDevice(client: GraphClient): Promise<{ seconds: number; rows: number; heldHeapMb: number }> {
  const started = Date.now();
  const rows: unknown[] = [];
  for await (const page of client.pages<unknown>('deviceManagement/windowsAutopilotDeviceIdentities', { apiVersion: 'beta' })) rows.push(...page);
  const seconds = (Date.now() - started) / 1000;
  return { seconds, rows: rows.length, heldHeapMb: heapMb() };
}

async function listWithCache(client: GraphClient): Promise<{ seconds: number; devices: number; firstPageAfter: number; firstPageSeconds: number; complete: boolean; heldHeapMb: number }> {
  const started = Date.now();
  let firstPageAfter = 0;
  let firstPageSeconds = 0;
  const listing = await new RegisteredDeviceCache(new AutopilotGraph(client)).load({
    onPage: ({ requests }) => {
      if (firstPageAfter) return;
      firstPageAfter = requests;
      firstPageSeconds = (Date.now() - started) / 1000;
    },
  });
  const seconds = (Date.now() - started) / 1000;
  return { seconds, devices: listing.index.size, firstPageAfter, firstPageSeconds, complete: listing.complete, heldHeapMb: heapMb() };
}

async function main(): Promise<void> {
  const emulator = await startGraphEmulator({ budgets: false, latencyMs: LATENCY_MS });
  seedFleet(emulator.state, DEFAULT_TENANT_ID, { count: DEVICES });
  if (!(global as { gc?: unknown }).gc) say('(run with node --expose-gc for the memory figures)');
  const client = new GraphClient({ graphRoot: emulator.url, getAccessToken: async () => emulator.staticToken });
  try {
    // Baseline: follow nextLink, keep every row (the inclusive cursor's repeats included).
    // Memory is what the result holds: the heap with it, less the heap once it is dropped (the emulator shares the
    // process, so a before/after difference would count its garbage too).
    const measuredBaseline = await listLikeGetAutopilotDevice(client);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const baseline = { ...measuredBaseline, requests: emulator.requests.length, heapMb: measuredBaseline.heldHeapMb - heapMb() };
    emulator.requests.length = 0;
    const measuredOurs = await listWithCache(client);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the listing's last promise jobs run and let go of it
    const ours = { ...measuredOurs, requests: emulator.requests.length, heapMb: measuredOurs.heldHeapMb - heapMb() };

    const figures = {
      devices: DEVICES,
      latencyMs: LATENCY_MS,
      ours,
      baseline,
      timeRatio: ours.seconds / baseline.seconds,
      firstPageRatio: ours.firstPageSeconds / baseline.seconds,
      memoryRatio: ours.heapMb / baseline.heapMb,
      withinBudget: ours.requests <= 21 && ours.firstPageAfter === 1 && ours.devices === DEVICES,
    };
    say(`list ${DEVICES} registered devices (latency ${LATENCY_MS} ms per request)`);
    say(`  ours:     ${ours.requests} requests, ${ours.devices} devices (each once), ${ours.seconds.toFixed(2)} s, first page after ${ours.firstPageAfter} request (${ours.firstPageSeconds.toFixed(2)} s), heap +${ours.heapMb.toFixed(1)} MB`);
    say(`  baseline: ${baseline.requests} requests, ${baseline.rows} rows (${baseline.rows - DEVICES} repeated), ${baseline.seconds.toFixed(2)} s, heap +${baseline.heapMb.toFixed(1)} MB`);
    say(`  time ${figures.timeRatio.toFixed(2)}× the baseline, first page at ${(figures.firstPageRatio * 100).toFixed(1)}% of the baseline's whole listing, memory ${figures.memoryRatio.toFixed(2)}×; budget ${figures.withinBudget ? 'met' : 'MISSED'}`);
    if (JSON_OUTPUT) process.stdout.write(`${JSON.stringify(figures)}\n`);
    if (!figures.withinBudget) process.exitCode = 1;
  } finally {
    client.dispose();
    await emulator.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
