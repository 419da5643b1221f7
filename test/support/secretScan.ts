/**
 * Finds secrets in text a user or a log collector would see: whole tokens, product keys and hardware hashes, and any
 * 20-character piece of a hash (a truncated or wrapped hash is still a hash). Used on engine logs, CLI output and the
 * extension's log file.
 */

/** Long enough that a match is a leak, not a coincidence (Base64 has 64 symbols: 64^20 ≈ 10^36). */
export const HASH_WINDOW = 20;

export interface Secrets {
  readonly hashes?: readonly string[];
  readonly productKeys?: readonly string[];
  readonly tokens?: readonly string[];
}

/** What leaked, as short descriptions (never the secret itself, so a failing assertion does not print it either). */
export function findSecrets(text: string, secrets: Secrets): string[] {
  const found: string[] = [];
  const windows = new Map<string, number>();
  (secrets.hashes ?? []).forEach((hash, index) => {
    for (let at = 0; at + HASH_WINDOW <= hash.length; at += 1) windows.set(hash.slice(at, at + HASH_WINDOW), index);
  });
  for (let at = 0; at + HASH_WINDOW <= text.length; at += 1) {
    const index = windows.get(text.slice(at, at + HASH_WINDOW));
    if (index !== undefined) {
      found.push(`hash #${index} (at offset ${at}, line ${text.slice(0, at).split('\n').length})`);
      // One report per line is enough.
      const newline = text.indexOf('\n', at);
      if (newline === -1) break;
      at = newline;
    }
  }
  (secrets.productKeys ?? []).forEach((key, index) => {
    for (const form of new Set([key, key.replace(/-/g, '')])) if (text.includes(form)) found.push(`product key #${index}`);
  });
  (secrets.tokens ?? []).forEach((token, index) => {
    if (text.includes(token)) found.push(`token #${index}`);
  });
  return found;
}

/** A product key of the usual shape, distinct per seed. */
export function productKeyFor(seed: number): string {
  const digits = (n: number) => String(n).padStart(5, '0');
  return `${digits((seed * 7919) % 100_000)}-${digits((seed * 104_729) % 100_000)}-${digits((seed * 1_299_709) % 100_000)}-AA${digits(seed).slice(2)}`;
}
