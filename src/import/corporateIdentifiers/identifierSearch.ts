/**
 * `searchExistingIdentities` for many identifiers: in chunks, each answer matched back to what was asked (Graph's
 * answers are unordered and may spell an identifier differently), and a 400 — Graph refuses the whole request when it
 * dislikes one identifier ("Invalid Device Identifier parameter found for N import records!") — narrowed down by
 * halving until the refused identifiers stand alone.
 */
import { GraphError } from '../../graph/errors';
import type { CorporateIdentifierGraph, ImportedDeviceIdentityRecord } from '../../graph/corporateIdentifiers';
import { identifierKey } from '../../payload/corporateIdentifiers/identifier';
import type { SendError } from '../journal';
import type { IdentitySnapshot } from './identifierRun';

export interface SearchResult {
  /** Items Graph has a record for, with that record. */
  readonly found: readonly IdentitySnapshot[];
  /** Items Graph refused to search for, with its words. */
  readonly refused: readonly { readonly items: readonly number[]; readonly error: SendError }[];
}

export function sendErrorOf(error: unknown): SendError {
  if (error instanceof GraphError) return { status: error.status, code: error.code, message: error.graphMessage };
  return { status: 0, code: error instanceof Error ? error.name : 'Error', message: error instanceof Error ? error.message : String(error) };
}

export function snapshotOf(item: number, record: Partial<ImportedDeviceIdentityRecord>): IdentitySnapshot {
  return {
    item,
    id: String(record.id ?? ''),
    enrollmentState: typeof record.enrollmentState === 'string' ? record.enrollmentState : null,
    lastContactedDateTime: record.lastContactedDateTime ?? null,
    lastModifiedDateTime: record.lastModifiedDateTime ?? null,
  };
}

/**
 * Pairs records with the items they are for: the same text first, then the loose key (`identifierKey`). Each record
 * serves one item; items without one are absent from the map.
 */
export function matchRecords<T extends { importedDeviceIdentifier?: string | null }>(identifiers: readonly string[], items: readonly number[], records: readonly T[]): Map<number, T> {
  const left = [...records];
  const matched = new Map<number, T>();
  const take = (item: number, test: (record: T) => boolean) => {
    const at = left.findIndex(test);
    if (at >= 0) matched.set(item, left.splice(at, 1)[0]!);
  };
  for (const item of items) take(item, (record) => record.importedDeviceIdentifier === identifiers[item]);
  for (const item of items) {
    if (matched.has(item)) continue;
    const key = identifierKey(identifiers[item]!);
    take(item, (record) => typeof record.importedDeviceIdentifier === 'string' && identifierKey(record.importedDeviceIdentifier) === key);
  }
  return matched;
}

export function chunked<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let at = 0; at < items.length; at += size) chunks.push(items.slice(at, at + size));
  return chunks;
}

/** Searches for `items` (indexes into `identifiers`), `chunkSize` per call. Errors other than a 400 are thrown. */
export async function searchIdentifiers(
  graph: CorporateIdentifierGraph,
  identifiers: readonly string[],
  items: readonly number[],
  chunkSize: number,
  signal?: AbortSignal,
): Promise<SearchResult> {
  const found: IdentitySnapshot[] = [];
  const refused: { items: number[]; error: SendError }[] = [];
  const queue = chunked(items, chunkSize);
  while (queue.length) {
    const chunk = queue.shift()!;
    try {
      const records = await graph.search(
        chunk.map((item) => identifiers[item]!),
        signal,
      );
      for (const [item, record] of matchRecords(identifiers, chunk, records)) found.push(snapshotOf(item, record));
    } catch (error) {
      if (!(error instanceof GraphError) || error.status !== 400) throw error;
      if (chunk.length === 1) refused.push({ items: chunk, error: sendErrorOf(error) });
      else queue.unshift(chunk.slice(0, Math.ceil(chunk.length / 2)), chunk.slice(Math.ceil(chunk.length / 2)));
    }
  }
  return { found, refused };
}
