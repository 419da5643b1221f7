/**
 * What the Corporate Identifiers view shows: the tenant's identifiers as Graph last listed them, and whether that list
 * is being read, failed, or was never read. The identifier service feeds it; the tree, the hovers and the commands
 * read it. No `vscode` and no HTTP here.
 */
import { Emitter, type Subscription } from '../events';
import { identifierKey, parseIdentifierText } from '../../payload/corporateIdentifiers/identifier';

export interface IdentifierRecordView {
  readonly id: string;
  readonly identifier: string;
  readonly manufacturer: string;
  readonly model: string;
  readonly serialNumber: string;
  readonly enrollmentState: string | null;
  readonly lastContactedDateTime: string | null;
  readonly createdDateTime: string | null;
  readonly description: string | null;
}

export type ListState = 'not-read' | 'reading' | 'read' | 'failed';

/** A Graph record as the view needs it; an identifier that does not split into three values keeps it whole as serial. */
export function recordView(record: {
  id: string;
  importedDeviceIdentifier: string;
  enrollmentState?: string | null;
  lastContactedDateTime?: string | null;
  createdDateTime?: string | null;
  description?: string | null;
}): IdentifierRecordView {
  const parts = parseIdentifierText(record.importedDeviceIdentifier) ?? { manufacturer: '', model: '', serialNumber: record.importedDeviceIdentifier };
  return {
    id: record.id,
    identifier: record.importedDeviceIdentifier,
    ...parts,
    enrollmentState: typeof record.enrollmentState === 'string' ? record.enrollmentState : null,
    lastContactedDateTime: record.lastContactedDateTime ?? null,
    createdDateTime: record.createdDateTime ?? null,
    description: record.description ?? null,
  };
}

export class CorporateIdentifiersModel {
  private readonly changes = new Emitter<void>();
  private readonly byId = new Map<string, IdentifierRecordView>();
  private readonly byKey = new Map<string, IdentifierRecordView>();
  private listState: ListState = 'not-read';
  private failure: string | undefined;
  /** The tenant the list belongs to (its label), so a list of another account is never shown as this one's. */
  private tenantLabel: string | undefined;

  onDidChange(listener: () => void): Subscription {
    return this.changes.on(listener);
  }

  get state(): ListState {
    return this.listState;
  }

  get problem(): string | undefined {
    return this.failure;
  }

  get tenant(): string | undefined {
    return this.tenantLabel;
  }

  records(): IdentifierRecordView[] {
    return [...this.byId.values()];
  }

  record(id: string): IdentifierRecordView | undefined {
    return this.byId.get(id);
  }

  /** The record for an identifier as the tenant compares them, `absent`, or undefined while the list is unread. */
  lookup(identifier: string): IdentifierRecordView | 'absent' | undefined {
    if (this.listState !== 'read') return undefined;
    return this.byKey.get(identifierKey(identifier)) ?? 'absent';
  }

  setReading(): void {
    this.listState = 'reading';
    this.changes.fire();
  }

  setFailed(problem: string): void {
    this.listState = 'failed';
    this.failure = problem;
    this.changes.fire();
  }

  /** The whole list, as Graph gave it for `tenant`. */
  replaceAll(records: readonly IdentifierRecordView[], tenant: string): void {
    this.byId.clear();
    this.byKey.clear();
    for (const record of records) this.put(record);
    this.listState = 'read';
    this.failure = undefined;
    this.tenantLabel = tenant;
    this.changes.fire();
  }

  /** Records an import or a search just learned (the list stays as read otherwise). */
  merge(records: readonly IdentifierRecordView[]): void {
    for (const record of records) this.put(record);
    this.changes.fire();
  }

  remove(ids: readonly string[]): void {
    for (const id of ids) {
      const record = this.byId.get(id);
      if (!record) continue;
      this.byId.delete(id);
      this.byKey.delete(identifierKey(record.identifier));
    }
    this.changes.fire();
  }

  /** Forgets the list (signed out, another account): it is read again for the next one. */
  clear(): void {
    this.byId.clear();
    this.byKey.clear();
    this.listState = 'not-read';
    this.failure = undefined;
    this.tenantLabel = undefined;
    this.changes.fire();
  }

  private put(record: IdentifierRecordView): void {
    const previous = this.byKey.get(identifierKey(record.identifier));
    if (previous && previous.id !== record.id) this.byId.delete(previous.id);
    this.byId.set(record.id, record);
    this.byKey.set(identifierKey(record.identifier), record);
  }
}
