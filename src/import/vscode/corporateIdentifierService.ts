/**
 * The extension's side of corporate identifiers: lists the tenant's identifiers into the view's model, plans and runs
 * imports through the journaled importer, finishes imports a closed window interrupted, and deletes identifiers (one
 * call each). It borrows the import service's Graph session for the active account, so the write budget, the tenant
 * and the account checks are the same for both kinds of import. Commands call it; the tree reads the model.
 */
import { isUserCancelled } from '../../common/errors';
import type { Logger } from '../../common/logger';
import type { CorporateIdentifierGraph, ImportedDeviceIdentityRecord } from '../../graph/corporateIdentifiers';
import type { IdentifierRunView } from '../corporateIdentifiers/identifierRun';
import type { IdentifierImporter, IdentifierPlan, IdentifierRunResult } from '../corporateIdentifiers/identifierImporter';
import { recordView, type CorporateIdentifiersModel, type IdentifierRecordView } from './corporateIdentifiersModel';
import type { EngineSession } from './engineSessions';
import { errorForUser } from './importService';

export interface CorporateIdentifierServiceOptions {
  readonly model: CorporateIdentifiersModel;
  readonly log: Logger;
  readonly journalDirectory: string;
  /** Runs work with the Graph session of the active account, held until the work ends (rejects when signed out). */
  readonly useSession: <T>(work: (session: EngineSession) => Promise<T>) => Promise<T>;
  /** Identifiers per call (`autopilot.identifiers.batchSize`). */
  readonly chunkSize: () => number;
}

export interface DeleteOutcome {
  readonly deleted: IdentifierRecordView[];
  readonly failed: { readonly record: IdentifierRecordView; readonly error: string }[];
}

interface Connected {
  readonly session: EngineSession;
  readonly graph: CorporateIdentifierGraph;
  readonly importer: IdentifierImporter;
}

/** Graph's 403 for identifiers names the role and the permission they need. */
export function identifierErrorForUser(error: unknown, accountKind: 'user' | 'app'): unknown {
  return errorForUser(error, accountKind, 'identifiers');
}

export class CorporateIdentifierService {
  private readonly disposed = new AbortController();
  private listing: Promise<void> | undefined;

  constructor(private readonly options: CorporateIdentifierServiceOptions) {}

  get model(): CorporateIdentifiersModel {
    return this.options.model;
  }

  private async connect(session: EngineSession): Promise<Connected> {
    const [{ CorporateIdentifierGraph }, { IdentifierImporter }, { identifierJournal }] = await Promise.all([
      import('../../graph/corporateIdentifiers'),
      import('../corporateIdentifiers/identifierImporter'),
      import('../corporateIdentifiers/identifierRun'),
    ]);
    const graph = new CorporateIdentifierGraph(session.engine.graph.client);
    const importer = new IdentifierImporter({
      graph,
      journal: identifierJournal(this.options.journalDirectory),
      logger: this.options.log,
      settings: { chunkSize: this.options.chunkSize(), settleMs: session.engine.settings.settleMs },
      // Runs belong to the signed-in account's tenant, as hash imports do.
      tenant: () => Promise.resolve(session.tenant),
    });
    return { session, graph, importer };
  }

  private withGraph<T>(work: (connected: Connected) => Promise<T>): Promise<T> {
    return this.options.useSession(async (session) => {
      const connected = await this.connect(session);
      try {
        return await work(connected);
      } catch (error) {
        throw identifierErrorForUser(error, session.account.kind);
      }
    });
  }

  /** Lists the tenant's identifiers into the model (one listing at a time). Failures are kept in the model too. */
  refresh(): Promise<void> {
    this.listing ??= this.list().finally(() => (this.listing = undefined));
    return this.listing;
  }

  private async list(): Promise<void> {
    this.model.setReading();
    try {
      await this.withGraph(async ({ session, graph }) => {
        const records = await graph.listAll(this.disposed.signal);
        this.model.replaceAll(records.map(recordView), session.tenant.label);
        this.options.log.info(`Listed ${records.length} corporate identifiers of ${session.tenant.label}`);
      });
    } catch (error) {
      if (isUserCancelled(error)) return;
      this.model.setFailed(error instanceof Error ? error.message : String(error));
      throw error;
    }
  }

