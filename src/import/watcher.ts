/**
 * Watching a run's records until Graph has decided each one, then until completed devices appear among registered
 * Autopilot devices. Reads only what the run needs: one GET per record when that takes fewer requests than the paged
 * list, the list otherwise. Looks come when records can be done (pollPace.ts), or at the interval the user set.
 * Registered means listed: `complete` comes before the record names its `deviceRegistrationId` and before the device
 * is listed, so a completed record is read again until it names its registration id, and that device is looked for.
 */
import { RECORD_NOT_FOUND } from './explanations';
import type { RecordSnapshot } from './journal';
import { PollPace } from './pollPace';
import { noteDuplicates } from './reconcile';
import { snapshotOf, type RunContext } from './runContext';
import { awaitsRegistration, type DeviceState } from './runState';

/** What watching a run has learnt in this context. */
interface WatchMemory {
  /** When each record was last read, so a record read a moment ago is not read again at once. */
  readonly reads: Map<string, number>;
  readonly pace: PollPace;
  /** Requests the last paged list of import records took. */
  listPages?: number;
}

const memories = new WeakMap<RunContext, WatchMemory>();

function memoryOf(ctx: RunContext): WatchMemory {
  let memory = memories.get(ctx);
  if (!memory) memories.set(ctx, (memory = { reads: new Map(), pace: new PollPace(ctx.settings) }));
  return memory;
}

/**
 * Reads the records of `devices` as Graph has them now, and journals what changed. A record that is gone was
 * deleted by someone else: one still processing has lost its result (an error); a decided one only its record.
 */
async function readRecords(ctx: RunContext, devices: readonly DeviceState[]): Promise<number> {
  if (!devices.length) return 0;
  const memory = memoryOf(ctx);
  const startedAt = ctx.clock.now();
  for (const device of devices) memory.reads.set(device.recordId!, startedAt);
  const seen = new Map<string, RecordSnapshot | undefined>();
  let requests = 0;
  if (devices.length <= ctx.settings.perRecordPollLimit && devices.length <= (memory.listPages ?? Infinity)) {
    // No more records than the list has pages: read together, they take one round trip where the list takes one a page.
    const records = await Promise.all(devices.map((device) => ctx.graph.getImportedDevice(device.recordId!, ctx.stop)));
    devices.forEach((device, i) => seen.set(device.recordId!, records[i] ? snapshotOf(device.index, records[i]) : undefined));
    requests = devices.length;
  } else {
    const wanted = new Map(devices.map((device) => [device.recordId!, device]));
    const listed = [];
    for await (const page of ctx.graph.listImportedDevices({ pageSize: ctx.settings.pageSize, signal: ctx.stop })) {
      requests++;
      for (const record of page) {
        const device = record.id ? wanted.get(record.id) : undefined;
        if (device) seen.set(record.id!, snapshotOf(device.index, record));
        listed.push(record);
      }
    }
    memory.listPages = requests;
    noteDuplicates(ctx, listed);
  }
  const changes: RecordSnapshot[] = [];
  const gone: number[] = [];
  for (const device of devices) {
    const now = seen.get(device.recordId!);
    if (!now && ctx.state.isTerminal(device)) {
      gone.push(device.index);
      continue;
    }
    const current = now ?? { device: device.index, id: device.recordId!, status: 'error', errorCode: 0, errorName: RECORD_NOT_FOUND, registrationId: null };
    if (current.status !== device.status || current.errorCode !== device.errorCode || current.errorName !== device.errorName || current.registrationId !== device.registrationId) {
      changes.push(current);
    }
  }
  if (changes.length) ctx.record({ t: 'status', records: changes });
  if (gone.length) ctx.record({ t: 'record-deleted', devices: gone });
  return requests;
}

/** Whether the record was read less than a poll interval ago: reading it again now would only cost a request. */
function readRecently(ctx: RunContext, device: DeviceState): boolean {
  const at = memoryOf(ctx).reads.get(device.recordId!);
  return at !== undefined && ctx.clock.now() - at < ctx.settings.pollIntervalMs;
}

/** Reads the current state of every record still processing, and journals what changed. */
export async function pollOnce(ctx: RunContext): Promise<void> {
  const processing = ctx.state.processing();
  if (!processing.length) return;
  const memory = memoryOf(ctx);
  const seenProcessingAt = new Map(processing.map((device) => [device.index, memory.reads.get(device.recordId!)]));
  const startedAt = ctx.clock.now();
  const requests = await readRecords(ctx, processing);
  const decided = processing.filter((device) => ctx.state.isTerminal(device));
  memory.pace.noteLook(
    startedAt,
    requests,
    decided.map((device) => ({ sentAt: device.sentAt, seenProcessingAt: seenProcessingAt.get(device.index) })),
  );
  ctx.emitProgress();
}

/**
 * Looks at the records still processing, when they can be done (pollPace.ts), until every record is terminal (true)
 * or the deadline passes (false). Throws AbortError when stopped.
 */
export async function watchUntilProcessed(ctx: RunContext, deadline: number): Promise<boolean> {
  const { pace } = memoryOf(ctx);
  for (let processing = ctx.state.processing(); processing.length; processing = ctx.state.processing()) {
    const now = ctx.clock.now();
    if (now >= deadline) return false;
    await ctx.clock.sleep(Math.max(0, Math.min(pace.nextLookAt(now, processing), deadline) - now), ctx.stop);
    await pollOnce(ctx);
  }
  return true;
}

/** The devices whose registration this run follows: those that await it (the one rule) and whose record it holds. */
function registrationsToFollow(ctx: RunContext): DeviceState[] {
  return ctx.state.devices.filter((d) => d.progress === 'accepted' && awaitsRegistration(d));
}

/**
 * Checks once which completed devices Graph now lists among registered devices: first reads again the records that
 * have not named their registration id yet, then looks for the devices of those that have
 * (`windowsAutopilotDeviceIdentities/{deviceRegistrationId}`, or the paged list for many).
 */
export async function checkRegistration(ctx: RunContext): Promise<void> {
  await readRecords(ctx, registrationsToFollow(ctx).filter((device) => !device.registrationId && !readRecently(ctx, device)));
  const waiting = registrationsToFollow(ctx).filter((device) => device.registrationId);
  const registered = new Set<number>();
  if (waiting.length <= ctx.settings.perRecordPollLimit) {
    for (const device of waiting) {
      if (await ctx.graph.getRegisteredDevice(device.registrationId!, ctx.stop)) registered.add(device.index);
    }
  } else {
    const wanted = new Map(waiting.map((device) => [device.registrationId!, device.index]));
    for await (const page of ctx.graph.listRegisteredDevices({ pageSize: ctx.settings.pageSize, signal: ctx.stop })) {
      for (const device of page) {
        const index = wanted.get(device.id);
        if (index !== undefined) registered.add(index);
      }
    }
  }
  if (registered.size) ctx.record({ t: 'registered', devices: [...registered] });
  ctx.emitProgress();
}

/** Waits until every completed device is registered (true) or the deadline passes (false). */
export async function watchRegistration(ctx: RunContext, deadline: number): Promise<boolean> {
  await checkRegistration(ctx);
  while (registrationsToFollow(ctx).length) {
    if (ctx.clock.now() >= deadline) return false;
    await ctx.clock.sleep(Math.min(ctx.settings.pollIntervalMs, Math.max(0, deadline - ctx.clock.now())), ctx.stop);
    await checkRegistration(ctx);
  }
  return true;
}
