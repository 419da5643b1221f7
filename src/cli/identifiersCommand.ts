/**
 * `autopilot-devices identifiers import|list|delete` (SPEC 6.3): corporate identifiers for Autopilot device
 * preparation. `--json` prints `{"identifiers":[{"identifier","id","result","enrollmentState"}]}`.
 *
 * An import interrupted by Ctrl-C or a crash stays in the journal; the next `identifiers import` finishes it first
 * (settling and checking what was unconfirmed), then imports what its files add.
 */
import * as l10n from '@vscode/l10n';
import { CorporateIdentifierGraph, lastContact } from '../graph/corporateIdentifiers';
import { identifierJournal, type IdentifierRunView, type IdentifierView } from '../import/corporateIdentifiers/identifierRun';
import { IdentifierImporter } from '../import/corporateIdentifiers/identifierImporter';
import { searchIdentifiers } from '../import/corporateIdentifiers/identifierSearch';
import { hasErrors, identifierText, readPayloadFile } from '../payload/api';
import type { CliOptions, IdentifiersCommandName } from './args';
import { startSession, type GraphCommandContext } from './commandContext';
import { describeFailure } from '../import/failures';
import { EXIT } from './output';
import type { CliSession } from './session';
import { RunBusyError, RunFailedError } from '../import/errors';

interface IdentifierLine {
  readonly identifier: string;
  readonly id: string | null;
  readonly result?: string;
  readonly enrollmentState: string | null;
  readonly lastContactedDateTime?: string | null;
  readonly error?: string;
}

const MAX_LISTED = 50;

function print(context: GraphCommandContext, options: CliOptions, lines: readonly IdentifierLine[], human: string, error?: string): void {
  context.progress.clear();
  if (options.json) context.io.stdout(`${JSON.stringify({ identifiers: lines, ...(error ? { error } : {}) })}\n`);
  else context.io.stdout(human);
}

function fail(context: GraphCommandContext, options: CliOptions, message: string, lines: readonly IdentifierLine[] = []): void {
  context.progress.clear();
  context.io.stderr(`autopilot-devices: ${message}\n`);
  if (options.json) context.io.stdout(`${JSON.stringify({ identifiers: lines, error: message })}\n`);
}

function stateWords(state: string | null): string {
  if (!state) return '-';
  return state.replace(/[A-Z]/g, (letter) => ` ${letter.toLowerCase()}`);
}

function open(context: GraphCommandContext, options: CliOptions): { session: CliSession; graph: CorporateIdentifierGraph } | undefined {
  try {
    const session = startSession(context, options);
    return { session, graph: new CorporateIdentifierGraph(session.client) };
  } catch (error) {
    fail(context, options, describeFailure(error, { surface: 'terminal' }));
    return undefined;
  }
}

export async function identifiersCommand(command: IdentifiersCommandName, values: readonly string[], options: CliOptions, context: GraphCommandContext): Promise<number> {
  switch (command) {
    case 'identifiers import':
      return importIdentifiers(values, options, context);
    case 'identifiers list':
      return listIdentifiers(options, context);
    case 'identifiers delete':
      return deleteIdentifiers(values, options, context);
  }
}

/** The identifiers of the files, in order, each once; undefined (after saying why) when a file has errors. */
async function readFiles(files: readonly string[], options: CliOptions, context: GraphCommandContext): Promise<string[] | undefined> {
  const identifiers: string[] = [];
  let invalid = false;
  for (const file of files) {
    const payload = await readPayloadFile(file, 'corporate-identifiers');
    // The same lines `validate` prints, on stderr, so stdout stays for the result.
    for (const p of payload.problems) context.io.stderr(`${file}:${p.line}:${p.column}: ${p.severity} ${p.code}: ${p.message}\n`);
    invalid ||= hasErrors(payload);
    identifiers.push(...(payload.identifiers ?? []).map(identifierText));
  }
  if (invalid) {
    fail(context, options, l10n.t('Nothing was sent: fix the errors above (autopilot-devices validate shows them too).'));
    return undefined;
  }
  return [...new Set(identifiers)];
}

function lineOf(view: IdentifierView): IdentifierLine {
  return { identifier: view.identifier, id: view.id, result: view.result, enrollmentState: view.enrollmentState, ...(view.error ? { error: view.error } : {}) };
}

