/**
 * After the import (SPEC 6.2): `devices`, `plan`, `update`, `delete`, `add-to-group`. Every change is planned from a
 * fresh listing of the tenant's registered devices, shown, confirmed (`--yes`, or a question on a terminal), and
 * journaled; running the same command again after a crash first finishes the run that was left open.
 */
import * as fs from 'node:fs/promises';
import * as l10n from '@vscode/l10n';
import { RunBusyError } from '../import/errors';
import { sameTenant } from '../import/tenant';
import { changeItems, listsSerials, looksLikeUpdateFile, mergePlans, parseUpdateText, planImport, planRemoval, planUpdate, readUpdateFile, type ChangeOperation, type ChangeRunView, type Plan, type RegisteredDeviceIndex } from '../import/lifecycle/api';
import { readPayloadFile, hasErrors } from '../payload/api';
import type { CliOptions } from './args';
import { startSession, type GraphCommandContext } from './commandContext';
import { describeFailure } from '../import/failures';
import { EXIT } from './output';
import type { CliSession } from './session';
import { validateCommand } from './validateCommand';
import { humanPlan, printDevices, resultsDocument } from './lifecycleOutput';

/** One sentence for what stopped a lifecycle command; a 403 names the permission the step needs (see import/failures). */
export function describeLifecycleFailure(error: unknown, session: CliSession | undefined): string {
  return describeFailure(error, session?.failureContext ?? { surface: 'terminal' });
}

function fail(context: GraphCommandContext, options: CliOptions, message: string, document: object = { devices: [] }): void {
  context.progress.clear();
  context.io.stderr(`autopilot-devices: ${message}\n`);
  if (options.json) context.io.stdout(`${JSON.stringify({ ...document, error: message })}\n`);
}

async function withSession(context: GraphCommandContext, options: CliOptions, work: (session: CliSession) => Promise<number>): Promise<number> {
  let session: CliSession | undefined;
  try {
    session = startSession(context, options);
    return await work(session);
  } catch (error) {
    fail(context, options, describeLifecycleFailure(error, session));
    return EXIT.failed;
  } finally {
    session?.dispose();
  }
}

/** Lists the tenant's devices once, with a progress line. */
async function listRegistered(session: CliSession, context: GraphCommandContext): Promise<RegisteredDeviceIndex> {
  const listing = await session.registered.load({ signal: context.io.stop, onPage: ({ devicesSoFar }) => context.progress.show(l10n.t('Listing registered devices… {0}', devicesSoFar)) });
  context.progress.clear();
  if (!listing.complete) context.io.stderr(`autopilot-devices: ${l10n.t('Graph repeated a page while listing registered devices; the list may miss some devices.')}\n`);
  return listing.index;
}

export async function devicesCommand(options: CliOptions, context: GraphCommandContext): Promise<number> {
  return withSession(context, options, async (session) => {
    let devices = options.serial !== undefined ? [...(await session.registered.find(options.serial, context.io.stop))] : (await listRegistered(session, context)).all();
    if (options.groupTag !== undefined) devices = devices.filter((device) => device.groupTag.toLowerCase() === options.groupTag!.toLowerCase());
    devices.sort((a, b) => a.groupTag.localeCompare(b.groupTag) || a.serialNumber.localeCompare(b.serialNumber));
    if (options.json) {
      const fields = ['id', 'serialNumber', 'groupTag', 'displayName', 'userPrincipalName', 'manufacturer', 'model', 'enrollmentState', 'profileStatus', 'lastContactedDateTime'] as const;
      context.io.stdout(`${JSON.stringify({ devices: devices.map((device) => Object.fromEntries(fields.map((field) => [field, device[field]]))) })}\n`);
    } else printDevices(devices, context.io);
    return EXIT.ok;
  });
}

/** Reads the files of `plan`/`update`; problems go to stderr as `validate` prints them; undefined when one has errors. */
async function planFiles(files: readonly string[], registered: () => Promise<RegisteredDeviceIndex>, context: GraphCommandContext, updatesOnly: boolean): Promise<Plan | string> {
  const plans: Plan[] = [];
  const seenImports = new Set<string>();
  const seenUpdates = new Set<string>();
  for (const file of files) {
    let text: string;
    try {
      text = (await fs.readFile(file)).toString('utf8');
    } catch (error) {
      return l10n.t('Cannot read {0}: {1}', file, (error as Error).message);
    }
    if (updatesOnly || looksLikeUpdateFile(text)) {
      const update = updatesOnly ? await readUpdateFile(file) : parseUpdateText(text, file);
      for (const problem of update.problems) context.io.stderr(`${file}:${problem.line}: ${problem.severity} ${problem.code}: ${problem.message}\n`);
      if (update.problems.some((problem) => problem.severity === 'error')) return l10n.t('Nothing was changed: fix the errors in {0} first.', file);
      plans.push(planUpdate(update.updates, await registered(), seenUpdates));
    } else {
      const payload = await readPayloadFile(file);
      if (payload.problems.length) await validateCommand([file], { format: 'text' }, { stdout: context.io.stderr, stderr: context.io.stderr });
      if (hasErrors(payload)) return l10n.t('Nothing was sent: fix the errors in {0} first (autopilot-devices validate shows them too).', file);
      plans.push(planImport(payload.devices, await registered(), seenImports));
    }
  }
  return mergePlans(plans);
}

