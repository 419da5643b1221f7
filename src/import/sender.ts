/**
 * Getting a run's devices into Graph exactly once: chunks of at most `batchSize` through `/import`, each journaled
 * as "sending" before it leaves; a 400 is narrowed down to the device(s) Graph refused; where `/import` does not
 * exist, one `POST` per device.
 *
 * A write Graph did not confirm (a timeout, a cut connection, 500/502/503/504) may still be committed up to the settle
 * time later, so its devices are sent again only after that time has passed and a fresh listing shows them missing.
 * Before a device is first sent, the records its serial already has (earlier imports) are noted, so reconciling never
 * takes one of them for the device's own.
 */
import { linkSignals, throwIfAborted } from '../common/clock';
import { isUserCancelled } from '../common/errors';
import { isImportActionUnavailable, type ImportedDeviceInput } from '../graph/autopilot';
import { GraphError, GraphNetworkError } from '../graph/errors';
import { isAmbiguousWriteStatus } from '../graph/retryPolicy';
import { serialKey } from '../graph/serialFilter';
import type { ImportedDeviceIdentity } from '../graph/types';
import type { RecordSnapshot, SendError } from './journal';
import { listRecordsForSerials, noteExistingRecords, reconcile } from './reconcile';
import { sameHash, snapshotOf, type RunContext } from './runContext';
import { UncertainSendError } from './errors';

export type SendMode = 'import' | 'create';

/** Shared by the runs of one engine: once `/import` is known to be missing, later runs go straight to POSTs. */
export interface SendModeMemo {
  mode: SendMode;
}

type SendResult =
  | { readonly kind: 'done' }
  | { readonly kind: 'unavailable'; readonly status: number }
  | { readonly kind: 'requeue'; readonly batches: number[][] }
  | { readonly kind: 'uncertain'; readonly devices: number[] };


/** Whether a failed write may nevertheless have been applied. */
export function isUncertainOutcome(error: unknown): boolean {
  return (error instanceof GraphNetworkError && error.outcomeUnknown) || (error instanceof GraphError && isAmbiguousWriteStatus(error.status));
}

function sendErrorOf(error: unknown): SendError {
  if (error instanceof GraphError) return { status: error.status, code: error.code, message: error.graphMessage };
  return { status: 0, code: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) };
}

function bodyOf(ctx: RunContext, index: number): ImportedDeviceInput {
  const device = ctx.state.manifest.devices[index]!;
  const body: ImportedDeviceInput = { serialNumber: device.serialNumber, hardwareIdentifier: device.hardwareIdentifier };
  if (device.groupTag) body.groupTag = device.groupTag;
  if (device.productKey) body.productKey = device.productKey;
  if (device.assignedUserPrincipalName) body.assignedUserPrincipalName = device.assignedUserPrincipalName;
  if (device.importId) body.importId = device.importId;
  return body;
}

function chunks(indexes: readonly number[], size: number): number[][] {
  const result: number[][] = [];
  for (let i = 0; i < indexes.length; i += size) result.push(indexes.slice(i, i + size));
  return result;
}

/**
 * Sends every device of the run that Graph does not hold yet. Returns false when `cancel` stopped it before the
 * end (what was sent stays sent and journaled). Throws on failures that need a person (403, no connection, …);
 * the run then stays resumable.
 */
export async function sendUnsent(ctx: RunContext, memo: SendModeMemo, cancel?: AbortSignal): Promise<boolean> {
  if (!(await prepare(ctx, cancel))) return false;
  const attempts = new Map<number, number>();
  const queue = chunks(
    ctx.state.devices.filter((d) => d.progress === 'not-sent').map((d) => d.index),
    ctx.settings.batchSize,
  );
  for (;;) {
    await sendQueued(ctx, memo, queue, attempts, cancel);
    if (queue.length) return false; // cancelled: the rest stays unsent
    // Unconfirmed writes are settled together once everything else is out: one wait, one listing.
    const unconfirmed = ctx.state.devices.filter((d) => d.progress === 'uncertain').map((d) => d.index);
    if (!unconfirmed.length) break;
    if (!(await settle(ctx, unconfirmed, cancel))) return false;
    const missing = await reconcile(ctx, unconfirmed);
    if (missing.some((index) => (attempts.get(index) ?? 0) >= ctx.settings.maxUncertainAttempts)) throw new UncertainSendError(missing.length);
    queue.push(...chunks(missing, ctx.settings.batchSize));
    ctx.emitProgress();
  }
  return !cancel?.aborted || ctx.state.unsent().length === 0;
}