function importSummary(lines: readonly IdentifierLine[], overwrite: boolean): string {
  const count = (result: string) => lines.filter((line) => line.result === result).length;
  const out = [
    l10n.t('{0} corporate identifiers: imported {1}, already in Intune {2}{3}, failed {4}, pending {5}', lines.length, count('imported'), count('exists'), overwrite ? '' : l10n.t(' (skipped; --overwrite replaces them)'), count('failed'), count('pending')),
  ];
  const failed = lines.filter((line) => line.result === 'failed');
  for (const line of failed.slice(0, MAX_LISTED)) out.push(`  ${line.identifier}  ${l10n.t('failed')} — ${line.error ?? ''}`);
  if (failed.length > MAX_LISTED) out.push(`  ${l10n.t('… and {0} more (see --json)', failed.length - MAX_LISTED)}`);
  if (count('pending')) out.push(`  ${l10n.t("Interrupted: run the same 'autopilot-devices identifiers import' again to finish (it checks Graph before sending anything again).")}`);
  return `${out.join('\n')}\n`;
}

async function importIdentifiers(files: readonly string[], options: CliOptions, context: GraphCommandContext): Promise<number> {
  const wanted = await readFiles(files, options, context);
  if (!wanted) return EXIT.failed;
  const opened = open(context, options);
  if (!opened) return EXIT.failed;
  const { session, graph } = opened;
  const importer = new IdentifierImporter({
    graph,
    journal: identifierJournal(session.journal.directory),
    logger: context.logger,
    settings: { chunkSize: options.batchSize, settleMs: session.engine.settings.settleMs },
    // A run belongs to the tenant of the credentials it was started with (SPEC 6.1), as hash imports do.
    tenant: () => session.credential.tenant(),
  });
  importer.events.on((event) => {
    if (event.type === 'checking') context.progress.show(l10n.t('Checking which of {0} identifiers Intune has already…', event.identifiers));
    if (event.type === 'sending') context.progress.show(l10n.t('Sending chunk {0} ({1} identifiers)…', event.send, event.identifiers));
    if (event.type === 'settling') context.progress.show(l10n.t('Graph did not confirm {0} identifiers; waiting {1} s for it to commit them before checking…', event.identifiers, (event.waitMs / 1000).toFixed(1)));
  });
  const results = new Map<string, IdentifierView>();
  const runs: IdentifierRunView[] = [];
  let runId: string | undefined;
  try {
    const { mine, others } = await importer.unfinishedRuns();
    for (const other of others) {
      const owner = other.tenant ? l10n.t('tenant {0}', other.tenant.label) : l10n.t('an unrecorded tenant');
      context.io.stderr(`autopilot-devices: ${l10n.t('the interrupted import of corporate identifiers {0} belongs to {1}, not to these credentials; it is left for that tenant', other.id, owner)}\n`);
    }
    for (const unfinished of mine) {
      runId = unfinished.id;
      context.io.stderr(`autopilot-devices: ${l10n.t('finishing the interrupted import of {0} identifiers from {1} (started {2}) first', unfinished.identifiers.length, unfinished.source, unfinished.startedAt)}\n`);
      runs.push((await importer.resume(unfinished.id, { stop: context.io.stop })).run);
      if (context.io.stop.aborted) break;
    }
    for (const run of runs) for (const view of run.identifiers) results.set(view.identifier, view);
    const fresh = wanted.filter((identifier) => (results.get(identifier)?.result ?? 'pending') === 'pending');
    if (fresh.length && !context.io.stop.aborted) {
      runId = undefined;
      const result = await importer.start(fresh, { source: files.join(', '), overwrite: options.overwrite === true, stop: context.io.stop });
      runs.push(result.run);
      for (const view of result.run.identifiers) results.set(view.identifier, view);
    }
  } catch (error) {
    const failedRun = error instanceof RunFailedError ? (error.discarded ? undefined : error.runId) : runId;
    const lines = failedRun ? (await importer.view(failedRun)).identifiers.map(lineOf) : [];
    fail(context, options, describeFailure(error, session.failureContext), lines);
    // Another process holds the run: nothing was sent for it here.
    if (error instanceof RunBusyError) return EXIT.failed;
    return lines.some((line) => line.result === 'imported') ? EXIT.pending : EXIT.failed;
  } finally {
    session.dispose();
  }
  // The files' identifiers first, in their order, then the others a finished earlier run reported.
  const ordered = [...wanted.map((identifier) => results.get(identifier)), ...[...results.values()].filter((view) => !wanted.includes(view.identifier))];
  const lines = ordered.map((view, index) => (view ? lineOf(view) : { identifier: wanted[index]!, id: null, result: 'pending', enrollmentState: null }));
  print(context, options, lines, importSummary(lines, options.overwrite === true));
  if (lines.some((line) => line.result === 'pending')) return EXIT.pending;
  return lines.some((line) => line.result === 'failed') ? EXIT.deviceErrors : EXIT.ok;
}

