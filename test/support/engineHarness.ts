/** An emulator, a fresh journal directory and engines wired to both, for tests over real HTTP. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Logger } from '../../src/common/logger';
import { AutopilotGraph } from '../../src/graph/autopilot';
import { GraphClient, type GraphClientOptions } from '../../src/graph/client';
import { ImportEngine } from '../../src/import/engine';
import type { ImportEvent } from '../../src/import/events';
import { Journal, type RunTenant } from '../../src/import/journal';
import type { EngineSettings } from '../../src/import/settings';
import { startGraphEmulator, type GraphEmulator, type GraphEmulatorOptions } from '../emulator/server';

export interface Harness {
  readonly emulator: GraphEmulator;
  readonly journalDir: string;
  readonly logs: string[];
  readonly events: ImportEvent[];
  engine(options?: { settings?: Partial<EngineSettings>; client?: Partial<GraphClientOptions>; tenant?: RunTenant; journal?: Journal }): ImportEngine;
  close(): Promise<void>;
}

/**
 * Fast defaults, with Intune's untidiness scaled down rather than removed: records are processed in 100 ms, name
 * their registration id 50 ms after `complete` and are listed 100 ms after it; Graph commits a write it answered with
 * a failure up to 150 ms later, and the engine waits 250 ms (its settle time) before listing such a write's devices.
 * The engine polls every 40 ms.
 */
export const FAST_TIMING = { processingDelayMs: 100, processingJitterMs: 0, registrationDelayMs: 100, syncDurationMs: 100, syncMinIntervalMs: 500, lateCommitMaxMs: 150 };
export const FAST_SETTINGS: Partial<EngineSettings> = { pollIntervalMs: 40, timeLimitMs: 20_000, settleMs: 250 };

export function captureLogger(lines: string[]): Logger {
  const push = (level: string) => (message: string | Error) => lines.push(`${level} ${message instanceof Error ? message.stack : message}`);
  return { trace: push('trace'), debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}

export async function startHarness(options: GraphEmulatorOptions = {}): Promise<Harness> {
  const emulator = await startGraphEmulator({ ...options, timing: { ...FAST_TIMING, ...options.timing } });
  const journalDir = fs.mkdtempSync(path.join(os.tmpdir(), 'autopilot-journal-'));
  const logs: string[] = [];
  const events: ImportEvent[] = [];
  const clients: GraphClient[] = [];
  return {
    emulator,
    journalDir,
    logs,
    events,
    engine(overrides = {}) {
      const logger = captureLogger(logs);
      const client = new GraphClient({
        graphRoot: emulator.url,
        getAccessToken: async () => emulator.staticToken,
        logger,
        retry: { baseDelayMs: 20, maxDelayMs: 200 },
        ...overrides.client,
      });
      clients.push(client);
      const engine = new ImportEngine({
        graph: new AutopilotGraph(client),
        journal: overrides.journal ?? new Journal(journalDir),
        logger,
        settings: { ...FAST_SETTINGS, ...overrides.settings },
        ...(overrides.tenant ? { tenant: () => Promise.resolve(overrides.tenant!) } : {}),
      });
      engine.events.on((event) => events.push(event));
      return engine;
    },
    async close() {
      clients.forEach((client) => client.dispose());
      await emulator.close();
      fs.rmSync(journalDir, { recursive: true, force: true });
    },
  };
}

/** How many import records were ever created for each serial number (deleted ones included). */
export function recordsPerSerial(emulator: GraphEmulator): Map<string, number> {
  const counts = new Map<string, number>();
  for (const tenant of emulator.state.tenantIds()) {
    for (const record of emulator.state.tenant(tenant).created) counts.set(record.serialNumber, (counts.get(record.serialNumber) ?? 0) + 1);
  }
  return counts;
}

/** Graph holds exactly one import record for each of `devices`, and none for any other serial. */
export function assertEachOnce(harness: Pick<Harness, 'emulator'>, devices: readonly { readonly serialNumber: string }[]): void {
  const counts = recordsPerSerial(harness.emulator);
  for (const device of devices) assert.equal(counts.get(device.serialNumber), 1, `${device.serialNumber} has ${counts.get(device.serialNumber) ?? 0} records`);
  assert.equal(counts.size, devices.length);
}

export function journalEntries(journalDir: string, runId: string): { t: string; [key: string]: unknown }[] {
  return new Journal(journalDir).read(runId).entries as unknown as { t: string; [key: string]: unknown }[];
}
