/**
 * Watching a run's records until Graph has decided each one, then until completed devices appear among registered
 * Autopilot devices. Reads only what the run needs: one GET per record when few are left, the paged list when many.
 */
import { RECORD_NOT_FOUND } from './explanations';
import type { RecordSnapshot } from './journal';
import { snapshotOf, type RunContext } from './runContext';
import { awaitsRegistration, type DeviceState } from './runState';

/** Reads the current state of every record still processing, and journals what changed. */
export async function pollOnce(ctx: RunContext): Promise<void> {
  const processing = ctx.state.processing();
  if (!processing.length) return;
  const seen = new Map<string, RecordSnapshot | undefined>();
  if (processing.length <= ctx.settings.perRecordPollLimit) {
    for (const device of processing) {
      const record = await ctx.graph.getImportedDevice(device.recordId!, ctx.stop);
      seen.set(device.recordId!, record ? snapshotOf(device.index, record) : undefined);
    }
  } else {
    const wanted = new Map(processing.map((device) => [device.recordId!, device]));
    for await (const page of ctx.graph.listImportedDevices({ pageSize: ctx.settings.pageSize, signal: ctx.stop })) {
      for (const record of page) {
        const device = record.id ? wanted.get(record.id) : undefined;
        if (device) seen.set(record.id!, snapshotOf(device.index, record));
      }
    }
  }
  const changes: RecordSnapshot[] = [];
  for (const device of processing) {
    // A record that vanished while still processing was deleted by someone else: its result is lost.
    const now = seen.get(device.recordId!) ?? {
      device: device.index,
      id: device.recordId!,
      status: 'error',
      errorCode: 0,
      errorName: RECORD_NOT_FOUND,
      registrationId: null,
    };
    if (now.status !== device.status || now.errorCode !== device.errorCode || now.errorName !== device.errorName || now.registrationId !== device.registrationId) {
      changes.push(now);
    }
  }
  if (changes.length) ctx.record({ t: 'status', records: changes });
  ctx.emitProgress();
}

/** Polls until every record is terminal (true) or the deadline passes (false). Throws AbortError when stopped. */
export async function watchUntilProcessed(ctx: RunContext, deadline: number): Promise<boolean> {
  while (ctx.state.processing().length) {
    if (ctx.clock.now() >= deadline) return false;
    await ctx.clock.sleep(Math.min(ctx.settings.pollIntervalMs, Math.max(0, deadline - ctx.clock.now())), ctx.stop);
    await pollOnce(ctx);
  }
  return true;
}

function awaitingRegistration(ctx: RunContext): DeviceState[] {
  return ctx.state.devices.filter((d) => d.progress === 'accepted' && awaitsRegistration(d));
}

/** Checks once which completed devices are now registered (`windowsAutopilotDeviceIdentities/{deviceRegistrationId}`). */
export async function checkRegistration(ctx: RunContext): Promise<void> {
  const waiting = awaitingRegistration(ctx);
  if (!waiting.length) return;
  const registered: number[] = [];
  if (waiting.length <= ctx.settings.perRecordPollLimit) {
    for (const device of waiting) {
      if (await ctx.graph.getRegisteredDevice(device.registrationId!, ctx.stop)) registered.push(device.index);
    }
  } else {
    const wanted = new Map(waiting.map((device) => [device.registrationId!, device.index]));
    for await (const page of ctx.graph.listRegisteredDevices({ pageSize: ctx.settings.pageSize, signal: ctx.stop })) {
      for (const device of page) {
        const index = wanted.get(device.id);
        if (index !== undefined) registered.push(index);
      }
    }
  }
  if (registered.length) ctx.record({ t: 'registered', devices: registered });
  ctx.emitProgress();
}

/** Waits until every completed device is registered (true) or the deadline passes (false). */
export async function watchRegistration(ctx: RunContext, deadline: number): Promise<boolean> {
  await checkRegistration(ctx);
  while (awaitingRegistration(ctx).length) {
    if (ctx.clock.now() >= deadline) return false;
    await ctx.clock.sleep(Math.min(ctx.settings.pollIntervalMs, Math.max(0, deadline - ctx.clock.now())), ctx.stop);
    await checkRegistration(ctx);
  }
  return true;
}