/**
 * Sends the queued chunks, up to `chunksInFlight` at a time through `/import` (one chunk at a time once the engine
 * falls back to one POST per device: those POSTs go in parallel themselves). Each chunk is journaled as it starts,
 * before its request leaves. Nothing new starts once `cancel` or `stop` fired or a chunk failed in a way that needs a
 * person; the chunks already on their way are always waited for, so each one's outcome is journaled before this
 * returns or throws (the first such failure). On return the queue holds only what a cancel kept from being sent.
 */
async function sendQueued(ctx: RunContext, memo: SendModeMemo, queue: number[][], attempts: Map<number, number>, cancel?: AbortSignal): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  let failure: { readonly error: unknown } | undefined;
  const mayStart = () => failure === undefined && !cancel?.aborted && !ctx.stop?.aborted;
  const room = () => (memo.mode === 'import' ? ctx.settings.chunksInFlight : 1) - inFlight.size;
  const handle = (batch: number[], result: SendResult) => {
    if (result.kind === 'unavailable') {
      // Chunks sent alongside meet the same missing route: the first to come back switches the mode.
      if (memo.mode === 'import') {
        memo.mode = 'create';
        ctx.logger.warn(`Run ${ctx.runId}: /import answered ${result.status}; sending one POST per device instead`);
        ctx.emit({ type: 'fallback-per-device', runId: ctx.runId, status: result.status });
      }
      queue.unshift(batch);
    } else if (result.kind === 'requeue') {
      queue.unshift(...result.batches.filter((b) => b.length));
    } else if (result.kind === 'uncertain') {
      for (const index of result.devices) attempts.set(index, (attempts.get(index) ?? 0) + 1);
    }
    ctx.emitProgress();
  };
  /** Journals the chunk before anything is awaited (so before the next chunk is taken); never rejects. */
  const send = async (batch: number[]): Promise<void> => {
    try {
      handle(batch, await (memo.mode === 'import' ? sendImport(ctx, batch) : sendEach(ctx, batch, cancel)));
    } catch (error) {
      failure ??= { error };
    }
  };
  for (;;) {
    while (queue.length && room() > 0 && mayStart()) {
      const batch = queue.shift()!;
      const sending: Promise<void> = send(batch).finally(() => inFlight.delete(sending));
      inFlight.add(sending);
    }
    if (!inFlight.size) break;
    await Promise.race(inFlight);
  }
  if (failure) throw failure.error;
  throwIfAborted(ctx.stop);
}

/**
 * Before anything goes out: devices whose write a crash or a stop left unconfirmed wait out the settle time, then
 * one listing finds their records and notes the records the never-sent devices' serials already have.
 */
async function prepare(ctx: RunContext, cancel?: AbortSignal): Promise<boolean> {
  const unconfirmed = ctx.state.devices.filter((d) => d.progress === 'uncertain' || d.progress === 'sending').map((d) => d.index);
  const fresh = ctx.state.devices.filter((d) => d.progress === 'not-sent' && !d.everSent).map((d) => d.index);
  if (!unconfirmed.length && !fresh.length) return true;
  if (unconfirmed.length && !(await settle(ctx, unconfirmed, cancel))) return false;
  const records = await listRecordsForSerials(ctx, [...unconfirmed, ...fresh].map((index) => ctx.state.devices[index]!.serialNumber));
  if (fresh.length) noteExistingRecords(ctx, fresh, records);
  if (unconfirmed.length) await reconcile(ctx, unconfirmed, records);
  return true;
}

/**
 * Waits until Graph has had the settle time to commit the unconfirmed writes of `devices`, counted from when each
 * went unconfirmed (from now for a send a crash interrupted: when it ended is unknown). False when `cancel` stopped
 * the wait; the devices then stay unconfirmed for the next run of the journal.
 */