export async function planCommand(files: readonly string[], options: CliOptions, context: GraphCommandContext): Promise<number> {
  return withSession(context, options, async (session) => {
    const plan = await planFiles(files, () => listRegistered(session, context), context, false);
    if (typeof plan === 'string') {
      fail(context, options, plan, { devices: [], counts: {} });
      return EXIT.failed;
    }
    context.io.stdout(options.json ? `${JSON.stringify(plan)}\n` : humanPlan(plan));
    return EXIT.ok;
  });
}

/** `--yes`, or the answer of a person at a terminal; without either, a usage error (nothing is changed). */
async function confirmed(plan: Plan, question: string, options: CliOptions, context: GraphCommandContext): Promise<boolean | 'usage'> {
  if (options.yes) return true;
  if (!context.io.ask) return 'usage';
  context.io.stderr(humanPlan(plan));
  return /^\s*y(es)?\s*$/i.test(await context.io.ask(`${question} [y/N] `));
}

/** Runs of this operation that a crash or Ctrl-C left open are finished first, in their own tenant only. */
async function finishOpenRuns(session: CliSession, operation: ChangeOperation, context: GraphCommandContext): Promise<void> {
  const tenant = await session.tenant();
  for (const run of await session.changes.unfinishedRuns()) {
    if (run.operation !== operation || !sameTenant(run.tenant, tenant)) continue;
    context.io.stderr(`autopilot-devices: ${l10n.t('finishing {0} run {1} ({2}), which was interrupted: {3} device(s) left', operation, run.id, run.source, run.counts.pending)}\n`);
    try {
      await session.changes.resume(run.id, { signal: context.io.stop });
    } catch (error) {
      if (!(error instanceof RunBusyError)) throw error;
      context.io.stderr(`autopilot-devices: ${describeFailure(error, session.failureContext)}\n`);
    }
  }
}

const FAILED_RESULTS = new Set(['failed', 'not-found', 'still-enrolled']);

async function applyPlan(session: CliSession, plan: Plan, index: RegisteredDeviceIndex, operation: ChangeOperation, source: string, options: CliOptions, context: GraphCommandContext, group?: { id: string; displayName: string }): Promise<number> {
  let last: ChangeRunView | undefined;
  const total = plan.devices.length;
  try {
    last = await session.changes.start(
      { operation, items: changeItems(plan, index, operation), source, ...(group ? { group } : {}) },
      {
        signal: context.io.stop,
        onProgress: (view) => {
          last = view;
          context.progress.show(l10n.t('{0}: {1} of {2} done', operation, view.devices.length - view.counts.pending, total));
        },
      },
    );
  } catch (error) {
    const changed = last !== undefined && last.devices.some((device) => device.result !== 'pending' && !['unchanged', 'not-found', 'still-enrolled'].includes(device.result));
    const interrupted = context.io.stop.aborted;
    const message = interrupted ? l10n.t("Interrupted; run the same command again to finish the run (nothing done is repeated).") : describeLifecycleFailure(error, session);
    fail(context, options, message, last ? resultsDocument(last, operation) : { devices: [] });
    return interrupted ? EXIT.pending : changed ? EXIT.deviceErrors : EXIT.failed;
  }
  context.progress.clear();
  if (options.json) context.io.stdout(`${JSON.stringify(resultsDocument(last, operation))}\n`);
  else {
    const counts = Object.entries(last.counts).filter(([result, count]) => count > 0 && result !== 'pending').map(([result, count]) => `${result} ${count}`);
    context.io.stdout(`${l10n.t('{0} run {1}: {2}', operation, last.id, counts.join(', '))}\n`);
    for (const device of last.devices.filter((d) => FAILED_RESULTS.has(d.result)).slice(0, 50)) context.io.stdout(`  ${device.serialNumber}  ${device.result}${device.error ? ` — ${device.error.message}` : ''}\n`);
  }
  return last.devices.some((device) => FAILED_RESULTS.has(device.result)) ? EXIT.deviceErrors : EXIT.ok;
}