async function listIdentifiers(options: CliOptions, context: GraphCommandContext): Promise<number> {
  const opened = open(context, options);
  if (!opened) return EXIT.failed;
  const { session, graph } = opened;
  try {
    context.progress.show(l10n.t('Listing corporate identifiers…'));
    const records = (await graph.listAll(context.io.stop)).sort((a, b) => a.importedDeviceIdentifier.localeCompare(b.importedDeviceIdentifier));
    const lines: IdentifierLine[] = records.map((record) => ({
      identifier: record.importedDeviceIdentifier,
      id: record.id,
      enrollmentState: typeof record.enrollmentState === 'string' ? record.enrollmentState : null,
      lastContactedDateTime: lastContact(record.lastContactedDateTime)?.toISOString() ?? null,
    }));
    const width = Math.min(60, Math.max(10, ...lines.map((line) => line.identifier.length)));
    const human = [
      ...lines.map((line) => `${line.identifier.padEnd(width)}  ${stateWords(line.enrollmentState).padEnd(14)}  ${line.lastContactedDateTime ? l10n.t('last contact {0}', line.lastContactedDateTime) : l10n.t('never contacted')}`),
      l10n.t('{0} corporate identifiers', lines.length),
    ].join('\n');
    print(context, options, lines, `${human}\n`);
    return EXIT.ok;
  } catch (error) {
    fail(context, options, describeFailure(error, session.failureContext));
    return EXIT.failed;
  } finally {
    session.dispose();
  }
}

async function deleteIdentifiers(values: readonly string[], options: CliOptions, context: GraphCommandContext): Promise<number> {
  const { io } = context;
  const identifiers = [...new Set(values.map((value) => value.trim()))];
  if (!options.yes && !io.ask) {
    fail(context, options, l10n.t('identifiers delete changes the tenant: pass --yes to delete without a question (stdin is not a terminal to ask on).'));
    return EXIT.usage;
  }
  const opened = open(context, options);
  if (!opened) return EXIT.failed;
  const { session, graph } = opened;
  const lines = new Map<number, IdentifierLine>();
  const ordered = () => identifiers.map((identifier, index) => lines.get(index) ?? { identifier, id: null, result: 'pending', enrollmentState: null });
  try {
    context.progress.show(l10n.t('Looking up {0} identifiers…', identifiers.length));
    const all = identifiers.map((_, index) => index);
    const { found, refused } = await searchIdentifiers(graph, identifiers, all, 500, io.stop);
    for (const refusal of refused) for (const index of refusal.items) lines.set(index, { identifier: identifiers[index]!, id: null, result: 'failed', enrollmentState: null, error: `${refusal.error.status} ${refusal.error.code}: ${refusal.error.message}` });
    const targets = new Map(found.map((snapshot) => [snapshot.item, snapshot]));
    for (const index of all) if (!targets.has(index) && !lines.has(index)) lines.set(index, { identifier: identifiers[index]!, id: null, result: 'not-found', enrollmentState: null });
    if (!options.yes && targets.size) {
      context.progress.clear();
      for (const [index, snapshot] of targets) io.stderr(`  ${identifiers[index]}  (${stateWords(snapshot.enrollmentState)})\n`);
      const answer = await io.ask!(l10n.t('Delete these {0} corporate identifiers from Intune? Devices that enroll with them later are no longer recognised as corporate. [y/N] ', targets.size));
      if (!/^y(es)?$/i.test(answer.trim())) {
        fail(context, options, l10n.t('Nothing was deleted.'), ordered());
        return EXIT.failed;
      }
    }
    // One call per identifier: Graph has no bulk delete (facts §5.2).
    for (const [index, snapshot] of targets) {
      context.progress.show(l10n.t('Deleting {0}…', identifiers[index]!));
      try {
        const outcome = await graph.delete(snapshot.id, io.stop);
        lines.set(index, { identifier: identifiers[index]!, id: snapshot.id, result: outcome, enrollmentState: snapshot.enrollmentState });
      } catch (error) {
        if (io.stop.aborted) throw error;
        lines.set(index, { identifier: identifiers[index]!, id: snapshot.id, result: 'failed', enrollmentState: snapshot.enrollmentState, error: describeFailure(error, session.failureContext) });
      }
    }
  } catch (error) {
    const done = ordered();
    fail(context, options, describeFailure(error, session.failureContext), done);
    return done.some((line) => line.result === 'deleted') ? EXIT.pending : EXIT.failed;
  } finally {
    session.dispose();
  }
  const done = ordered();
  const human = done.map((line) => `${line.identifier}  ${line.result}${line.error ? ` — ${line.error}` : ''}`).join('\n');
  print(context, options, done, `${human}\n`);
  return done.some((line) => line.result === 'failed') ? EXIT.deviceErrors : EXIT.ok;
}