async function settle(ctx: RunContext, devices: readonly number[], cancel?: AbortSignal): Promise<boolean> {
  const now = ctx.clock.now();
  const since = Math.max(...devices.map((index) => ctx.state.devices[index]!.unconfirmedAt ?? now));
  const waitMs = since + ctx.settings.settleMs - now;
  if (waitMs <= 0) return true;
  ctx.logger.info(
    `Run ${ctx.runId}: Graph may still commit ${devices.length} device(s) whose send was not confirmed; waiting ${(waitMs / 1000).toFixed(1)} s ` +
      `(settle time ${ctx.settings.settleMs / 1000} s) before listing import records and sending only what is missing`,
  );
  ctx.emit({ type: 'settling', runId: ctx.runId, devices: devices.length, waitMs });
  const linked = linkSignals(ctx.stop, cancel);
  try {
    await ctx.clock.sleep(waitMs, linked.signal);
    return true;
  } catch (error) {
    if (cancel?.aborted && !ctx.stop?.aborted) return false;
    throw error;
  } finally {
    linked.dispose();
  }
}

/**
 * Matches answered records to the devices sent by serial number (never by position: Graph's answers need not keep
 * the order, and carry no hash); where one chunk holds a serial twice, by hash if Graph echoed it, else in order.
 */
function matchRecords(ctx: RunContext, devices: readonly number[], records: readonly ImportedDeviceIdentity[]): { matched: RecordSnapshot[]; unmatched: number[] } {
  const manifest = ctx.state.manifest;
  // The answered records by serial, in Graph's order: one look-up per device, however large the chunk.
  const bySerial = new Map<string, ImportedDeviceIdentity[]>();
  for (const record of records) {
    if (!record.id || typeof record.serialNumber !== 'string') continue;
    const key = serialKey(record.serialNumber);
    const same = bySerial.get(key);
    if (same) same.push(record);
    else bySerial.set(key, [record]);
  }
  const matched: RecordSnapshot[] = [];
  const unmatched: number[] = [];
  for (const index of devices) {
    const device = manifest.devices[index]!;
    const left = bySerial.get(serialKey(device.serialNumber)) ?? [];
    let at = left.findIndex((record) => sameHash(record.hardwareIdentifier, device.hardwareIdentifier));
    if (at < 0 && left.length) at = 0;
    if (at < 0) unmatched.push(index);
    else matched.push(snapshotOf(index, left.splice(at, 1)[0]!));
  }
  return { matched, unmatched };
}

async function sendImport(ctx: RunContext, devices: number[]): Promise<SendResult> {
  const send = ctx.state.takeSendNumber();
  ctx.record({ t: 'send', send, mode: 'import', devices }, true);
  ctx.emit({ type: 'chunk-sending', runId: ctx.runId, send, devices: devices.length, mode: 'import' });
  ctx.logger.info(`Run ${ctx.runId}: sending chunk ${send} (${devices.length} device(s)) through /import`);
  try {
    const records = await ctx.graph.importDevices(devices.map((index) => bodyOf(ctx, index)), ctx.stop);
    const { matched, unmatched } = matchRecords(ctx, devices, records);
    ctx.record({ t: 'accepted', send, records: matched });
    ctx.emit({ type: 'chunk-accepted', runId: ctx.runId, send, devices: matched.length });
    if (unmatched.length) {
      ctx.record({ t: 'uncertain', send, devices: unmatched, reason: 'missing from the answer' });
      return { kind: 'uncertain', devices: unmatched };
    }
    return { kind: 'done' };
  } catch (error) {
    return handleSendFailure(ctx, send, devices, error, true);
  }
}