  /** Which identifiers the tenant has already (sends nothing). */
  async plan(identifiers: readonly string[], signal?: AbortSignal): Promise<{ plan: IdentifierPlan; tenant: string }> {
    return this.withGraph(async ({ importer, session }) => ({ plan: await importer.plan(identifiers, signal ?? this.disposed.signal), tenant: session.tenant.label }));
  }

  /** Imports under the journal; the identifiers Graph confirmed go into the view at once. */
  async import(
    identifiers: readonly string[],
    options: { source: string; overwrite: boolean; plan?: IdentifierPlan; cancel?: AbortSignal; onProgress?: (view: IdentifierRunView) => void },
  ): Promise<IdentifierRunResult> {
    return this.withGraph(async ({ importer }) => {
      const subscription = importer.events.on((event) => (event.type === 'progress' ? options.onProgress?.(event.view) : undefined));
      try {
        const result = await importer.start(identifiers, { source: options.source, overwrite: options.overwrite, plan: options.plan, cancel: options.cancel, stop: this.disposed.signal });
        this.learn(result.run);
        return result;
      } finally {
        subscription.dispose();
      }
    });
  }

  /** Imports of this tenant a closed window or a stopped progress left unfinished. */
  async unfinished(): Promise<IdentifierRunView[]> {
    return this.withGraph(async ({ importer }) => (await importer.unfinishedRuns()).mine);
  }

  async resume(runId: string, options: { cancel?: AbortSignal; onProgress?: (view: IdentifierRunView) => void } = {}): Promise<IdentifierRunResult> {
    return this.withGraph(async ({ importer }) => {
      const subscription = importer.events.on((event) => (event.type === 'progress' ? options.onProgress?.(event.view) : undefined));
      try {
        const result = await importer.resume(runId, { cancel: options.cancel, stop: this.disposed.signal });
        this.learn(result.run);
        return result;
      } finally {
        subscription.dispose();
      }
    });
  }

  /** Deletes identifiers one call each (Graph has no bulk delete); `onDeleted` follows along. */
  async delete(records: readonly IdentifierRecordView[], onDeleted?: (done: number) => void, cancel?: AbortSignal): Promise<DeleteOutcome> {
    return this.withGraph(async ({ graph, session }) => {
      const outcome: DeleteOutcome = { deleted: [], failed: [] };
      for (const record of records) {
        if (cancel?.aborted) break;
        try {
          await graph.delete(record.id, this.disposed.signal);
          outcome.deleted.push(record);
        } catch (error) {
          if (isUserCancelled(error)) throw error;
          const shown = identifierErrorForUser(error, session.account.kind);
          outcome.failed.push({ record, error: shown instanceof Error ? shown.message : String(shown) });
          this.options.log.warn(`Deleting corporate identifier ${record.identifier} failed: ${error instanceof Error ? error.message : String(error)}`);
        }
        onDeleted?.(outcome.deleted.length + outcome.failed.length);
      }
      this.model.remove(outcome.deleted.map((record) => record.id));
      this.options.log.info(`Deleted ${outcome.deleted.length} corporate identifiers of ${session.tenant.label}; ${outcome.failed.length} failed`);
      return outcome;
    });
  }

  /** What a run added to the tenant, shown at once (the next listing brings the rest of each record). */
  private learn(run: IdentifierRunView): void {
    if (this.model.state !== 'read') return;
    const known: ImportedDeviceIdentityRecord[] = run.identifiers
      .filter((item) => item.id && item.result === 'imported')
      .map((item) => ({ id: item.id!, importedDeviceIdentifier: item.identifier, enrollmentState: item.enrollmentState ?? undefined, lastContactedDateTime: item.lastContactedDateTime }));
    this.model.merge(known.map(recordView));
  }

  dispose(): void {
    this.disposed.abort();
  }
}
