/**
 * Hardware hashes: Graph's `hardwareIdentifier` is an Edm.Binary that Autopilot only accepts as padded standard
 * Base64 ("Cannot convert the literal … to the expected type 'Edm.Binary'" otherwise).
 */

/** Size range a real hash decodes to: OA3Tool and the MDM bridge produce about 4 KB. */
export const PLAUSIBLE_HASH_BYTES = { min: 100, max: 16 * 1024 } as const;

export type HashVerdict =
  | { readonly kind: 'valid'; readonly bytes: number }
  | { readonly kind: 'invalid-character'; readonly index: number }
  | { readonly kind: 'base64url'; readonly index: number }
  | { readonly kind: 'padding'; readonly repaired: string; readonly bytes: number };

let scratch = Buffer.alloc(16 * 1024);

/** Bytes a padded Base64 string of this length and padding decodes to, or -1 when the padding cannot be right. */
function expectedBytes(length: number, padding: number): number {
  if (length % 4 !== 0 || padding > 2) return -1;
  return (length / 4) * 3 - padding;
}

function trailingPadding(hash: string): number {
  let padding = 0;
  while (padding < hash.length && hash.charCodeAt(hash.length - 1 - padding) === 0x3d) padding += 1;
  return padding;
}

/**
 * True when `hash` is strict padded standard Base64. Node's decoder skips or stops at characters outside the
 * alphabet, so such a string always decodes to fewer bytes than its length promises; writing into a reused buffer
 * checks a 4 KB hash in microseconds and allocates nothing (a regular expression would take 20× longer).
 */
function decodedLengthIfValid(hash: string): number {
  const expected = expectedBytes(hash.length, trailingPadding(hash));
  if (expected < 0 || hash.indexOf('-') !== -1 || hash.indexOf('_') !== -1) return -1;
  if (scratch.length < expected + 4) scratch = Buffer.alloc(expected * 2);
  return scratch.write(hash, 0, 'base64') === expected ? expected : -1;
}

export function isPaddedBase64(hash: string): boolean {
  return decodedLengthIfValid(hash) >= 0;
}

/**
 * The repair from Microsoft's Autopilot troubleshooting guide: while the hash does not decode, replace a final `==`
 * with `A`, otherwise append `=`. (The `A`s it leaves at the end are empty data.)
 */
export function repairPadding(hash: string): string | undefined {
  let candidate = hash.replace(/={3,}$/, '==');
  for (let attempt = 0; attempt < 8; attempt += 1) {
    if (isPaddedBase64(candidate)) return candidate;
    candidate = candidate.endsWith('==') ? `${candidate.slice(0, -2)}A` : `${candidate}=`;
  }
  return undefined;
}

export function analyseHardwareHash(hash: string): HashVerdict {
  const bytes = decodedLengthIfValid(hash);
  if (bytes >= 0) return { kind: 'valid', bytes };
  // The slow path runs only for hashes that are wrong.
  const padding = trailingPadding(hash);
  const body = hash.slice(0, hash.length - padding);
  const stray = body.search(/[^A-Za-z0-9+/]/);
  if (stray !== -1) {
    const char = body[stray];
    return char === '-' || char === '_' ? { kind: 'base64url', index: stray } : { kind: 'invalid-character', index: stray };
  }
  const repaired = repairPadding(hash);
  if (repaired === undefined) return { kind: 'invalid-character', index: body.length };
  return { kind: 'padding', repaired, bytes: decodedLengthIfValid(repaired) };
}