function handleSendFailure(ctx: RunContext, send: number, devices: number[], error: unknown, viaImport: boolean): SendResult {
  if (isUserCancelled(error)) {
    // The request may have left: the next run of this journal reconciles it.
    ctx.record({ t: 'uncertain', send, devices, reason: 'stopped' });
    throw error;
  }
  if (viaImport && isImportActionUnavailable(error)) {
    ctx.record({ t: 'rejected', send, devices, error: sendErrorOf(error), final: false });
    return { kind: 'unavailable', status: (error as GraphError).status };
  }
  if (isUncertainOutcome(error)) {
    ctx.logger.warn(`Run ${ctx.runId}: no answer for send ${send} (${(error as Error).message}); will reconcile before re-sending`);
    ctx.record({ t: 'uncertain', send, devices, reason: (error as Error).message });
    ctx.emit({ type: 'chunk-uncertain', runId: ctx.runId, send, devices: devices.length, reason: (error as Error).message });
    return { kind: 'uncertain', devices };
  }
  if (error instanceof GraphError && error.status === 400) return narrowRejection(ctx, send, devices, error);
  // Graph refused to act (403, 401 after a refresh, throttling that outlasted our retries) or was never reached.
  ctx.record({ t: 'rejected', send, devices, error: sendErrorOf(error), final: false });
  throw error;
}

/**
 * A 400 refuses the whole request, so nothing was created. When Graph names the value it could not read (the
 * Edm.Binary 400 quotes the hash), the device with that hash is refused and the rest go again; otherwise the
 * chunk is halved until the refused devices are isolated.
 */
function narrowRejection(ctx: RunContext, send: number, devices: number[], error: GraphError): SendResult {
  const culprits = error.offendingValueFingerprint ? devices.filter((index) => ctx.state.devices[index]!.fingerprint === error.offendingValueFingerprint) : [];
  const detail = sendErrorOf(error);
  if (culprits.length) {
    const rest = devices.filter((index) => !culprits.includes(index));
    ctx.record({ t: 'rejected', send, devices: culprits, error: detail, final: true });
    if (rest.length) ctx.record({ t: 'rejected', send, devices: rest, error: detail, final: false });
    ctx.emit({ type: 'chunk-rejected', runId: ctx.runId, send, devices: culprits.length, message: error.graphMessage, split: rest.length > 0 });
    return { kind: 'requeue', batches: [rest] };
  }
  if (devices.length === 1) {
    ctx.record({ t: 'rejected', send, devices, error: detail, final: true });
    ctx.emit({ type: 'chunk-rejected', runId: ctx.runId, send, devices: 1, message: error.graphMessage, split: false });
    return { kind: 'done' };
  }
  ctx.record({ t: 'rejected', send, devices, error: detail, final: false });
  ctx.emit({ type: 'chunk-rejected', runId: ctx.runId, send, devices: devices.length, message: error.graphMessage, split: true });
  const half = Math.ceil(devices.length / 2);
  return { kind: 'requeue', batches: [devices.slice(0, half), devices.slice(half)] };
}

/** One `POST` per device, a few in parallel (the write budget paces them). */
async function sendEach(ctx: RunContext, devices: number[], cancel?: AbortSignal): Promise<SendResult> {
  const uncertain: number[] = [];
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < devices.length && failure === undefined && !cancel?.aborted && !ctx.stop?.aborted) {
      const index = devices[next++]!;
      const send = ctx.state.takeSendNumber();
      ctx.record({ t: 'send', send, mode: 'create', devices: [index] }, true);
      ctx.emit({ type: 'chunk-sending', runId: ctx.runId, send, devices: 1, mode: 'create' });
      try {
        const record = await ctx.graph.createImportedDevice(bodyOf(ctx, index), ctx.stop);
        ctx.record({ t: 'accepted', send, records: [snapshotOf(index, record)] });
        ctx.emit({ type: 'chunk-accepted', runId: ctx.runId, send, devices: 1 });
      } catch (error) {
        try {
          const result = handleSendFailure(ctx, send, [index], error, false);
          if (result.kind === 'uncertain') uncertain.push(index);
        } catch (fatal) {
          failure ??= fatal;
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(ctx.settings.createConcurrency, devices.length) }, worker));
  if (failure !== undefined) throw failure;
  throwIfAborted(ctx.stop);
  // Devices a cancel kept from being sent stay `not-sent`; the caller sees the cancel and stops.
  return uncertain.length ? { kind: 'uncertain', devices: uncertain } : { kind: 'done' };
}