export async function updateCommand(files: readonly string[], options: CliOptions, context: GraphCommandContext): Promise<number> {
  return withSession(context, options, async (session) => {
    await finishOpenRuns(session, 'update', context);
    let index: RegisteredDeviceIndex | undefined;
    const plan = await planFiles(files, async () => (index ??= await listRegistered(session, context)), context, true);
    if (typeof plan === 'string') {
      fail(context, options, plan);
      return EXIT.failed;
    }
    return decideAndApply(session, plan, index!, 'update', files.join(', '), options, context);
  });
}

async function decideAndApply(session: CliSession, plan: Plan, index: RegisteredDeviceIndex, operation: 'update' | 'delete', source: string, options: CliOptions, context: GraphCommandContext): Promise<number> {
  if (options.dryRun) {
    context.io.stdout(options.json ? `${JSON.stringify(plan)}\n` : humanPlan(plan));
    return EXIT.ok;
  }
  const answer = await confirmed(plan, operation === 'update' ? l10n.t('Apply these changes?') : l10n.t('Delete these Autopilot registrations?'), options, context);
  if (answer === 'usage') {
    fail(context, options, l10n.t("'{0}' changes devices: pass --yes to confirm (or --dry-run to see the plan), or run it in a terminal to be asked.", operation));
    return EXIT.usage;
  }
  if (!answer) {
    fail(context, options, l10n.t('Nothing was changed.'));
    return EXIT.failed;
  }
  return applyPlan(session, plan, index, operation, source, options, context);
}

/** Serials from the command line, or from a file: one per line, or a CSV with a `Serial Number` column. */
async function serialsFrom(args: readonly string[], options: CliOptions): Promise<string[]> {
  if (options.file === undefined) return [...args];
  const text = (await fs.readFile(options.file)).toString('utf8');
  if (listsSerials(text)) return parseUpdateText(text, options.file).updates.map((update) => update.serialNumber);
  return text.replace(/^\uFEFF/, '').split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !line.startsWith('#'));
}

export async function deleteCommand(args: readonly string[], options: CliOptions, context: GraphCommandContext): Promise<number> {
  return withSession(context, options, async (session) => {
    await finishOpenRuns(session, 'delete', context);
    const serials = await serialsFrom(args, options);
    const index = await listRegistered(session, context);
    const plan = planRemoval(serials, index);
    if (!options.json && !options.dryRun) {
      context.io.stderr(`${l10n.t('Deleting removes the Autopilot registration only: the Intune managed device and the Entra device stay; a device still enrolled in Intune is not deleted (remove it from Intune first).')}\n`);
    }
    return decideAndApply(session, plan, index, 'delete', options.file ?? l10n.t('{0} serial number(s)', serials.length), options, context);
  });
}

export async function addToGroupCommand(args: readonly string[], options: CliOptions, context: GraphCommandContext): Promise<number> {
  const [groupArgument, ...rest] = args;
  return withSession(context, options, async (session) => {
    await finishOpenRuns(session, 'add-to-group', context);
    const group = await resolveGroup(session, groupArgument!, context);
    if (typeof group === 'string') {
      fail(context, options, group);
      return EXIT.failed;
    }
    const serials = await serialsFrom(rest, options);
    const index = await listRegistered(session, context);
    return applyPlan(session, planRemoval(serials, index, { retire: true }), index, 'add-to-group', options.file ?? l10n.t('{0} serial number(s)', serials.length), options, context, group);
  });
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A group by id, or by name: exactly one group of that name (case-insensitive), else a sentence naming the candidates. */
async function resolveGroup(session: CliSession, text: string, context: GraphCommandContext): Promise<{ id: string; displayName: string } | string> {
  if (GUID.test(text)) {
    const group = await session.directory.getGroup(text, context.io.stop);
    if (group) return { id: group.id, displayName: group.displayName ?? text };
  }
  const found = await session.directory.searchGroups(text, context.io.stop);
  const exact = found.filter((group) => (group.displayName ?? '').toLowerCase() === text.trim().toLowerCase());
  if (exact.length === 1) return { id: exact[0]!.id, displayName: exact[0]!.displayName ?? text };
  if (exact.length > 1) return l10n.t('{0} groups are named "{1}": give the group id instead ({2}).', exact.length, text, exact.map((group) => group.id).join(', '));
  return found.length
    ? l10n.t('No group is named "{0}"; groups starting with it: {1}.', text, found.slice(0, 10).map((group) => `"${group.displayName ?? ''}" (${group.id})`).join(', '))
    : l10n.t('No group is named "{0}".', text);
}
