/**
 * `npm run emulator`: the Graph emulator on a loopback port, for trying the terminal command or the extension
 * without a tenant. Prints the Graph root and a token to use, and can seed devices so the documented failures
 * (806, 808, ZtdDeviceDuplicated, InvalidZtdHardwareHash) show up.
 *
 *   npm run emulator -- [--port N] [--processing-delay S] [--registration-delay S] [--latency MS]
 *                       [--budget-window S] [--sample FILE] [--fleet N]
 *
 * `--fleet N` (default 3000) registers N devices in several group tags, with one deployment profile and a few Entra
 * groups, for `autopilot-devices devices|plan|update|delete|add-to-group`.
 */
import * as fs from 'node:fs';
import { DEFAULT_TENANT_ID } from './auth';
import { seedFleet } from './fleet';
import { fakeDevices, fakeHardwareHash } from './hashes';
import { startGraphEmulator } from './server';
import { numericOption } from '../support/numericOption';

function text(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at < 0 ? undefined : process.argv[at + 1];
}

async function run(): Promise<void> {
  const emulator = await startGraphEmulator({
    port: numericOption('--port', 0),
    latencyMs: numericOption('--latency', 0),
    timing: {
      processingDelayMs: numericOption('--processing-delay', 5) * 1000,
      processingJitterMs: 2000,
      registrationDelayMs: numericOption('--registration-delay', 20) * 1000,
      syncDurationMs: 10_000,
    },
    budgets: { windowMs: numericOption('--budget-window', 20) * 1000 },
  });

  // One device already registered here by an earlier import whose record stays (806) and one registered to another
  // tenant (808).
  const registered = { serialNumber: 'SEEDED-REGISTERED-1', hardwareIdentifier: fakeHardwareHash('seeded-registered') };
  emulator.state.seedImported(DEFAULT_TENANT_ID, registered, { status: 'complete', errorCode: 0, errorName: null });
  const foreign = { serialNumber: 'FOREIGN0001', hardwareIdentifier: fakeHardwareHash('seeded-foreign') };
  emulator.state.seedForeign(foreign.hardwareIdentifier);

  const fleet = seedFleet(emulator.state, DEFAULT_TENANT_ID, { count: numericOption('--fleet', 3000) });

  const samplePath = text('--sample');
  if (samplePath) {
    const fresh = fakeDevices(3, 'DEMO');
    const sample = [
      ...fresh,
      { serialNumber: 'ALREADY0806', hardwareIdentifier: registered.hardwareIdentifier },
      foreign,
      { serialNumber: 'DUPLICATE01', hardwareIdentifier: fresh[0]!.hardwareIdentifier },
      { serialNumber: 'TINYHASH001', hardwareIdentifier: 'aGFyZHdhcmVJZGVudGlmaWVy' },
    ];
    fs.writeFileSync(samplePath, `${JSON.stringify(sample, null, 2)}\n`);
  }

  process.stdout.write(
    [
      `Graph emulator listening on ${emulator.url}`,
      `  AUTOPILOT_GRAPH_ROOT=${emulator.url}`,
      `  AUTOPILOT_ACCESS_TOKEN=${emulator.staticToken}`,
      `Try: AUTOPILOT_GRAPH_ROOT=${emulator.url} AUTOPILOT_ACCESS_TOKEN=${emulator.staticToken} npx autopilot-devices import ${samplePath ?? '<file>'} --wait --poll-interval 2`,
      `${fleet.devices.length} registered devices; profile "${fleet.profile?.displayName ?? '-'}"; groups ${fleet.groups.map((g) => `"${g.displayName}"`).join(', ')}.`,
      samplePath ? `Sample payload written to ${samplePath} (3 good devices, then 806, 808, a duplicate hash and an invalid hash).` : 'Pass --sample FILE to write a payload that shows every documented failure.',
      'Ctrl-C stops the emulator.',
      '',
    ].join('\n'),
  );
  const stop = () => void emulator.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

run().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
