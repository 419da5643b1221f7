/**
 * Records by id that can also be found by hardware hash. Intune decides 806 and ZtdDeviceDuplicated by the hash; a
 * scan of every record of the tenant for each record of an `/import` made the emulator, not the client, the slowest
 * part of the import benchmark once tenants held thousands of records.
 */
export interface HashedRecord {
  readonly id: string;
  readonly hardwareIdentifier: string | null;
}

export class HashIndexedRecords<T extends HashedRecord> extends Map<string, T> {
  private readonly byHash = new Map<string, Set<T>>();

  override set(id: string, record: T): this {
    this.unindex(this.get(id));
    super.set(id, record);
    if (record.hardwareIdentifier !== null) {
      let records = this.byHash.get(record.hardwareIdentifier);
      if (!records) this.byHash.set(record.hardwareIdentifier, (records = new Set()));
      records.add(record);
    }
    return this;
  }

  override delete(id: string): boolean {
    this.unindex(this.get(id));
    return super.delete(id);
  }

  override clear(): void {
    this.byHash.clear();
    super.clear();
  }

  /** The records with this hash, in no particular order. */
  withHash(hash: string): Iterable<T> {
    return this.byHash.get(hash) ?? [];
  }

  private unindex(record: T | undefined): void {
    if (record?.hardwareIdentifier == null) return;
    const records = this.byHash.get(record.hardwareIdentifier);
    records?.delete(record);
    if (records?.size === 0) this.byHash.delete(record.hardwareIdentifier);
  }
}
